import type { OscarClient } from '@pos/clients';
import type { ReferralDecision } from '@pos/contracts';
import { type MappingTables, toOscarStatusUpdate } from '@pos/mapping';
import { type HandlerContext, type HandlerOutcome, PermanentError, recordAfterEffect } from '@pos/messaging';
import type { Kysely } from 'kysely';

import {
  findDecisionSent,
  type OscarWriterDatabase,
  saveDecisionSent,
} from '../adapters/state.repository.ts';

export interface ReferralDecidedDeps {
  db: Kysely<OscarWriterDatabase>;
  oscar: OscarClient;
  tables: MappingTables;
}

/**
 * `primero.referral.decided` → OSCaR `update_statuses`, one item per request (OSCaR stops at the first bad
 * item of a batch), sent once per change of decision.
 */
export async function handleReferralDecided(
  deps: ReferralDecidedDeps,
  event: ReferralDecision,
  ctx: HandlerContext,
): Promise<HandlerOutcome> {
  const item = toOscarStatusUpdate(event.data, deps.tables);
  if (!item.ok) throw new PermanentError(item.error.code, item.error.message);
  const { client_global_id: globalId, referral_id: referralId, referral_status: status } = item.value;
  const sent = await findDecisionSent(deps.db, globalId, referralId);
  if (sent?.status === status) return 'skipped';
  await deps.oscar.updateStatus(item.value, { signal: ctx.signal });
  await recordAfterEffect(
    () => saveDecisionSent(deps.db, { global_id: globalId, referral_id: referralId, status }),
    ctx.signal,
  );
  ctx.logger.info({ globalId, referralId, status }, 'decision sent to OSCaR');
  return 'applied';
}
