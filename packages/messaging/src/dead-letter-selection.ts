import type { DeadLetterFilter } from './dead-letter-admin.ts';

/**
 * Which dead letters an operator means, as `pnpm dlq` and the admin HTTP API both take it: by number, by
 * case (`case_id` or its 7-character display id), by OSCaR `global_id`, by error code, by age, or all of
 * them. Turned into a `DeadLetterFilter` in one place so both read a selection the same way.
 */
export interface DeadLetterSelection {
  /** Dead-letter numbers within one service (`12`, not `primero-writer/12`). */
  ids?: readonly string[] | undefined;
  case?: string | undefined;
  global?: string | undefined;
  code?: string | undefined;
  /** `30m`, `2h`, `7d`, `45s`: failed at least this long ago. */
  olderThan?: string | undefined;
  /** Failed at most this long ago. */
  newerThan?: string | undefined;
  state?: DeadLetterFilter['state'] | undefined;
  limit?: number | undefined;
  /** Replay or discard every open dead letter: an explicit choice, never the default. */
  all?: boolean | undefined;
}

/** The part of a selection a problem is about, for the caller to name in its own terms (a flag, a field). */
export type SelectionField = 'olderThan' | 'newerThan' | 'limit' | 'selection';

export type SelectionResult =
  { ok: true; filter: DeadLetterFilter } | { ok: false; field: SelectionField; problem: string };

/** `2h`, `30m`, `7d`, `45s` → milliseconds; `null` for anything else. */
export function parseAge(text: string): number | null {
  const match = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (!match?.[1] || !match[2]) return null;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/**
 * The filter a selection means. With `requireChoice` (replay, discard), a selection that names no dead
 * letter, no filter and not `all` is refused: changing every dead letter takes a deliberate `all`.
 */
export function filterOfSelection(
  selection: DeadLetterSelection,
  options: { requireChoice?: boolean } = {},
): SelectionResult {
  const olderThanMs = selection.olderThan === undefined ? undefined : parseAge(selection.olderThan);
  if (olderThanMs === null) return { ok: false, field: 'olderThan', problem: 'must look like 30m, 2h or 7d' };
  const newerThanMs = selection.newerThan === undefined ? undefined : parseAge(selection.newerThan);
  if (newerThanMs === null) return { ok: false, field: 'newerThan', problem: 'must look like 30m, 2h or 7d' };
  if (selection.limit !== undefined && !(Number.isInteger(selection.limit) && selection.limit > 0)) {
    return { ok: false, field: 'limit', problem: 'must be a whole number above 0' };
  }
  const ids = selection.ids ?? [];
  if (
    options.requireChoice &&
    ids.length === 0 &&
    !selection.all &&
    !selection.case &&
    !selection.global &&
    !selection.code &&
    olderThanMs === undefined &&
    newerThanMs === undefined
  ) {
    return { ok: false, field: 'selection', problem: 'name dead letters by id, select them, or say all' };
  }
  return {
    ok: true,
    filter: {
      ...(ids.length > 0 ? { ids } : {}),
      ...(selection.case ? { caseId: selection.case } : {}),
      ...(selection.global ? { globalId: selection.global } : {}),
      ...(selection.code ? { code: selection.code } : {}),
      ...(olderThanMs === undefined ? {} : { olderThanMs }),
      ...(newerThanMs === undefined ? {} : { newerThanMs }),
      ...(selection.state ? { state: selection.state } : {}),
      ...(selection.limit === undefined ? {} : { limit: selection.limit }),
    },
  };
}
