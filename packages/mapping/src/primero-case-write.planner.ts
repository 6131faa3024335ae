import type { CaseChangedData, CaseService } from '@pos/contracts';

import type { MappingErrorCode } from './mapping-errors.ts';
import { MappingError } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import { ownerFor } from './owner.policy.ts';
import { primeroOption } from './primero-options.ts';
import type { PrimeroCase, PrimeroServiceRow } from './primero-records.schema.ts';
import { PrimeroCase as PrimeroCaseSchema } from './primero-records.schema.ts';
import type { PrimeroData, PrimeroRowData } from './record-diff.ts';
import { diffCase, withoutEmpty } from './record-diff.ts';
import { idOf, parseRecord } from './record-parse.ts';
import {
  calcAge,
  cleanDateOfBirth,
  displayName,
  genderToPrimero,
  inboundLocation,
  isIsoDate,
  primeroServiceStatusOf,
  riskLevelToPrimero,
  serviceDateTime,
  text,
} from './transforms.ts';
import { uuidv5 as defaultUuidv5 } from './uuid-v5.ts';

export interface PlanPrimeroCaseWriteInput {
  /** An `oscar.case.changed` event's data (the fingerprint is not read). */
  event: CaseChangedData | Omit<CaseChangedData, 'fingerprint'>;
  /**
   * The Primero case found for it (by `case_id` = OSCaR `external_id`, else by `oscar_number`), exactly as
   * `GET /api/v2/cases` returns it (validated here against `PrimeroCase`), or null when none exists.
   */
  existing: unknown;
  tables: MappingTables;
  /** Today, for the age computed on create. */
  today: Date;
  /** Name → lowercase UUID for service-row ids; defaults to UUIDv5 in `serviceRowNamespace`. */
  uuidv5?: (name: string) => string;
}

export type PrimeroCaseWritePlan =
  /** `POST /api/v2/cases` with `{ data }`. */
  | { kind: 'create'; data: PrimeroData }
  /** `PATCH /api/v2/cases/{recordId}` with `{ data }`; skip the call when `data` is `{}`. */
  | { kind: 'update'; recordId: string; data: PrimeroData }
  | { kind: 'error'; reason: MappingErrorCode; field: string; error: MappingError };

function planError(error: MappingError): PrimeroCaseWritePlan {
  return { kind: 'error', reason: error.code, field: error.field, error };
}

/**
 * Deterministic Primero `unique_id` of the row for one OSCaR service, from the OSCaR identity: a referral
 * row is keyed by client, referral id and service; an enrolment row by client, program and service. Two
 * referrals for the same kind of service get two rows; the same input always gives the same id.
 *
 * @example serviceRowName('01H…', service) // 'oscar:01H…:referral:2214:1a1accbd-…:Kinship care'
 */
export function serviceRowName(globalId: string, service: CaseService): string {
  const scope =
    service.direction === 'oscar_enrolment'
      ? `enrolment:${service.programName ?? ''}`
      : `referral:${service.oscarReferralId ?? ''}`;
  return `oscar:${globalId}:${scope}:${service.sourceServiceId ?? ''}:${service.oscarServiceName ?? ''}`;
}

/**
 * Legacy rows used the OSCaR catalogue uuid as `unique_id`. Such a row is adopted (its id reused) by the
 * one event service that clearly owns it, so the first sync after cut-over merges instead of appending.
 */
function adoptLegacyRow(
  service: CaseService,
  services: readonly CaseService[],
  existingRows: readonly PrimeroServiceRow[],
): string | null {
  const uuid = service.sourceServiceId;
  if (uuid === null) return null;
  const owns = (s: CaseService, row: PrimeroServiceRow): boolean => {
    if (s.sourceServiceId !== row.unique_id) return false;
    if (s.direction === 'oscar_enrolment') return row.service_response_type === primeroOption.enrolment;
    return (
      row.service_response_type === primeroOption.referralFromOscar &&
      s.oscarReferralId !== null &&
      text(row.oscar_referral_id_a4ac8a5) === String(s.oscarReferralId)
    );
  };
  const rows = existingRows.filter((row) => owns(service, row));
  if (rows.length !== 1 || rows[0] === undefined) return null;
  const row = rows[0];
  const claimants = services.filter((s) => owns(s, row));
  return claimants.length === 1 ? (text(row.unique_id) ?? null) : null;
}

