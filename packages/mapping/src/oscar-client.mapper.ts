import type { CaseService, ReferralDecisionData, ServiceDirection } from '@pos/contracts';
import {
  CaseChangedData as CaseChangedDataSchema,
  ReferralDecisionData as DecisionSchema,
} from '@pos/contracts';

import { canonicalJson } from './canonical-json.ts';
import { checkEvent } from './event-check.ts';
import { MappingError } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import type { OscarClient, OscarClientShape, OscarService } from './oscar-records.schema.ts';
import { OscarClient as OscarClientSchema, oscarClientShape } from './oscar-records.schema.ts';
import type { CaseChangedContent, OscarClientEvents } from './primero-case.mapper.ts';
import { failed, oscarReferralIdOf } from './primero-case.mapper.ts';
import { oscarValue } from './primero-options.ts';
import { idOf, isIdLike, parseRecord } from './record-parse.ts';
import { agencyIdOf, isIsoDate, referralStateOfOscar, text } from './transforms.ts';

const CaseChangedContentSchema = CaseChangedDataSchema.omit({ fingerprint: true });

/**
 * Direction of an OSCaR service (docs/legacy-integration.md §2.5 `service_response_type`): an enrolment date → the NGO
 * provides it (program enrolment); enrolment date strictly `null` on a client linked to Primero
 * (`resource: "primero"`) → a referral MoSVY sent to the NGO, carrying the NGO's decision; anything
 * else → a referral the NGO sent to MoSVY.
 */
export function serviceDirection(
  service: OscarService,
  resource: string | null | undefined,
): ServiceDirection {
  if (text(service.enrollment_date) !== null) return 'oscar_enrolment';
  if (service.enrollment_date === null && resource === oscarValue.primeroResource) return 'primero_to_oscar';
  return 'oscar_to_primero';
}

function serviceOf(client: OscarClient, service: OscarService, tables: MappingTables): CaseService {
  const organization = text(client.organization_name);
  return {
    direction: serviceDirection(service, client.resource),
    sourceServiceId: text(service.uuid),
    primeroServiceType: null,
    primeroSubtype: null,
    oscarServiceName: text(service.name),
    agency: organization === null ? null : agencyIdOf(organization),
    primeroReferralId: null,
    primeroReferralStatus: null,
    primeroReferralCreatedAt: null,
    oscarReferralId: oscarReferralIdOf(service.referral_id),
    referralState: referralStateOfOscar(service.referral_status, tables),
    reason: text(service.reason_for_referral),
    enrolmentDate: text(service.enrollment_date),
    programName: text(service.program_name),
  };
}

function decisionOf(client: OscarClient, service: CaseService, now: Date): ReferralDecisionData | null {
  if (service.direction !== 'primero_to_oscar') return null;
  if (service.referralState !== 'accepted' && service.referralState !== 'rejected') return null;
  return {
    referral: {
      caseId: text(client.external_id),
      caseIdDisplay: text(client.external_id_display),
      primeroRecordId: null,
      primeroReferralId: null,
      // OSCaR returns its catalogue uuid here, not the Primero row id we sent: match by referral id / kind.
      primeroServiceId: null,
      oscarGlobalId: text(client.global_id),
      oscarReferralId: service.oscarReferralId,
      primeroSubtype: null,
      oscarServiceName: service.oscarServiceName,
    },
    decision: service.referralState,
    decidedBy: { system: 'oscar', organization: text(client.organization_name), user: null },
    decidedAt: now.toISOString(),
    oscarStatus: text(client.status),
    oscarSlug: text(client.slug),
    mosvyNumber: text(client.mosvy_number),
  };
}

