import type { z } from 'zod';

import type { RecordKind } from './mapping-errors.ts';
import { MappingError } from './mapping-errors.ts';
import type { Result } from './record-parse.ts';

/**
 * Checks a mapped event against its contract schema, so a value with an unexpected format upstream (a
 * record id that is not a UUID, a malformed timestamp) is reported here, naming the event field, instead of
 * failing later at publish time.
 */
export function checkEvent<S extends z.ZodType>(
  schema: S,
  value: unknown,
  recordKind: RecordKind,
  recordId: string | null,
  path: string,
): Result<z.infer<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const field = [path, ...(issue?.path.map(String) ?? [])].join('.');
  return {
    ok: false,
    error: new MappingError({
      code: 'INVALID_RECORD',
      recordKind,
      recordId,
      field,
      detail: `the mapped event does not satisfy the contract (${issue?.code.replaceAll('_', ' ') ?? 'invalid'}) — the upstream value has an unexpected format`,
    }),
  };
}
