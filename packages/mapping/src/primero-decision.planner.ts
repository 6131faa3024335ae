import type { ReferralDecisionData } from '@pos/contracts';

import type { MappingErrorCode } from './mapping-errors.ts';
import { MappingError } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import { oscarReferralIdOf } from './primero-case.mapper.ts';
import { oscarValue, primeroOption } from './primero-options.ts';
import type { PrimeroReferral, PrimeroServiceRow } from './primero-records.schema.ts';
import {
  PrimeroCase as PrimeroCaseSchema,
  PrimeroReferral as PrimeroReferralSchema,
} from './primero-records.schema.ts';
import type { PrimeroData } from './record-diff.ts';
import { diffCase } from './record-diff.ts';
import { idOf, parseRecord } from './record-parse.ts';
import {
  agencyIdOf,
  firstSubtype,
  outboundServiceName,
  primeroReferralStatusOf,
  primeroServiceStatusOf,
  text,
} from './transforms.ts';

export interface PlanPrimeroDecisionInput {
  /** An `oscar.referral.decided` event's data. */
  decision: ReferralDecisionData;
  /** The Primero case (`GET /api/v2/cases?case_id=…`), validated here against `PrimeroCase`. */
  existing: unknown;
  /** Its referral records (`GET /api/v2/cases/{id}/referrals`). */
  referrals: readonly unknown[];
  tables: MappingTables;
}

/** Which rule found the Primero service (legacy f2-j2 order). */
export type DecisionMatchRule = 'service_id' | 'referral_id' | 'subtype' | 'blank_subtype';

export type PrimeroDecisionPlan =
  | {
      kind: 'apply';
      /** `unique_id` of the Primero service row the decision is about. */
      serviceId: string;
      matchedBy: DecisionMatchRule;
      /**
       * `PATCH /api/v2/cases/{recordId}/referrals/{referralId}` with `{ data }`; null when the service has no
       * in-progress referral (already decided, or not visible to the API user).
       */
      referralPatch: {
        recordId: string;
        referralId: string;
        data: { status: string; record_type: 'case' };
      } | null;
      /** `PATCH /api/v2/cases/{recordId}` with `{ data }`; null when the case already shows the decision. */
      casePatch: PrimeroData | null;
    }
  | NoMatch
  | { kind: 'error'; reason: MappingErrorCode; field: string; error: MappingError };

/**
 * The decision cannot be placed on exactly one Primero referral: dead-letter it with `reason` (ids and
 * service names only), fix the data in Primero, replay.
 */
export interface NoMatch {
  kind: 'no-match';
  code: 'NO_MATCHING_REFERRAL' | 'AMBIGUOUS_REFERRAL';
  reason: string;
}

type Match = { row: PrimeroServiceRow & { unique_id: string }; rule: DecisionMatchRule };
type MatchOutcome = Match | NoMatch;

function isPendingOrBlank(status: string | null | undefined): boolean {
  const value = text(status);
  return value === null || value === primeroOption.pending;
}

function describeDecision(decision: ReferralDecisionData): string {
  const r = decision.referral;
  const kind = r.oscarServiceName ?? r.primeroSubtype ?? '(no service)';
  return `OSCaR referral ${r.oscarReferralId ?? '(no id)'} of client ${r.oscarGlobalId ?? '(no id)'} for "${kind}"`;
}

/**
 * Finds the Primero `referral_to_oscar` service a decision is about. Rules, in order; each rule either
 * finds exactly one row, or is ambiguous (never guess: no match), or passes to the next:
 *
 * 0. the Primero row id, when the decision carries it;
 * 1. (a) `oscar_referral_id_a4ac8a5` equal to the OSCaR referral id — two missing ids never match;
 * 2. (b) among undecided rows (pending or blank status, no OSCaR referral id yet): the same first subtype
 *    (Primero-native decisions) or a subtype whose outbound name is the OSCaR service name — this also
 *    matches the round-trip asymmetries (`disability_support_therapeutic_*` comes back as the
 *    `mental_health_support_*` name);
 * 3. (c) for `Not Specified`: among undecided rows, those whose subtype is missing, `[]`, `['']` or
 *    unmapped (they were sent as `Not Specified`).
 *
 * Rows of another NGO (`service_implementing_agency` ≠ `agency-<deciding organisation>`) never match.
 */
