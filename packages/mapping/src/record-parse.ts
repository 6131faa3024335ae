import type { z } from 'zod';

import type { RecordKind } from './mapping-errors.ts';
import { MappingError } from './mapping-errors.ts';

/** A parse or mapping outcome: the value, or the permanent error that names record, field and fix. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: MappingError };

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_union') return 'has an unexpected type';
  return issue.code.replaceAll('_', ' ');
}

/**
 * Checks one upstream record against its loose schema. A failure becomes an `INVALID_RECORD` MappingError
 * that names the record id and the field path of the first problem and never the value.
 */
export function parseRecord<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  recordKind: RecordKind,
  recordId: string | null,
  pathPrefix = '',
): Result<z.infer<S>> {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const path = issue === undefined ? [] : issue.path.map(String);
  const field = [pathPrefix, ...path].filter((part) => part !== '').join('.') || '(record)';
  const detail =
    issue === undefined
      ? 'invalid record'
      : `${describe(issue)} — the upstream record does not have the documented shape`;
  return {
    ok: false,
    error: new MappingError({ code: 'INVALID_RECORD', recordKind, recordId, field, detail }),
  };
}

/** The value of `key` when `raw` is an object and the value is a non-blank string or number, else null. */
export function idOf(raw: unknown, ...keys: string[]): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  for (const key of keys) {
    const value = (raw as Record<string, unknown>)[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return null;
}
