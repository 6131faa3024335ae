import type { Logger, WebhookMetrics } from '@pos/runtime';

import type { NoticeOutcome, PendingReads } from '../core/pending-reads.policy.ts';
import type { TargetedReadOutcome } from './primero.poll.ts';

/** The reconciliation figures since the process started, for `GET /admin/status` (`webhooks`). */
export interface WebhookFigures {
  /** Authenticated notices naming a case. */
  noticesReceived: number;
  /** Notices refused (no or a wrong credential) or naming no case. */
  noticesRefused: number;
  /** Cases read again on a notice, and how many of those reads found a change (an event written). */
  targetedReads: number;
  changesFoundByNotices: number;
  /** Changed cases the safety poll found that no notice had scheduled: non-zero means notices are being lost. */
  changesFoundOnlyBySafetyPoll: number;
  /** Cases waiting for (or in) their targeted read. */
  pending: number;
  lastNoticeAt: string | null;
  safetyPollIntervalMs: number;
}

export interface TargetedReads {
  /** A notice named this case: its read is scheduled (or joined). */
  notice: (recordId: string) => NoticeOutcome;
  /** A notice that was refused (unauthenticated) or named no case. */
  refused: (outcome: 'unauthorized' | 'malformed' | 'not_a_case') => void;
  /** The safety poll found changed cases no notice had scheduled. */
  foundOnlyByPoll: (count: number) => void;
  isPending: (recordId: string) => boolean;
  figures: () => WebhookFigures;
  /** Stops scheduling reads and waits for the one running. */
  stop: () => Promise<void>;
}

export interface TargetedReadOptions {
  pending: PendingReads;
  /** Reads these cases again and handles them as a poll would (`readCases`). */
  read: (recordIds: readonly string[], signal: AbortSignal) => Promise<Map<string, TargetedReadOutcome>>;
  /** Runs `work` when no poll runs (targeted reads and polls share the fingerprints and `case_reads`). */
  exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** Cases read in one round (concurrently; their events written in one transaction). */
  batchSize: number;
  /** A notice was dropped (too many waiting): poll instead, which reads every changed case. */
  pollNow: () => void;
  safetyPollIntervalMs: number;
  logger: Logger;
  metrics: WebhookMetrics;
  now?: () => number;
}

/**
 * Runs the targeted reads webhook notices schedule, outside the request that brought the notice: a timer
 * wakes when the next read is due, and each round reads every due case (up to `batchSize`) and writes their
 * events in one transaction, never while a poll runs. A failed round is tried again with a backoff, then left
 * to the safety poll. Logs carry counts only.
 */
export function startTargetedReads(options: TargetedReadOptions): TargetedReads {
  const now = options.now ?? Date.now;
  const { pending, metrics, logger } = options;
  const abort = new AbortController();
  const figures = {
    noticesReceived: 0,
    noticesRefused: 0,
    targetedReads: 0,
    changesFoundByNotices: 0,
    changesFoundOnlyBySafetyPoll: 0,
    lastNoticeAt: null as string | null,
  };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const wake = () => {
    if (stopped || running) return;
    clearTimeout(timer);
    const next = pending.nextDueAt();
    if (next === null) return;
    timer = setTimeout(() => void round(), Math.max(0, next - now()));
  };

  const round = (): Promise<void> => {
    running = (async () => {
      const due = pending.takeDue(now(), options.batchSize);
      if (due.length === 0) return;
      try {
        const outcomes = await options.exclusive(() => options.read(due, abort.signal));
        pending.settle(due, now(), false);
        const counts = { changed: 0, unchanged: 0, not_found: 0 };
        for (const outcome of outcomes.values()) counts[outcome] += 1;
        figures.targetedReads += due.length;
        figures.changesFoundByNotices += counts.changed;
        for (const [outcome, count] of Object.entries(counts)) {
          if (count > 0) metrics.targetedReads(outcome as TargetedReadOutcome, count);
        }
        if (counts.changed > 0) logger.info({ read: due.length, ...counts }, 'targeted reads done');
      } catch (error) {
        const { givenUp } = pending.settle(due, now(), true);
        metrics.targetedReads('failed', due.length);
        if (givenUp > 0) metrics.targetedReads('given_up', givenUp);
        logger.warn(
          { read: due.length, givenUp, reason: error instanceof Error ? error.message : 'unknown error' },
          'targeted reads failed; they are tried again, then left to the safety poll',
        );
      }
    })().finally(() => {
      running = undefined;
      wake();
    });
    return running;
  };

  return {
    notice: (recordId) => {
      const outcome = pending.add(recordId, now());
      figures.noticesReceived += 1;
      figures.lastNoticeAt = new Date(now()).toISOString();
      metrics.notice(outcome);
      if (outcome === 'dropped') options.pollNow();
      else wake();
      return outcome;
    },
    refused: (outcome) => {
      figures.noticesRefused += 1;
      metrics.notice(outcome);
    },
    foundOnlyByPoll: (count) => {
      figures.changesFoundOnlyBySafetyPoll += count;
      metrics.foundOnlyByPoll(count);
    },
    isPending: (recordId) => pending.has(recordId),
    figures: () => ({
      ...figures,
      pending: pending.size(),
      safetyPollIntervalMs: options.safetyPollIntervalMs,
    }),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await running;
    },
  };
}

/**
 * One at a time: polls and targeted reads both run through it, so a read never interleaves with a poll
 * handling the same case (both compare and write its fingerprints).
 */
export function createExclusive(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>) => {
    const result = tail.then(work, work);
    tail = result.catch(() => undefined);
    return result;
  };
}