export function matchDecisionService(
  decision: ReferralDecisionData,
  rows: readonly PrimeroServiceRow[],
  tables: MappingTables,
): MatchOutcome {
  const r = decision.referral;
  const organization = text(decision.decidedBy.organization);
  const candidates = rows.filter(
    (row): row is PrimeroServiceRow & { unique_id: string } =>
      row.service_response_type === primeroOption.referralToOscar &&
      text(row.unique_id) !== null &&
      (organization === null ||
        text(row.service_implementing_agency) === null ||
        row.service_implementing_agency === agencyIdOf(organization)),
  );
  const pick = (hits: typeof candidates, rule: DecisionMatchRule): MatchOutcome | null => {
    if (hits.length === 0) return null;
    const [only] = hits;
    if (hits.length === 1 && only !== undefined) return { row: only, rule };
    return {
      kind: 'no-match',
      code: 'AMBIGUOUS_REFERRAL',
      reason: `${hits.length} Primero services of case ${r.caseId ?? '(no id)'} fit ${describeDecision(decision)} (rule ${rule}: ${hits.map((h) => h.unique_id).join(', ')}) — set oscar_referral_id_a4ac8a5 on the right one in Primero and replay`,
    };
  };

  const byServiceId =
    r.primeroServiceId === null ? [] : candidates.filter((row) => row.unique_id === r.primeroServiceId);
  const byReferralId =
    r.oscarReferralId === null
      ? []
      : candidates.filter((row) => oscarReferralIdOf(row.oscar_referral_id_a4ac8a5) === r.oscarReferralId);
  const undecided = candidates.filter(
    (row) => isPendingOrBlank(row.referral_status_edf41f2) && text(row.oscar_referral_id_a4ac8a5) === null,
  );
  const bySubtype = undecided.filter((row) => {
    const subtype = firstSubtype(row.service_subtype);
    if (subtype === null) return false;
    if (r.primeroSubtype !== null) return subtype === r.primeroSubtype;
    const name = tables.servicesOutbound.get(subtype);
    return name !== undefined && r.oscarServiceName !== null && name === r.oscarServiceName;
  });
  const byBlankSubtype =
    r.oscarServiceName === oscarValue.notSpecified
      ? undecided.filter(
          (row) => outboundServiceName(firstSubtype(row.service_subtype), tables) === oscarValue.notSpecified,
        )
      : [];

  return (
    pick(byServiceId, 'service_id') ??
    pick(byReferralId, 'referral_id') ??
    pick(bySubtype, 'subtype') ??
    pick(byBlankSubtype, 'blank_subtype') ?? {
      kind: 'no-match',
      code: 'NO_MATCHING_REFERRAL',
      reason: `no matching Primero referral: case ${r.caseId ?? '(no id)'} has no referral_to_oscar service for ${describeDecision(decision)} (by OSCaR referral id, then pending services of the same kind) — check the referral in Primero, then replay`,
    }
  );
}

function planError(error: MappingError): PrimeroDecisionPlan {
  return { kind: 'error', reason: error.code, field: error.field, error };
}

/**
 * Plans how an NGO's decision on a MoSVY referral is written to Primero (legacy f2-j2 decisions path,
 * intended behaviour): match the service (`matchDecisionService`), then
 *
 * - `referralPatch`: the in-progress Primero referral record of that service → `{status: accepted|rejected,
 *   record_type: 'case'}` (legacy omitted `record_type` by mistake);
 * - `casePatch`: the service row's `referral_status_edf41f2` and `oscar_referral_id_a4ac8a5`, and the
 *   case's `oscar_number`, `oscar_short_id`, `oscar_status`, `mosvy_number` — only what changes.
 *
 * Idempotent: replaying an applied decision gives null patches.
 */
