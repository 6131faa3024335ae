import { isIdLike } from '@pos/mapping';

/** A Primero timestamp (`2026-12-08T06:01:12.514Z`, or with an offset). */
export const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * What the poller remembers of a case it has handled (fetched its referrals if it needed them, mapped it,
 * committed its events): the case's `last_updated_at` then, and the mapping tables' version it was mapped with.
 */
export interface CaseRead {
  /** Primero's record `id` (the one referral URLs take). */
  recordId: string;
  lastUpdatedAt: string;
  mappingsVersion: string;
}

/** A case as it was remembered: how it was handled, and whether a rejection of it still stands. */
export interface RememberedRead extends CaseRead {
  /** It was rejected as malformed (and dead-lettered) when it was handled. */
  rejected: boolean;
  /**
   * For a rejected case: its rejection is still on record. Replaying its dead letter forgets the rejection
   * (and rewinds the cursor) so that the case is read again: then it must not be skipped.
   */
  rejectionOnRecord: boolean;
}

/**
 * The key a listed case is remembered by, or null when it has no record `id` or no `last_updated_at` (such a
 * case is handled on every read, as before there was anything to remember).
 */
export function caseReadOf(record: unknown, mappingsVersion: string): CaseRead | null {
  if (typeof record !== 'object' || record === null) return null;
  const { id, last_updated_at: lastUpdatedAt } = record as { id?: unknown; last_updated_at?: unknown };
  // Both become keys: a broken id or time (of any size) is not remembered, the case is handled each time.
  if (!isIdLike(id)) return null;
  if (typeof lastUpdatedAt !== 'string' || !isoTime.test(lastUpdatedAt)) return null;
  return { recordId: id, lastUpdatedAt, mappingsVersion };
}

/**
 * Whether a case read again can be left alone: no referral fetch, no mapping, no event. The cursor stays
 * `CURSOR_OVERLAP_MS` behind the poll start, so every poll lists again each case saved in the last minute;
 * such a re-read is skipped when the case still has the `last_updated_at` it had when it was handled, under
 * the same mapping tables, unless it was rejected then and its dead letter has since been replayed.
 *
 * Safe because every change the poller acts on bumps `last_updated_at` (docs/upstream/primero.md §5.2 and
 * its quirk 11): every case save, a no-op PATCH included, and creating, rejecting, closing or revoking a
 * referral. The one exception is accepting a referral (v2.5), which only turns an `in_progress` referral
 * into `accepted`. A case skipped here was handled at this very `last_updated_at`, so its in-progress
 * referral to OSCaR was emitted then; the oscar-writer sends a referral once and never withdraws one, so an
 * acceptance the poller has not seen changes nothing downstream, and the next save of the case carries it
 * along (before, only a re-read that happened to fall inside the overlap minute saw it). The
 * primero-writer's own acceptances are followed by its PATCH of the case, which bumps it.
 *
 * @example
 * isUnchangedSinceRead(caseReadOf(listed, tables.version), remembered.get(listed.id)) // true → skip it
 */
export function isUnchangedSinceRead(
  current: CaseRead | null,
  previous: RememberedRead | undefined,
): boolean {
  if (current === null || previous === undefined) return false;
  if (previous.rejected && !previous.rejectionOnRecord) return false;
  return (
    current.recordId === previous.recordId &&
    current.lastUpdatedAt === previous.lastUpdatedAt &&
    current.mappingsVersion === previous.mappingsVersion
  );
}