function desiredRows(
  event: PlanPrimeroCaseWriteInput['event'],
  globalId: string,
  existingRows: readonly PrimeroServiceRow[],
  tables: MappingTables,
  uuid: (name: string) => string,
): PrimeroRowData[] {
  const inbound = event.services.filter(
    (s) => s.direction === 'oscar_to_primero' || s.direction === 'oscar_enrolment',
  );
  const rows: PrimeroRowData[] = [];
  for (const service of inbound) {
    const deterministic = uuid(serviceRowName(globalId, service));
    const uniqueId = existingRows.some((row) => row.unique_id === deterministic)
      ? deterministic
      : (adoptLegacyRow(service, inbound, existingRows) ?? deterministic);
    if (rows.some((row) => row.unique_id === uniqueId)) continue;
    const current = existingRows.find((row) => row.unique_id === uniqueId);
    const isReferral = service.direction === 'oscar_to_primero';
    const name = service.oscarServiceName;
    const mapped = name === null ? undefined : tables.servicesInbound.get(name);
    const oscarStatus =
      service.referralState === 'accepted' || service.referralState === 'rejected'
        ? primeroServiceStatusOf(service.referralState)
        : undefined;
    // A new row, or an existing one without a status (the legacy Pending pass read one page only), gets
    // OSCaR's decision, else Pending for a referral; a status already there is never overwritten.
    const unset = current === undefined || text(current.referral_status_edf41f2) === null;
    const status = unset ? (oscarStatus ?? (isReferral ? primeroOption.pending : undefined)) : undefined;
    rows.push({
      unique_id: uniqueId,
      service_response_type: isReferral ? primeroOption.referralFromOscar : primeroOption.enrolment,
      service_type: mapped?.primeroServiceType ?? primeroOption.otherServiceType,
      service_subtype: mapped === undefined ? undefined : [mapped.primeroSubtype],
      service_type_text: mapped?.primeroServiceType,
      service_type_details_text: mapped === undefined ? (name ?? undefined) : primeroOption.mappedDetailsText,
      service_response_day_time:
        service.enrolmentDate === null ? undefined : serviceDateTime(service.enrolmentDate),
      referral_notes_from_oscar_2e787b8:
        isReferral && current === undefined ? (event.reasonForReferral ?? undefined) : undefined,
      service_referral_notes: service.reason ?? undefined,
      oscar_case_worker_name: event.caseWorker?.name ?? undefined,
      oscar_case_worker_telephone: event.caseWorker?.phone ?? undefined,
      oscar_referring_organization: service.agency ?? undefined,
      service_implementing_agency: service.agency ?? undefined,
      oscar_referral_id_a4ac8a5:
        service.oscarReferralId === null ? undefined : String(service.oscarReferralId),
      referral_status_edf41f2: status,
    });
  }
  return rows;
}

function conflict(globalId: string, field: string, detail: string): PrimeroCaseWritePlan {
  return planError(
    new MappingError({
      code: 'IDENTITY_CONFLICT',
      recordKind: 'OSCaR client',
      recordId: globalId,
      field,
      detail,
    }),
  );
}

/**
 * Plans the Primero write for an OSCaR client (legacy f2-j2 `buildCaseRecord` + f2-j3, intended
 * behaviour): create when `existing` is null, else a diff against the existing case (an unchanged client
 * gives an empty `data`, so no PATCH).
 *
 * - Always (when changed): `oscar_number`, `case_id`, `case_id_display`, `oscar_short_id`,
 *   `mosvy_number`, `oscar_status`, consent flags (true), `module_id`, service rows, and `risk_level` for
 *   referred clients (`level_of_risk`; `no_action` on create when OSCaR has none, omitted on update).
 * - Create only: names (`"<local> (<given>)"`), `sex`, `age`, `date_of_birth` (cleaned; omitted when not a
 *   real past date), `location_current` (no leading zeros), and for referred clients
 *   `protection_status: oscar_referral` and `interview_subject: other`.
 * - Owner: see `ownerFor` (docs/legacy-integration.md §5.3).
 * - Service rows: one per OSCaR referral service (`referral_from_oscar`) or program service
 *   (`service_being_provided_by_oscar_partner_47618`), with a deterministic `unique_id`
 *   (`serviceRowName`); services MoSVY itself referred (`primero_to_oscar`) are decisions, not rows. New
 *   referral rows, and existing ones without a status, get `referral_status_edf41f2: pending_310366`
 *   unless OSCaR already shows a decision; an existing row's status is never overwritten. Unmapped OSCaR
 *   names (`Not Specified`, `Literacy Support`) become `service_type: other`, no subtype, the name in
 *   `service_type_details_text`.
 * - Never: null values (a blank OSCaR value does not clear Primero data).
 *
 * Identity: a different `case_id` or `oscar_number` on the existing case is an `IDENTITY_CONFLICT`; a
 * linked client (`origin: primero`) whose case is missing is `LINKED_CASE_NOT_FOUND` (no duplicate case).
 */
