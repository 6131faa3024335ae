import type { z } from 'zod';

import type { RecordKind } from './mapping-errors.ts';
import { MappingError } from './mapping-errors.ts';

/** A parse or mapping outcome: the value, or the permanent error that names record, field and fix. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: MappingError };

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  if (issue.code === 'invalid_union') {
    // A text that is too long fails every branch of a text-or-number field: say that, not "a type".
    const branches = issue.errors.flat();
    const tooLong = branches.find((i) => i.code === 'too_big' && i.origin === 'string');
    if (tooLong) return describe(tooLong);
    const expected = [...new Set(branches.flatMap((i) => (i.code === 'invalid_type' ? [i.expected] : [])))];
    return expected.length > 0 ? `expected ${expected.join(' or ')}` : 'has an unexpected type';
  }
  if (issue.code === 'too_big' && issue.origin === 'string')
    return `is longer than ${String(issue.maximum)} characters`;
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

/**
 * Whether a value can be an upstream identifier (a Primero `case_id` or record `id`, an OSCaR `global_id`,
 * `slug` or `external_id`): 1–100 printable ASCII characters without spaces. Both APIs only ever make such
 * ids (UUIDs, ULIDs, `abcd-123`); anything else — a name typed into the field, a megabyte of text — is not
 * one, and must neither be named in an error nor become a key (Postgres cannot index a value that large).
 *
 * @example isIdLike('01EHAZ3XN6DJX0GQGR8R5KV7AZ') // true
 * @example isIdLike('case of Sokha') // false
 */
export function isIdLike(value: unknown): value is string {
  return typeof value === 'string' && /^[\x21-\x7e]{1,100}$/.test(value);
}

/**
 * The value of the first of `keys` that holds an identifier (`isIdLike`) when `raw` is an object, else null:
 * what an error about a record may name it by.
 */
export function idOf(raw: unknown, ...keys: string[]): string | null {
  if (typeof raw !== 'object' || raw === null) return null;
  for (const key of keys) {
    const value = (raw as Record<string, unknown>)[key];
    if (isIdLike(value)) return value;
  }
  return null;
}
