import type { CaseChangedData, CaseService, ReferralDecisionData } from '@pos/contracts';
import {
  CaseChangedData as CaseChangedDataSchema,
  ReferralDecisionData as DecisionSchema,
} from '@pos/contracts';

import { checkEvent } from './event-check.ts';
import type { MappingErrorCode } from './mapping-errors.ts';
import { MappingError } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import { primeroOption } from './primero-options.ts';
import type { PrimeroCase, PrimeroReferral, PrimeroServiceRow } from './primero-records.schema.ts';
import {
  PrimeroCase as PrimeroCaseSchema,
  PrimeroReferral as PrimeroReferralSchema,
} from './primero-records.schema.ts';
import { idOf, isIdLike, parseRecord } from './record-parse.ts';
import { dateToOscar, firstSubtype, isIsoDate, referralStateOfPrimero, text } from './transforms.ts';

/** A `CaseChangedData` before the poller adds its fingerprint. */
export type CaseChangedContent = Omit<CaseChangedData, 'fingerprint'>;

/** The events of one upstream record. */
export interface RecordEvents<C extends CaseChangedContent | null> {
  /** Ordering key: `primero:<case_id>` or `oscar:<global_id>`. */
  subject: string;
  /** The case as the source shows it; null when nothing about the record is meant for the other system. */
  caseChanged: C;
  decisions: ReferralDecisionData[];
}

/** Why a record cannot be mapped: permanent, dead-letter it. The message names record id and field only. */
export interface MappingFailure {
  ok: false;
  recordId: string | null;
  reason: MappingErrorCode;
  error: MappingError;
}

/** `primeroCaseToEvents` outcome: `caseChanged` is null for a case with nothing to share. */
export type PrimeroCaseEvents = { ok: true; value: RecordEvents<CaseChangedContent | null> } | MappingFailure;

/** `oscarClientToEvents` outcome: every shared OSCaR client gives a `caseChanged`. */
export type OscarClientEvents = { ok: true; value: RecordEvents<CaseChangedContent> } | MappingFailure;

export function failed(error: MappingError): MappingFailure {
  return { ok: false, recordId: error.recordId, reason: error.code, error };
}

const CaseChangedContentSchema = CaseChangedDataSchema.omit({ fingerprint: true });

