/** What became of a notice handed to `PendingReads.add`. */
export type NoticeOutcome = 'scheduled' | 'coalesced' | 'dropped';

/**
 * The cases webhook notices asked to read, coalesced: a case is read once however many notices name it
 * before its read starts (three quick saves give three notices, often within the same second); a notice that
 * arrives while its case is being read schedules one more read, since that read may have started before the
 * save. Bounded: past `maxPending` cases a notice is dropped, and the caller polls instead.
 *
 * No I/O and no timers: the caller passes the time and runs the reads.
 */
export interface PendingReads {
  add: (recordId: string, now: number) => NoticeOutcome;
  /** Up to `max` cases whose read is due at `now`; they count as being read until `settle`. */
  takeDue: (now: number, max: number) => string[];
  /**
   * Their read ended. Those that failed are scheduled again after a backoff, up to `maxAttempts` reads in
   * all (then left to the safety poll); those noticed again during the read are scheduled again at once.
   */
  settle: (recordIds: readonly string[], now: number, failed: boolean) => { givenUp: number };
  /** When the next read is due, or null when nothing waits. */
  nextDueAt: () => number | null;
  /** A notice for this case waits for, or is in, its read. */
  has: (recordId: string) => boolean;
  size: () => number;
}

export interface PendingReadsOptions {
  /** Wait this long after a case's first notice before reading it, to take in the notices that follow. */
  coalesceMs: number;
  maxPending: number;
  maxAttempts: number;
  /** Delay before the n-th retry (1-based). */
  retryDelayMs: (attempt: number) => number;
}

export function pendingReads(options: PendingReadsOptions): PendingReads {
  /** record id → when its read is due and how many reads of it failed so far. */
  const waiting = new Map<string, { dueAt: number; failures: number }>();
  /** record id → whether another notice came during the read, and failures so far. */
  const reading = new Map<string, { noticedAgain: boolean; failures: number }>();

  return {
    add: (recordId, now) => {
      if (waiting.has(recordId)) return 'coalesced';
      const inRead = reading.get(recordId);
      if (inRead) {
        inRead.noticedAgain = true;
        return 'coalesced';
      }
      if (waiting.size + reading.size >= options.maxPending) return 'dropped';
      waiting.set(recordId, { dueAt: now + options.coalesceMs, failures: 0 });
      return 'scheduled';
    },
    takeDue: (now, max) => {
      const due: string[] = [];
      for (const [recordId, entry] of waiting) {
        if (due.length >= max) break;
        if (entry.dueAt > now) continue;
        due.push(recordId);
        waiting.delete(recordId);
        reading.set(recordId, { noticedAgain: false, failures: entry.failures });
      }
      return due;
    },
    settle: (recordIds, now, failed) => {
      let givenUp = 0;
      for (const recordId of recordIds) {
        const entry = reading.get(recordId);
        if (!entry) continue;
        reading.delete(recordId);
        if (failed) {
          const failures = entry.failures + 1;
          if (failures >= options.maxAttempts) {
            givenUp += 1;
            continue;
          }
          waiting.set(recordId, { dueAt: now + options.retryDelayMs(failures), failures });
        } else if (entry.noticedAgain) {
          waiting.set(recordId, { dueAt: now, failures: 0 });
        }
      }
      return { givenUp };
    },
    nextDueAt: () => {
      let next: number | null = null;
      for (const { dueAt } of waiting.values()) if (next === null || dueAt < next) next = dueAt;
      return next;
    },
    has: (recordId) => waiting.has(recordId) || reading.has(recordId),
    size: () => waiting.size + reading.size,
  };
}
