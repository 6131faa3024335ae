import { type OscarClient, UpstreamError } from '@pos/clients';
import type { CaseChanged } from '@pos/contracts';
import { type MappingTables, toOscarLinkItem, toOscarReferralUpserts } from '@pos/mapping';
import { type HandlerContext, type HandlerOutcome, PermanentError } from '@pos/messaging';
import type { Kysely } from 'kysely';

import {
  findLink,
  findSentReferral,
  type OscarWriterDatabase,
  saveLink,
  saveSentReferral,
} from '../adapters/state.repository.ts';
import { isOurs } from '../core/cutover.policy.ts';

export interface CaseChangedDeps {
  db: Kysely<OscarWriterDatabase>;
  oscar: OscarClient;
  tables: MappingTables;
  /** `REFERRALS_CREATED_SINCE`: referrals created before it were the legacy job's to send. */
  referralsCreatedSince: string;
}

/** OSCaR's answer when the case was already accepted there and the upsert lacks the client's global_id. */
const recordWasFound = (error: unknown) =>
  error instanceof UpstreamError &&
  error.code === 'VALIDATION' &&
  error.details.some((d) => d.includes('Record was found'));

/**
 * `primero.case.changed` → OSCaR. Each Primero referral to an NGO is upserted once (OSCaR duplicates a
 * re-posted pending referral); a referral that OSCaR refuses because the NGO already took the case waits
 * for the case's global_id and is sent with it by a later event. Cases created from OSCaR get their Primero
 * ids through `update_links`, once per change.
 */
export async function handleCaseChanged(
  deps: CaseChangedDeps,
  event: CaseChanged,
  ctx: HandlerContext,
): Promise<HandlerOutcome> {
  let wrote = false;
  const upserts = toOscarReferralUpserts(event.data, deps.tables);
  const failures: string[] = [];
  const createdAt = new Map(
    event.data.services.map((s) => [s.primeroReferralId, s.primeroReferralCreatedAt]),
  );
  for (const upsert of upserts) {
    if (!isOurs(createdAt.get(upsert.key) ?? null, deps.referralsCreatedSince)) continue;
    if (!upsert.ok) {
      failures.push(upsert.error.message);
      continue;
    }
    const sent = await findSentReferral(deps.db, upsert.key);
    const globalId =
      typeof upsert.body.organization.global_id === 'string' ? upsert.body.organization.global_id : null;
    if (sent?.state === 'sent') continue;
    if (sent?.state === 'awaiting_global_id' && globalId === null) continue;
    const record = {
      referral_key: upsert.key,
      case_id: event.data.ids.caseId ?? '',
      organization: String(upsert.body.organization.organization_name ?? ''),
    };
    try {
      await deps.oscar.upsertClient(upsert.body.organization, { signal: ctx.signal });
    } catch (error) {
      if (globalId === null && recordWasFound(error)) {
        await saveSentReferral(deps.db, {
          ...record,
          state: 'awaiting_global_id',
          sent_with_global_id: null,
        });
        ctx.logger.info({ referralKey: upsert.key }, 'referral waits for the OSCaR global_id of its case');
        continue;
      }
      throw error;
    }
    await saveSentReferral(deps.db, { ...record, state: 'sent', sent_with_global_id: globalId });
    ctx.logger.info({ referralKey: upsert.key, organization: record.organization }, 'referral sent to OSCaR');
    wrote = true;
  }

  if (failures.length > 0) {
    // The other referrals of the case went out; these need a mapping table extended, then a replay.
    throw new PermanentError('MAPPING', failures.join('; '));
  }

  const link = toOscarLinkItem(event.data);
  if (link) {
    const known = await findLink(deps.db, link.global_id);
    if (!known || known.case_id !== link.external_id || known.case_id_display !== link.external_id_display) {
      await deps.oscar.updateLinks([link], { signal: ctx.signal });
      await saveLink(deps.db, {
        global_id: link.global_id,
        case_id: link.external_id,
        case_id_display: link.external_id_display,
      });
      ctx.logger.info({ globalId: link.global_id, caseId: link.external_id }, 'link sent to OSCaR');
      wrote = true;
    }
  }
  return wrote ? 'applied' : 'skipped';
}
