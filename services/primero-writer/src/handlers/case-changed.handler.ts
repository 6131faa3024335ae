import { type PrimeroClient, UpstreamError } from '@pos/clients';
import type { CaseChanged } from '@pos/contracts';
import { type MappingTables, planPrimeroCaseWrite, uuidv5 } from '@pos/mapping';
import { type HandlerContext, type HandlerOutcome, PermanentError } from '@pos/messaging';

import { findCaseByIds } from '../adapters/find-case.ts';

export interface CaseChangedDeps {
  primero: PrimeroClient;
  tables: MappingTables;
  now: () => Date;
}

/** Namespace of the record ids this writer gives the cases it creates, so a retried create cannot duplicate. */
const caseIdNamespace = '5b0f7c1e-3d0a-5a8e-9c51-6c0e2f1d7a10';

/**
 * `oscar.case.changed` → Primero. The case is found by `case_id`, else `oscar_number`; none → created
 * (create-only fields, owner by the province or agency rules), one → patched with only what differs
 * (nothing → no write at all, so the systems settle), several → dead-lettered.
 */
export async function handleOscarCaseChanged(
  deps: CaseChangedDeps,
  event: CaseChanged,
  ctx: HandlerContext,
): Promise<HandlerOutcome> {
  const ids = event.data.ids;
  const what = `OSCaR client ${ids.oscarGlobalId ?? '(no global_id)'}`;
  const existing = await findCaseByIds(deps.primero, ids, ctx.signal, what);
  if (existing === null && ids.caseId) {
    throw new PermanentError(
      'CASE_NOT_FOUND',
      `${what}: OSCaR links it to Primero case_id ${ids.caseId}, which Primero does not have — check the link in OSCaR, then replay`,
    );
  }
  const plan = planPrimeroCaseWrite({ event: event.data, existing, tables: deps.tables, today: deps.now() });
  if (plan.kind === 'error') throw new PermanentError(plan.error.code, plan.error.message);
  if (plan.kind === 'create') {
    const id = uuidv5(event.metadata.subject, caseIdNamespace);
    try {
      await deps.primero.createCase(plan.data, { id, signal: ctx.signal });
    } catch (error) {
      // The record id is derived from the OSCaR client, so it exists only if this client's case was created
      // before — yet the lookup by its ids found nothing: someone changed the case's ids in Primero.
      if (error instanceof UpstreamError && error.code === 'CONFLICT') {
        throw new PermanentError(
          'CASE_ID_TAKEN',
          `${what}: Primero already has the case created for it (record id ${id}), but without oscar_number ${ids.oscarGlobalId ?? '?'} — restore the ids on that case in Primero, then replay`,
        );
      }
      throw error;
    }
    ctx.logger.info({ globalId: ids.oscarGlobalId, primeroId: id }, 'Primero case created');
    return 'applied';
  }
  if (Object.keys(plan.data).length === 0) return 'skipped';
  const recordId = typeof existing?.id === 'string' ? existing.id : '';
  await deps.primero.patchCase(recordId, plan.data, { signal: ctx.signal });
  ctx.logger.info(
    { globalId: ids.oscarGlobalId, caseId: existing?.case_id, fields: Object.keys(plan.data) },
    'Primero case updated',
  );
  return 'applied';
}
