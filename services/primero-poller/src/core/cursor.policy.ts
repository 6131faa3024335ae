import { isoTime } from './reread.policy.ts';

/**
 * The next `last_updated_at` cursor after a successful page walk. It never passes the newest change seen,
 * and it stays `overlapMs` behind the moment the walk started: a case saved while the walk ran (after we
 * passed it) has a newer `last_updated_at` than the walk's start, so it is read again next time. Re-reads
 * cost nothing beyond the list request: a case still at the `last_updated_at` it was handled at is skipped
 * (`isUnchangedSinceRead`), and a changed one with unchanged content has the same fingerprint and emits no
 * event. The cursor never moves backwards.
 */
export function nextCursor(input: {
  previous: string;
  newestSeen: string | null;
  pollStartedAt: Date;
  overlapMs: number;
}): string {
  const cap = new Date(input.pollStartedAt.getTime() - input.overlapMs).toISOString();
  const candidate =
    input.newestSeen === null ? input.previous : input.newestSeen < cap ? input.newestSeen : cap;
  return candidate > input.previous ? candidate : input.previous;
}

/** Primero's first cursor: everything. */
export const initialCursor = '1970-01-01T00:00:00.000Z';

/** Only cases with a service row that flows to or from OSCaR need their referrals fetched. */
export function needsReferrals(record: unknown): boolean {
  if (typeof record !== 'object' || record === null) return false;
  const rows = (record as { services_section?: unknown }).services_section;
  if (!Array.isArray(rows)) return false;
  return rows.some(
    (row) =>
      typeof row === 'object' &&
      row !== null &&
      (row as { service_response_type?: unknown }).service_response_type === 'referral_to_oscar',
  );
}

/** The largest ISO timestamp (ISO-8601 UTC strings compare as text). */
export function newest(a: string | null, b: unknown): string | null {
  if (typeof b !== 'string' || !isoTime.test(b)) return a;
  return a === null || b > a ? b : a;
}
