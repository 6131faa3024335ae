import type { CaseChangedData, CaseService, ReferralDecisionData } from '@pos/contracts';

import { isCodeLike, MappingError, quoteCode } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import { oscarValue } from './primero-options.ts';
import type { Result } from './record-parse.ts';
import {
  checkValue,
  dateToOscar,
  genderToOscar,
  organizationOf,
  oscarReferralStatusOf,
  oscarStrings,
  outboundServiceName,
  primeroServiceStatusOf,
  riskLevelToOscar,
  text,
} from './transforms.ts';

type CaseChangedInput = CaseChangedData | Omit<CaseChangedData, 'fingerprint'>;

/** `organization` of `POST /api/v1/organizations/clients/upsert` (docs/legacy-integration.md §2.1; nothing beyond that table). */
export type OscarReferralOrganization = {
  external_id: string;
  external_id_display: string;
  /** Only when the Primero case knows its OSCaR client (second and later referrals). */
  global_id?: string;
  /** Omitted when Primero has no risk level. */
  level_of_risk?: string;
  mosvy_number: string;
  given_name: string;
  family_name: string;
  gender: string;
  date_of_birth: string;
  location_current_village_code: string;
  address_current_village_code: string;
  reason_for_referral: string;
  external_case_worker_name: string;
  external_case_worker_id: string;
  external_case_worker_mobile: string;
  is_referred: true;
  organization_name: string;
  organization_id: string;
  services: [{ uuid: string; name: string }];
};

/** One outbound referral: its stable identity (the Primero referral id) and the upsert body, or why not. */
export type OscarReferralUpsert =
  | { key: string; ok: true; body: { organization: OscarReferralOrganization } }
  | { key: string; ok: false; error: MappingError };

function organizationFor(
  event: CaseChangedInput,
  service: CaseService,
  tables: MappingTables,
): Result<string> {
  const fromService = text(service.agency);
  const source = fromService ?? text(event.owner?.agency);
  const field = fromService !== null ? 'services_section.service_implementing_agency' : 'owned_by_agency_id';
  const organization = organizationOf(source);
  if (organization !== null && tables.agencies.has(organization)) return { ok: true, value: organization };
  const detail =
    source === null
      ? 'the referred service has no implementing agency and the case no owning agency — set service_implementing_agency on the service in Primero'
      : organization === null
        ? `agency ${quoteCode(source)} is not of the form agency-<OSCaR organisation> — set service_implementing_agency to an NGO agency in Primero`
        : `organisation ${quoteCode(organization)}${isCodeLike(source) ? ` (from ${source})` : ''} is not in config/mappings/agencies.csv — add a row for it if it is an OSCaR NGO, or fix service_implementing_agency in Primero`;
  return {
    ok: false,
    error: new MappingError({
      code: organization === null ? 'MISSING_KEY' : 'UNKNOWN_ORGANIZATION',
      recordKind: 'Primero case',
      recordId: event.ids.caseId,
      field,
      detail,
    }),
  };
}

/**
 * One OSCaR upsert per Primero referral that is still in progress (1 service = 1 referral), docs/legacy-integration.md §2.1
 * as intended: `organization_name` from the service's implementing agency (else the case's owning agency)
 * without `agency-`, and it must be an NGO of `agencies.csv` (OSCaR answers 500 for an unknown tenant);
 * the service name through `services-outbound.csv` of the first subtype (`Not Specified` when missing or
 * unmapped); `global_id` only when known; `''` for blanks; `000000000` for a missing phone; location
 * codes padded by `checkValue`; `level_of_risk` through `risk-levels.csv` (omitted when missing);
 * `reason_for_referral` = the notes of this referral (legacy sent the first referral's notes, bug 20).
 * Not sent (OSCaR drops them): `resource`, `transaction_id`, `date_of_referral`.
 *
 * The writer must send each `key` at most once: OSCaR duplicates a re-posted pending referral.
 */