export function planPrimeroDecision(input: PlanPrimeroDecisionInput): PrimeroDecisionPlan {
  const { decision, tables } = input;
  const r = decision.referral;
  const parsed = parseRecord(
    PrimeroCaseSchema,
    input.existing,
    'Primero case',
    idOf(input.existing, 'case_id', 'id'),
  );
  if (!parsed.ok) return planError(parsed.error);
  const existing = parsed.value;
  const caseId = text(existing.case_id);

  const referrals: PrimeroReferral[] = [];
  for (const [index, raw] of input.referrals.entries()) {
    const referral = parseRecord(
      PrimeroReferralSchema,
      raw,
      'Primero case',
      caseId ?? existing.id,
      `referrals.${index}`,
    );
    if (!referral.ok) return planError(referral.error);
    referrals.push(referral.value);
  }

  if (r.caseId !== null && caseId !== null && r.caseId !== caseId) {
    return planError(
      new MappingError({
        code: 'IDENTITY_CONFLICT',
        recordKind: 'ReferralDecision',
        recordId: r.oscarGlobalId,
        field: 'external_id',
        detail: `the decision is for Primero case ${r.caseId} but the case given has case_id ${caseId}`,
      }),
    );
  }
  const existingGlobalId = text(existing.oscar_number);
  if (existingGlobalId !== null && r.oscarGlobalId !== null && existingGlobalId !== r.oscarGlobalId) {
    return planError(
      new MappingError({
        code: 'IDENTITY_CONFLICT',
        recordKind: 'ReferralDecision',
        recordId: r.oscarGlobalId,
        field: 'global_id',
        detail: `Primero case ${caseId ?? existing.id} is linked to OSCaR client ${existingGlobalId}, not to the deciding client — fix the link`,
      }),
    );
  }

  const match = matchDecisionService(decision, existing.services_section ?? [], tables);
  if ('kind' in match) return match;
  const serviceStatus = primeroServiceStatusOf(decision.decision);

  const inProgress = referrals.filter(
    (referral) =>
      referral.type === 'Referral' &&
      referral.status === 'in_progress' &&
      referral.service_record_id === match.row.unique_id,
  );
  if (inProgress.length > 1) {
    return {
      kind: 'no-match',
      code: 'AMBIGUOUS_REFERRAL',
      reason: `Primero service ${match.row.unique_id} of case ${caseId ?? existing.id} has ${inProgress.length} in-progress referrals (${inProgress.map((x) => x.id).join(', ')}) — close the extra ones in Primero and replay`,
    };
  }
  const [referral] = inProgress;
  const referralPatch =
    referral === undefined
      ? null
      : {
          recordId: text(referral.record_id) ?? existing.id,
          referralId: referral.id,
          data: {
            status: primeroReferralStatusOf(serviceStatus, tables) ?? decision.decision,
            record_type: 'case' as const,
          },
        };

  const desired = {
    oscar_number: r.oscarGlobalId,
    oscar_short_id: decision.oscarSlug,
    oscar_status: decision.oscarStatus,
    mosvy_number: decision.mosvyNumber,
    services_section: [
      {
        unique_id: match.row.unique_id,
        referral_status_edf41f2: serviceStatus,
        oscar_referral_id_a4ac8a5: r.oscarReferralId === null ? undefined : String(r.oscarReferralId),
      },
    ],
  };
  const patch = diffCase(desired, input.existing as Record<string, unknown>);
  return {
    kind: 'apply',
    serviceId: match.row.unique_id,
    matchedBy: match.rule,
    referralPatch,
    casePatch: Object.keys(patch).length === 0 ? null : patch,
  };
}