/** Drops exact duplicates (OSCaR lists "Therapeutic interventions/training" twice for one referral). */
function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = canonicalJson(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A parsed OSCaR client with the serialization it came in. */
export type ParsedOscarClient = OscarClient & { readonly shape: OscarClientShape };

/**
 * Maps one `GET /organizations/clients` item to canonical events (legacy f2-j1/f2-j2, intended behaviour).
 *
 * - `caseChanged`: always (every shared client becomes or updates a Primero case), with every service
 *   as the source shows it; `origin` is `primero` when OSCaR says `resource: "primero"`.
 * - `decisions`: for clients linked to Primero, one per referral service MoSVY sent (enrolment date null)
 *   whose `referral_status` maps to accepted (`Accepted`, `Accetped`, `Active`) or rejected (`Rejected`,
 *   `Exited`). `decidedAt` is the injected `now` (OSCaR publishes no decision time).
 *
 * @example oscarClientToEvents(clientJson, tables, { now: new Date() })
 */
export function oscarClientToEvents(
  client: unknown,
  tables: MappingTables,
  context: { now: Date },
): OscarClientEvents {
  const parsed = parseRecord(OscarClientSchema, client, 'OSCaR client', idOf(client, 'global_id', 'slug'));
  if (!parsed.ok) return failed(parsed.error);
  const c = parsed.value;
  const globalId = text(c.global_id);
  if (globalId === null) {
    return failed(
      new MappingError({
        code: 'MISSING_KEY',
        recordKind: 'OSCaR client',
        recordId: idOf(c, 'slug'),
        field: 'global_id',
        detail: 'the client has no global_id — OSCaR always sets one; the record cannot be identified',
      }),
    );
  }
  const invalid = (field: string, detail: string) =>
    failed(
      new MappingError({
        code: 'INVALID_RECORD',
        recordKind: 'OSCaR client',
        recordId: isIdLike(globalId) ? globalId : idOf(c, 'slug'),
        field,
        detail,
      }),
    );
  if (!isIdLike(globalId)) {
    return invalid(
      'global_id',
      'is not an OSCaR global id (OSCaR makes 26-character ULIDs); the record cannot be identified',
    );
  }
  const externalId = text(c.external_id);
  if (externalId !== null && !isIdLike(externalId)) {
    return invalid('external_id', 'is not a Primero case id (a UUID) — fix the client’s link in OSCaR');
  }
  for (const [index, service] of (c.services ?? []).entries()) {
    const date = text(service.enrollment_date);
    if (date !== null && !isIsoDate(date)) {
      return invalid(
        `services.${index}.enrollment_date`,
        'is not a real date written YYYY-MM-DD — correct the program enrolment in OSCaR',
      );
    }
  }
  const shape = oscarClientShape(client as object);
  const services = unique((c.services ?? []).map((service) => serviceOf(c, service, tables)));

  const decisions: ReferralDecisionData[] = [];
  for (const [index, service] of services.entries()) {
    const decision = decisionOf(c, service, context.now);
    if (decision === null) continue;
    const checked = checkEvent(DecisionSchema, decision, 'OSCaR client', globalId, `decisions.${index}`);
    if (!checked.ok) return failed(checked.error);
    decisions.push(checked.value);
  }

  const content: CaseChangedContent = {
    ids: {
      primeroRecordId: null,
      caseId: externalId,
      caseIdDisplay: text(c.external_id_display),
      oscarGlobalId: globalId,
      oscarSlug: text(c.slug),
      mosvyNumber: text(c.mosvy_number),
    },
    origin: c.resource === oscarValue.primeroResource ? 'primero' : 'oscar',
    person: {
      givenName: text(c.given_name),
      familyName: text(c.family_name),
      localGivenName: text(c.local_given_name),
      localFamilyName: text(c.local_family_name),
      sex: text(c.gender),
      dateOfBirth: text(c.date_of_birth),
    },
    locationCode: text(c.location_current_village_code) ?? text(c.address_current_village_code),
    riskLevel: text(c.level_of_risk),
    organization: text(c.organization_name),
    organizationAddressCode: text(c.organization_address_code),
    owner: null,
    caseWorker: { name: text(c.case_worker_name), phone: text(c.case_worker_mobile) },
    oscarStatus: text(c.status),
    isReferred: c.is_referred ?? null,
    referredToMosvy: shape === 'referred',
    consent: { forServices: null, disclosureOtherOrgs: null },
    reasonForReferral: text(c.reason_for_referral),
    services,
    sourceUpdatedAt: null,
  };
  const checked = checkEvent(CaseChangedContentSchema, content, 'OSCaR client', globalId, 'caseChanged');
  if (!checked.ok) return failed(checked.error);
  return {
    ok: true,
    value: { subject: `oscar:${globalId}`, caseChanged: checked.value, decisions: unique(decisions) },
  };
}

/** Parses one OSCaR client (for callers that need the record itself), with its shape. */
export function parseOscarClient(
  client: unknown,
): { ok: true; value: ParsedOscarClient } | { ok: false; error: MappingError } {
  const parsed = parseRecord(OscarClientSchema, client, 'OSCaR client', idOf(client, 'global_id', 'slug'));
  if (!parsed.ok) return parsed;
  return { ok: true, value: { ...parsed.value, shape: oscarClientShape(client as object) } };
}