export function toOscarReferralUpserts(
  event: CaseChangedInput,
  tables: MappingTables,
): OscarReferralUpsert[] {
  const referred = event.services.filter(
    (service) => service.direction === 'primero_to_oscar' && service.primeroReferralStatus === 'in_progress',
  );
  return referred.map((service): OscarReferralUpsert => {
    const key = service.primeroReferralId ?? `${event.ids.caseId ?? ''}:${service.sourceServiceId ?? ''}`;
    const organization = organizationFor(event, service, tables);
    if (!organization.ok) return { key, ok: false, error: organization.error };
    const risk = riskLevelToOscar(event.riskLevel, tables);
    if (!risk.ok) {
      return {
        key,
        ok: false,
        error: new MappingError({
          code: 'UNKNOWN_RISK_LEVEL',
          recordKind: 'Primero case',
          recordId: event.ids.caseId,
          field: 'risk_level',
          detail: risk.detail,
        }),
      };
    }
    const location = checkValue(event.locationCode);
    const globalId = text(event.ids.oscarGlobalId);
    const body: OscarReferralOrganization = {
      external_id: oscarStrings(event.ids.caseId),
      external_id_display: oscarStrings(event.ids.caseIdDisplay),
      ...(globalId === null ? {} : { global_id: globalId }),
      ...(risk.value === undefined ? {} : { level_of_risk: risk.value }),
      mosvy_number: oscarStrings(event.ids.mosvyNumber),
      given_name: oscarStrings(event.person.givenName),
      family_name: oscarStrings(event.person.familyName),
      gender: genderToOscar(event.person.sex, tables),
      date_of_birth: dateToOscar(event.person.dateOfBirth),
      location_current_village_code: location,
      address_current_village_code: location,
      reason_for_referral: oscarStrings(service.reason),
      external_case_worker_name: oscarStrings(event.owner?.user),
      external_case_worker_id: oscarStrings(event.owner?.userId),
      external_case_worker_mobile: text(event.owner?.phone) ?? oscarValue.defaultPhone,
      is_referred: true,
      organization_name: organization.value,
      organization_id: oscarStrings(event.organization),
      services: [
        {
          uuid: oscarStrings(service.sourceServiceId),
          name: outboundServiceName(service.primeroSubtype, tables),
        },
      ],
    };
    return { key, ok: true, body: { organization: body } };
  });
}

/** One item of `PUT /api/v1/organizations/referrals/update_statuses/` (docs/legacy-integration.md §2.2). */
export type OscarStatusUpdateItem = {
  external_id: string;
  external_id_display: string;
  client_global_id: string;
  referral_status: string;
  referral_id: number;
};

/**
 * MoSVY's decision on a referral an NGO sent → an `update_statuses` item: accepted → `Accepted`, rejected
 * → `Exited` (`referral-status.csv`, `primero_to_oscar`). A decision without the OSCaR client or referral
 * id cannot be sent (OSCaR would stop the whole batch at it): permanent error.
 */
export function toOscarStatusUpdate(
  decision: ReferralDecisionData,
  tables: MappingTables,
): Result<OscarStatusUpdateItem> {
  const r = decision.referral;
  const missing = (field: string, detail: string): Result<OscarStatusUpdateItem> => ({
    ok: false,
    error: new MappingError({
      code: 'MISSING_KEY',
      recordKind: 'Primero case',
      recordId: r.caseId,
      field,
      detail,
    }),
  });
  const globalId = text(r.oscarGlobalId);
  if (globalId === null) {
    return missing(
      'oscar_number',
      'the case has no oscar_number, so OSCaR cannot find the client — set it in Primero',
    );
  }
  if (r.oscarReferralId === null) {
    return missing(
      'services_section.oscar_referral_id_a4ac8a5',
      `service ${r.primeroServiceId ?? '(no id)'} has no OSCaR referral id — set it in Primero`,
    );
  }
  return {
    ok: true,
    value: {
      external_id: oscarStrings(r.caseId),
      external_id_display: oscarStrings(r.caseIdDisplay),
      client_global_id: globalId,
      referral_status: oscarReferralStatusOf(primeroServiceStatusOf(decision.decision), tables),
      referral_id: r.oscarReferralId,
    },
  };
}

/** One item of `PUT /api/v1/organizations/clients/update_links/` (docs/legacy-integration.md §2.3). */
export type OscarLinkItem = {
  global_id: string;
  external_id: string;
  external_id_display: string;
  is_referred: false;
};

/**
 * The Primero ids of a case linked to an OSCaR client (`oscar_number` set) → an `update_links` item, so
 * OSCaR learns the Primero `case_id`; null when the case is not linked. Idempotent on OSCaR.
 */
export function toOscarLinkItem(event: CaseChangedInput): OscarLinkItem | null {
  const globalId = text(event.ids.oscarGlobalId);
  const caseId = text(event.ids.caseId);
  if (globalId === null || caseId === null) return null;
  return {
    global_id: globalId,
    external_id: caseId,
    external_id_display: oscarStrings(event.ids.caseIdDisplay),
    is_referred: false,
  };
}
