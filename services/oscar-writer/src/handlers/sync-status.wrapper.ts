import type { CaseChanged, ReferralDecision } from '@pos/contracts';
import type { HandlerContext, HandlerOutcome } from '@pos/messaging';
import type { Kysely } from 'kysely';

import { recordSynced, recordTried, type SyncStatusDatabase } from '../adapters/sync-status.repository.ts';
import { primeroRecordIdOf } from '../core/sync-status.policy.ts';

/**
 * A handler whose effect is reported back to Primero: once it returned (OSCaR answered, and what was sent
 * is recorded), the case is owed `synced`; when it throws, the case's record id is kept, so that a dead
 * letter of the event can be reported as `failed`. The reporter (`sync-status.reporter.ts`) tells Primero.
 */
export function reportingSyncStatus<E extends CaseChanged | ReferralDecision>(
  db: Kysely<SyncStatusDatabase>,
  handler: (event: E, ctx: HandlerContext) => Promise<HandlerOutcome>,
): (event: E, ctx: HandlerContext) => Promise<HandlerOutcome> {
  return async (event, ctx) => {
    const recordId = primeroRecordIdOf(event);
    const row = { subject: event.metadata.subject, recordId: recordId ?? '' };
    try {
      const outcome = await handler(event, ctx);
      if (recordId !== null) await recordSynced(db, row);
      return outcome;
    } catch (error) {
      if (recordId !== null) {
        await recordTried(db, row).catch((failure: unknown) =>
          ctx.logger.warn(
            { reason: failure instanceof Error ? failure.message : 'unknown' },
            'could not keep the record id for a failed sync status',
          ),
        );
      }
      throw error;
    }
  };
}
