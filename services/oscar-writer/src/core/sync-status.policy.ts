import type { CaseChanged, ReferralDecision } from '@pos/contracts';

/** What the sync tells Primero about a case (`mark_synced_status`); `not_found` is Primero's, never sent by us. */
export type SyncStatus = 'synced' | 'failed';

/** The routes whose effect on OSCaR is reported back to Primero, and whose dead letters mean `failed`. */
export const reportedRoutes = ['primero.case.changed', 'primero.referral.decided'] as const;

/** The Primero record id an event of a case carries, or null (a case without one cannot be marked). */
export function primeroRecordIdOf(event: CaseChanged | ReferralDecision): string | null {
  return 'ids' in event.data ? event.data.ids.primeroRecordId : event.data.referral.primeroRecordId;
}

/**
 * The body of the callback (docs/upstream/primero.md, "Webhooks"): an ordinary case PATCH with three keys
 * Primero does not store. It is a save, so it causes a notice of its own — which finds the case unchanged
 * and emits no event, so nothing is reported for it: that is what ends the echo.
 *
 * @example
 * markSyncedBody('synced', 'https://sync.example/webhooks/primero')
 * // { mark_synced: true, mark_synced_url: 'https://sync.example/webhooks/primero', mark_synced_status: 'synced' }
 */
export function markSyncedBody(status: SyncStatus, webhookUrl: string) {
  return { mark_synced: true, mark_synced_url: webhookUrl, mark_synced_status: status };
}

/** What to do after a report Primero did not take, from the client's error code. */
export type ReportFailure =
  /** Deleted, or not the sync user's to see: nothing to mark. */
  | 'not_found'
  /** 422 (the user lacks `sync_external`, so the keys are outside Primero's schema) or 401/403: not retried. */
  | 'refused'
  | 'retry';

export function classifyReportFailure(code: string, retryable: boolean): ReportFailure {
  if (code === 'NOT_FOUND') return 'not_found';
  if (retryable) return 'retry';
  return 'refused';
}

/** Delay before the n-th retry of a report (1-based): 5 s doubling, at most 10 min. */
export function reportRetryDelayMs(attempt: number): number {
  return Math.min(5000 * 2 ** (attempt - 1), 600_000);
}
