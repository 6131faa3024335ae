import type { PrimeroClient } from '@pos/clients';
import type { ReferralDecision } from '@pos/contracts';
import { type MappingTables, planPrimeroDecision } from '@pos/mapping';
import { type HandlerContext, type HandlerOutcome, PermanentError } from '@pos/messaging';

import { findCaseByIds } from '../adapters/find-case.ts';

export interface ReferralDecidedDeps {
  primero: PrimeroClient;
  tables: MappingTables;
}

/**
 * `oscar.referral.decided` → Primero: the in-progress referral record is accepted or rejected
 * (`record_type: case`) and its service row gets the decision and the OSCaR referral id. The matching rules
 * live in the mapping core; a decision that matches no Primero referral is dead-lettered with the reason.
 */
export async function handleOscarReferralDecided(
  deps: ReferralDecidedDeps,
  event: ReferralDecision,
  ctx: HandlerContext,
): Promise<HandlerOutcome> {
  const ref = event.data.referral;
  const what = `OSCaR referral ${ref.oscarReferralId ?? '?'} of client ${ref.oscarGlobalId ?? '?'}`;
  const existing = await findCaseByIds(
    deps.primero,
    { caseId: ref.caseId, oscarGlobalId: null },
    ctx.signal,
    what,
  );
  if (existing === null) {
    throw new PermanentError(
      'CASE_NOT_FOUND',
      `${what}: Primero has no case with case_id ${ref.caseId ?? '(none)'}`,
    );
  }
  const recordId = typeof existing.id === 'string' ? existing.id : '';
  const referrals = await deps.primero.listReferrals(recordId, { signal: ctx.signal });
  const plan = planPrimeroDecision({ decision: event.data, existing, referrals, tables: deps.tables });
  if (plan.kind === 'no-match') throw new PermanentError(plan.code, `${what}: ${plan.reason}`);
  if (plan.kind === 'error') throw new PermanentError(plan.error.code, plan.error.message);
  let wrote = false;
  if (plan.referralPatch) {
    await deps.primero.patchReferral(recordId, plan.referralPatch.referralId, plan.referralPatch.data, {
      signal: ctx.signal,
    });
    wrote = true;
  }
  if (plan.casePatch && Object.keys(plan.casePatch).length > 0) {
    await deps.primero.patchCase(recordId, plan.casePatch, { signal: ctx.signal });
    wrote = true;
  }
  if (wrote)
    ctx.logger.info(
      { caseId: ref.caseId, oscarReferralId: ref.oscarReferralId, decision: event.data.decision },
      'decision written to Primero',
    );
  return wrote ? 'applied' : 'skipped';
}
