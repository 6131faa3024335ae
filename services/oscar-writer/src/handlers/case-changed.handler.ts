import { type OscarClient, UpstreamError } from '@pos/clients';
import type { CaseChanged } from '@pos/contracts';
import { type MappingTables, toOscarLinkItem, toOscarReferralUpserts } from '@pos/mapping';
import {
  describeFailure,
  type HandlerContext,
  type HandlerOutcome,
  PermanentError,
  recordAfterEffect,
} from '@pos/messaging';
import type { Kysely } from 'kysely';

import {
  findLink,
  findSentReferral,
  type OscarWriterDatabase,
  recordAmbiguousSend,
  restoreSentReferral,
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

/**
 * Whether OSCaR may have saved an upsert that failed: no answer (timeout, connection lost, our own abort)
 * or an answer we could not read. Any other answer (4xx, 5xx) means it did not.
 */
const mayHaveBeenSaved = (error: unknown) =>
  !(error instanceof UpstreamError) || ['TIMEOUT', 'NETWORK', 'ABORTED', 'BAD_RESPONSE'].includes(error.code);

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
 *
 * Failures are isolated per referral: one that OSCaR refuses (or that cannot be mapped) does not keep the
 * case's other referrals or its link from being sent. Once everything else went out, the event fails with
 * what is left — retryable if any of it may pass later, else permanent naming each referral — and its
 * redelivery or replay sends only what has not been sent yet.
 */
export async function handleCaseChanged(
  deps: CaseChangedDeps,
  event: CaseChanged,
  ctx: HandlerContext,
): Promise<HandlerOutcome> {
  let wrote = false;
  const upserts = toOscarReferralUpserts(event.data, deps.tables);
  const permanent: { code: string; message: string }[] = [];
  let transient: Error | undefined;
  const createdAt = new Map(
    event.data.services.map((s) => [s.primeroReferralId, s.primeroReferralCreatedAt]),
  );
  for (const upsert of upserts) {
    if (!isOurs(createdAt.get(upsert.key) ?? null, deps.referralsCreatedSince)) continue;
    if (!upsert.ok) {
      permanent.push({ code: upsert.error.code, message: upsert.error.message });
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
    if (sent?.state === 'sending') {
      // An earlier attempt stopped between the upsert and its answer: OSCaR may already hold this pending
      // referral, and it cannot be asked (pending referrals are invisible to its API). Sending again may
      // duplicate it; not sending may lose it. Send, and record it for the NGO to check.
      await recordAmbiguousSend(deps.db, record);
      ctx.logger.warn(
        { referralKey: upsert.key, organization: record.organization },
        'referral sent again after an interrupted send: OSCaR may now hold it twice (listed in ambiguous_sends)',
      );
    }
    await saveSentReferral(deps.db, { ...record, state: 'sending', sent_with_global_id: globalId });
    try {
      await deps.oscar.upsertClient(upsert.body.organization, { signal: ctx.signal });
    } catch (error) {
      if (!mayHaveBeenSaved(error))
        await recordAfterEffect(() => restoreSentReferral(deps.db, upsert.key, sent), ctx.signal);
      if (globalId === null && recordWasFound(error)) {
        await saveSentReferral(deps.db, {
          ...record,
          state: 'awaiting_global_id',
          sent_with_global_id: null,
        });
        ctx.logger.info({ referralKey: upsert.key }, 'referral waits for the OSCaR global_id of its case');
        continue;
      }
      const failure = describeFailure(error);
      if (failure.infrastructure) throw error;
      ctx.logger.warn(
        { referralKey: upsert.key, code: failure.code, retryable: failure.retryable },
        "referral not sent; the case's other referrals go on",
      );
      if (failure.retryable) transient ??= error instanceof Error ? error : new Error(failure.message);
      else
        permanent.push({
          code: failure.code,
          message: `Primero case ${record.case_id || '(no case_id)'} referral ${upsert.key}: ${failure.message}`,
        });
      continue;
    }
    await recordAfterEffect(
      () => saveSentReferral(deps.db, { ...record, state: 'sent', sent_with_global_id: globalId }),
      ctx.signal,
    );
    ctx.logger.info({ referralKey: upsert.key, organization: record.organization }, 'referral sent to OSCaR');
    wrote = true;
  }

  const link = toOscarLinkItem(event.data);
  if (link) {
    const known = await findLink(deps.db, link.global_id);
    if (!known || known.case_id !== link.external_id || known.case_id_display !== link.external_id_display) {
      await deps.oscar.updateLinks([link], { signal: ctx.signal });
      await recordAfterEffect(
        () =>
          saveLink(deps.db, {
            global_id: link.global_id,
            case_id: link.external_id,
            case_id_display: link.external_id_display,
          }),
        ctx.signal,
      );
      ctx.logger.info({ globalId: link.global_id, caseId: link.external_id }, 'link sent to OSCaR');
      wrote = true;
    }
  }

  // Everything that could go out went out; what is left decides the event's fate.
  if (transient) throw transient;
  if (permanent.length > 0) {
    const codes = [...new Set(permanent.map((p) => p.code))];
    throw new PermanentError(
      codes.length === 1 ? (codes[0] ?? 'MAPPING') : 'REFERRALS_REFUSED',
      permanent.map((p) => p.message).join('; '),
    );
  }
  return wrote ? 'applied' : 'skipped';
}
