import { type PrimeroClient, UpstreamError } from '@pos/clients';
import { abortableDelay } from '@pos/messaging';
import type { Logger, SyncStatusMetrics } from '@pos/runtime';
import type { Kysely } from 'kysely';

import {
  classifyReportFailure,
  markSyncedBody,
  reportedRoutes,
  reportRetryDelayMs,
} from '../core/sync-status.policy.ts';
import {
  deferReport,
  type OwedReport,
  owedReports,
  recordDeadLettered,
  settleReport,
  type SyncStatusDatabase,
} from './sync-status.repository.ts';

export interface SyncStatusReporterOptions {
  db: Kysely<SyncStatusDatabase>;
  primero: Pick<PrimeroClient, 'patchCase'>;
  /** The webhook's URL as Primero has it (`mark_synced_url`): the status is kept per URL. */
  webhookUrl: string;
  intervalMs: number;
  /** Reports per round. */
  batchSize?: number;
  logger: Logger;
  metrics: SyncStatusMetrics;
  signal: AbortSignal;
  now?: () => Date;
}

export interface SyncStatusReporter {
  /** One round now (beside the timer's): dead letters read, owed statuses sent. Resolves with how many were sent. */
  runOnce: () => Promise<number>;
  /** Stops after the round in progress. */
  stop: () => Promise<void>;
}

/**
 * Tells Primero, case by case, that its latest change reached OSCaR (`synced`) or was dead-lettered
 * (`failed`), through the `mark_synced` PATCH. Each round turns new dead letters into `failed`, then sends
 * the owed statuses; one per case however many events it had (the latest status wins). A failed report is
 * retried with a backoff; one Primero refuses (`sync_external` missing) or a case it no longer has is
 * dropped. Logs carry the subject's case id and codes only.
 */
export function startSyncStatusReporter(options: SyncStatusReporterOptions): SyncStatusReporter {
  const { db, logger, metrics } = options;
  const now = options.now ?? (() => new Date());
  const batchSize = options.batchSize ?? 100;
  const stop = new AbortController();
  const signal = AbortSignal.any([options.signal, stop.signal]);
  let refusalLogged = false;

  const report = async (owed: OwedReport): Promise<boolean> => {
    try {
      await options.primero.patchCase(owed.recordId, markSyncedBody(owed.status, options.webhookUrl), {
        signal,
      });
      await settleReport(db, owed);
      metrics.reported(owed.status, 'sent');
      return true;
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      const failure = classifyReportFailure(error.code, error.retryable);
      if (failure === 'retry') {
        await deferReport(db, owed, new Date(now().getTime() + reportRetryDelayMs(owed.attempts + 1)));
        metrics.reported(owed.status, 'failed');
        return false;
      }
      await settleReport(db, owed);
      metrics.reported(owed.status, failure);
      if (failure === 'refused' && !refusalLogged) {
        refusalLogged = true;
        logger.error(
          { subject: owed.subject, code: error.code, status: error.status },
          'Primero refused a sync status: give the Primero user the sync_external permission and update rights on the cases, or unset PRIMERO_SYNC_STATUS_URL',
        );
      }
      return false;
    }
  };

  const runOnce = async (): Promise<number> => {
    const failed = await recordDeadLettered(db, reportedRoutes);
    if (failed > 0) logger.info({ failed }, 'dead-lettered cases owe Primero a failed sync status');
    let sent = 0;
    // Bounded, so a round always ends; what is left is due in the next round.
    for (let batch = 0; batch < 10; batch += 1) {
      const owed = await owedReports(db, batchSize);
      for (const row of owed) {
        if (signal.aborted) return sent;
        if (await report(row)) sent += 1;
      }
      if (owed.length < batchSize) return sent;
    }
    return sent;
  };

  // A round every `intervalMs`, the first one interval after the start.
  const loop = (async () => {
    while (!signal.aborted) {
      await abortableDelay(options.intervalMs, signal).catch(() => undefined);
      if (signal.aborted) break;
      try {
        const sent = await runOnce();
        if (sent > 0) logger.debug({ sent }, 'sync statuses reported to Primero');
      } catch (error) {
        if (signal.aborted) break;
        logger.warn(
          { reason: error instanceof Error ? error.message : 'unknown' },
          'sync status round failed; tried again next round',
        );
      }
    }
  })();

  return {
    runOnce,
    stop: async () => {
      stop.abort();
      await loop;
    },
  };
}