export function planPrimeroCaseWrite(input: PlanPrimeroCaseWriteInput): PrimeroCaseWritePlan {
  const { event, tables, today } = input;
  const uuid = input.uuidv5 ?? ((name: string) => defaultUuidv5(name));
  const globalId = event.ids.oscarGlobalId;
  if (globalId === null) {
    return planError(
      new MappingError({
        code: 'MISSING_KEY',
        recordKind: 'OSCaR client',
        recordId: event.ids.caseId,
        field: 'global_id',
        detail:
          'the event has no OSCaR global_id — only OSCaR-sourced CaseChanged events can be written to Primero',
      }),
    );
  }

  let existing: PrimeroCase | null = null;
  if (input.existing !== null && input.existing !== undefined) {
    const parsed = parseRecord(
      PrimeroCaseSchema,
      input.existing,
      'Primero case',
      idOf(input.existing, 'case_id', 'id'),
    );
    if (!parsed.ok) return planError(parsed.error);
    existing = parsed.value;
    const existingCaseId = text(existing.case_id);
    if (existingCaseId !== null && event.ids.caseId !== null && existingCaseId !== event.ids.caseId) {
      return conflict(
        globalId,
        'external_id',
        `OSCaR links the client to Primero case ${event.ids.caseId} but the case found has case_id ${existingCaseId} — fix the link in OSCaR or Primero`,
      );
    }
    const existingGlobalId = text(existing.oscar_number);
    if (existingGlobalId !== null && existingGlobalId !== globalId) {
      return conflict(
        globalId,
        'global_id',
        `the Primero case found (case_id ${existingCaseId ?? '(none)'}) has oscar_number ${existingGlobalId} — two OSCaR clients claim one Primero case; fix the link`,
      );
    }
  } else if (event.origin === 'primero') {
    return planError(
      new MappingError({
        code: 'LINKED_CASE_NOT_FOUND',
        recordKind: 'OSCaR client',
        recordId: globalId,
        field: 'external_id',
        detail: `OSCaR links the client to Primero case ${event.ids.caseId ?? '(none)'} but Primero has no such case — check the link; no duplicate case is created`,
      }),
    );
  }

  const isCreate = existing === null;
  const isReferred = event.isReferred === true;

  const owner = ownerFor(event, isCreate, tables);
  if (!owner.ok) return planError(owner.error);
  const risk = isReferred
    ? riskLevelToPrimero(event.riskLevel, tables, isCreate ? primeroOption.defaultRiskLevel : undefined)
    : ({ ok: true, value: undefined } as const);
  if (!risk.ok) {
    return planError(
      new MappingError({
        code: 'UNKNOWN_RISK_LEVEL',
        recordKind: 'OSCaR client',
        recordId: globalId,
        field: 'level_of_risk',
        detail: risk.detail,
      }),
    );
  }

  const dob = cleanDateOfBirth(event.person.dateOfBirth);
  const todayText = today.toISOString().slice(0, 10);
  const validDob = isIsoDate(dob) && dob <= todayText ? dob : null;
  const onCreate = <T>(value: T): T | undefined => (isCreate ? value : undefined);

  const desired: PrimeroData & { services_section: PrimeroRowData[] } = {
    oscar_number: globalId,
    case_id: event.ids.caseId,
    case_id_display: event.ids.caseIdDisplay,
    oscar_short_id: event.ids.oscarSlug,
    mosvy_number: event.ids.mosvyNumber,
    name_first: onCreate(displayName(event.person.localGivenName, event.person.givenName)),
    name_last: onCreate(displayName(event.person.localFamilyName, event.person.familyName)),
    sex: onCreate(genderToPrimero(event.person.sex, tables)),
    age: onCreate(calcAge(validDob, today)),
    date_of_birth: onCreate(validDob),
    location_current: onCreate(inboundLocation(event.locationCode)),
    oscar_status: event.oscarStatus,
    protection_status: isCreate && isReferred ? primeroOption.protectionStatus : undefined,
    owned_by: owner.value,
    consent_for_services: true,
    disclosure_other_orgs: true,
    risk_level: risk.value,
    interview_subject: isCreate && isReferred ? primeroOption.interviewSubject : undefined,
    module_id: primeroOption.moduleId,
    services_section: desiredRows(event, globalId, existing?.services_section ?? [], tables, uuid),
  };

  if (existing === null) {
    const { services_section: rows, ...fields } = desired;
    const data: PrimeroData = withoutEmpty(fields);
    if (rows.length > 0) data.services_section = rows.map((row) => withoutEmpty(row));
    return { kind: 'create', data };
  }
  return {
    kind: 'update',
    recordId: existing.id,
    data: diffCase(desired, input.existing as Record<string, unknown>),
  };
}