/** OSCaR referral id of a service row (`"8812"` → 8812); anything but a positive integer → null. */
export function oscarReferralIdOf(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

function outboundService(row: PrimeroServiceRow, referral: PrimeroReferral): CaseService {
  return {
    direction: 'primero_to_oscar',
    sourceServiceId: text(row.unique_id),
    primeroServiceType: text(row.service_type),
    primeroSubtype: firstSubtype(row.service_subtype),
    oscarServiceName: null,
    agency: text(row.service_implementing_agency),
    primeroReferralId: referral.id,
    primeroReferralStatus: text(referral.status),
    primeroReferralCreatedAt: text(referral.created_at),
    oscarReferralId: oscarReferralIdOf(row.oscar_referral_id_a4ac8a5),
    referralState: referralStateOfPrimero(row.referral_status_edf41f2),
    reason: text(referral.notes),
    enrolmentDate: null,
    programName: null,
  };
}

function decisionOf(c: PrimeroCase, row: PrimeroServiceRow): ReferralDecisionData | null {
  if (row.service_response_type !== primeroOption.referralFromOscar) return null;
  const state = referralStateOfPrimero(row.referral_status_edf41f2);
  const oscarReferralId = oscarReferralIdOf(row.oscar_referral_id_a4ac8a5);
  if ((state !== 'accepted' && state !== 'rejected') || oscarReferralId === null) return null;
  return {
    referral: {
      caseId: text(c.case_id),
      caseIdDisplay: text(c.case_id_display),
      primeroRecordId: c.id,
      primeroReferralId: null,
      primeroServiceId: text(row.unique_id),
      oscarGlobalId: text(c.oscar_number),
      oscarReferralId,
      primeroSubtype: firstSubtype(row.service_subtype),
      oscarServiceName: null,
    },
    decision: state,
    decidedBy: {
      system: 'primero',
      organization: text(c.owned_by_agency_id ?? c.owned_by_agency),
      user: null,
    },
    // Primero keeps no time for a service-row decision; the case's last save is the closest upper bound.
    decidedAt: text(c.last_updated_at) ?? '',
    oscarStatus: null,
    oscarSlug: text(c.oscar_short_id),
    mosvyNumber: text(c.mosvy_number),
  };
}

/**
 * Maps one Primero case and its referral records to canonical events (legacy f1-j1/f1-j2, intended
 * behaviour).
 *
 * - `caseChanged` carries one `primero_to_oscar` service per Primero referral (transition `type: Referral`)
 *   with `status: in_progress` on a `services_section` row whose `service_response_type` is
 *   `referral_to_oscar` (1 service = 1 referral). Referrals on other rows (internal Primero referrals) are
 *   ignored. With at least one such referral the event carries the person; a case that is only linked to
 *   OSCaR (`oscar_number` set) carries ids only (data minimisation). Neither → `caseChanged: null`.
 * - `decisions`: one per `referral_from_oscar` row whose `referral_status_edf41f2` is accepted or rejected
 *   and whose `oscar_referral_id_a4ac8a5` is a positive integer. `decidedAt` is the case's
 *   `last_updated_at` (Primero records no time for the decision itself).
 *
 * The event keeps Primero's own codes (subtypes, agency ids); the oscar-writer applies the tables, so
 * `tables` is unused today and kept for symmetry with `oscarClientToEvents`.
 *
 * @example
 * const out = primeroCaseToEvents({ case: caseJson, referrals: referralsJson }, tables);
 * if (!out.ok) deadLetter(out.error.message); // names the case id and field, never a value
 * else publish(out.value.subject, out.value.caseChanged, out.value.decisions);
 */
export function primeroCaseToEvents(
  input: { case: unknown; referrals: readonly unknown[] },
  _tables: MappingTables,
): PrimeroCaseEvents {
  const parsed = parseRecord(
    PrimeroCaseSchema,
    input.case,
    'Primero case',
    idOf(input.case, 'case_id', 'id'),
  );
  if (!parsed.ok) return failed(parsed.error);
  const c = parsed.value;
  const caseId = text(c.case_id);
  if (caseId === null) {
    return failed(
      new MappingError({
        code: 'MISSING_KEY',
        recordKind: 'Primero case',
        recordId: idOf(c, 'id'),
        field: 'case_id',
        detail: 'the case has no case_id — Primero always sets one; check that the API user may read it',
      }),
    );
  }
  if (!isIdLike(caseId)) {
    return failed(
      new MappingError({
        code: 'INVALID_RECORD',
        recordKind: 'Primero case',
        recordId: idOf(c, 'id'),
        field: 'case_id',
        detail: 'is not a Primero case id (Primero sets a UUID) — restore the case_id in Primero',
      }),
    );
  }
  const oscarNumber = text(c.oscar_number);
  if (oscarNumber !== null && !isIdLike(oscarNumber)) {
    return failed(
      new MappingError({
        code: 'INVALID_RECORD',
        recordKind: 'Primero case',
        recordId: caseId,
        field: 'oscar_number',
        detail: 'is not an OSCaR global id (OSCaR makes 26-character ULIDs) — correct or clear it in Primero',
      }),
    );
  }

  const referrals: PrimeroReferral[] = [];
  for (const [index, raw] of input.referrals.entries()) {
    const referral = parseRecord(PrimeroReferralSchema, raw, 'Primero case', caseId, `referrals.${index}`);
    if (!referral.ok) return failed(referral.error);
    referrals.push(referral.value);
  }

  const rows = c.services_section ?? [];
  const services: CaseService[] = [];
  for (const referral of referrals) {
    if (referral.type !== 'Referral' || referral.status !== 'in_progress') continue;
    const serviceId = text(referral.service_record_id);
    if (serviceId === null) continue;
    const matches = rows.filter((row) => row.unique_id === serviceId);
    if (matches.length > 1) {
      return failed(
        new MappingError({
          code: 'INVALID_RECORD',
          recordKind: 'Primero case',
          recordId: caseId,
          field: 'services_section.unique_id',
          detail: `${matches.length} service rows share unique_id ${serviceId} — fix the case in Primero`,
        }),
      );
    }
    const row = matches[0];
    if (row?.service_response_type !== primeroOption.referralToOscar) continue;
    services.push(outboundService(row, referral));
  }

  const decisions: ReferralDecisionData[] = [];
  for (const [index, row] of rows.entries()) {
    const decision = decisionOf(c, row);
    if (decision === null) continue;
    const checked = checkEvent(DecisionSchema, decision, 'Primero case', caseId, `decisions.${index}`);
    if (!checked.ok) return failed(checked.error);
    decisions.push(checked.value);
  }

  const subject = `primero:${caseId}`;
  const linked = text(c.oscar_number) !== null;
  if (services.length === 0 && !linked) return { ok: true, value: { subject, caseChanged: null, decisions } };

  const sharesPerson = services.length > 0;
  const dateOfBirth = text(c.date_of_birth);
  // Sent as OSCaR reads it (`/` → `-`, as legacy did); anything else OSCaR would store as no date at all.
  if (sharesPerson && dateOfBirth !== null && !isIsoDate(dateToOscar(dateOfBirth))) {
    return failed(
      new MappingError({
        code: 'INVALID_RECORD',
        recordKind: 'Primero case',
        recordId: caseId,
        field: 'date_of_birth',
        detail:
          'is not a real date written YYYY-MM-DD, and OSCaR would keep no date of birth — correct it in Primero',
      }),
    );
  }
  const content: CaseChangedContent = {
    ids: {
      primeroRecordId: c.id,
      caseId,
      caseIdDisplay: text(c.case_id_display),
      oscarGlobalId: text(c.oscar_number),
      oscarSlug: text(c.oscar_short_id),
      mosvyNumber: text(c.mosvy_number),
    },
    origin: 'primero',
    person: {
      givenName: sharesPerson ? text(c.name_first) : null,
      familyName: sharesPerson ? text(c.name_last) : null,
      localGivenName: null,
      localFamilyName: null,
      sex: sharesPerson ? text(c.sex) : null,
      dateOfBirth: sharesPerson ? dateOfBirth : null,
    },
    locationCode: sharesPerson ? text(c.location_current) : null,
    riskLevel: sharesPerson ? text(c.risk_level) : null,
    organization: sharesPerson ? text(c.owned_by_agency_id ?? c.owned_by_agency) : null,
    organizationAddressCode: null,
    owner: sharesPerson
      ? {
          user: text(c.owned_by),
          userId: text(c.owned_by_id),
          agency: text(c.owned_by_agency_id ?? c.owned_by_agency),
          phone: text(c.owned_by_phone),
        }
      : null,
    caseWorker: null,
    oscarStatus: null,
    isReferred: null,
    referredToMosvy: false,
    consent: {
      forServices: sharesPerson ? (c.consent_for_services ?? null) : null,
      disclosureOtherOrgs: sharesPerson ? (c.disclosure_other_orgs ?? null) : null,
    },
    reasonForReferral: null,
    services,
    sourceUpdatedAt: text(c.last_updated_at),
  };
  const checked = checkEvent(CaseChangedContentSchema, content, 'Primero case', caseId, 'caseChanged');
  if (!checked.ok) return failed(checked.error);
  return { ok: true, value: { subject, caseChanged: checked.value, decisions } };
}
