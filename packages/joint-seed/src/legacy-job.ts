import type { MappingTables } from '@pos/mapping';
import {
  calcAge,
  checkValue,
  cleanDateOfBirth,
  displayName,
  oscarStrings,
  outboundServiceName,
  primeroOption,
  provinceCode,
} from '@pos/mapping';

/**
 * The request bodies of the legacy OpenFn V2 job, **as written** (docs/legacy-integration.md §1.5, §1.8,
 * §1.9, §2.1–§2.5), bugs included: the joint seed replays them so that both simulators end up as the job
 * left them. Where a rule of the job is the same as one of this project's mapping core (§2.6: location
 * padding, age, date-of-birth cleaning, names), the core's function is used; everything the job did
 * differently is written out here.
 */

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const asRows = (value: unknown): Json[] => (Array.isArray(value) ? value.map(asRecord) : []);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/**
 * f1-j2: the `{organization: …}` upsert of one referred Primero service (§2.1). `reason_for_referral` is the
 * notes of the case's *first* referral (bug 20); `level_of_risk` is omitted without a risk level.
 */
export function legacyReferralUpsert(
  primeroCase: Json,
  referrals: readonly Json[],
  row: Json,
  tables: MappingTables,
): Json {
  const risk = str(primeroCase.risk_level);
  const subtype = asArray(row.service_subtype)[0];
  const agency = str(row.service_implementing_agency) ?? str(primeroCase.owned_by_agency) ?? '';
  const organization: Json = {
    external_id: oscarStrings(str(primeroCase.case_id)),
    external_id_display: oscarStrings(str(primeroCase.case_id_display)),
    ...(str(primeroCase.oscar_number) ? { global_id: primeroCase.oscar_number } : {}),
    ...(risk ? { level_of_risk: risk === 'no_action' ? 'no action' : risk } : {}),
    mosvy_number: oscarStrings(str(primeroCase.mosvy_number)),
    given_name: oscarStrings(str(primeroCase.name_first)),
    family_name: oscarStrings(str(primeroCase.name_last)),
    gender: oscarStrings(str(primeroCase.sex)),
    date_of_birth: oscarStrings(str(primeroCase.date_of_birth)).replaceAll('/', '-'),
    location_current_village_code: checkValue(str(primeroCase.location_current)),
    address_current_village_code: checkValue(str(primeroCase.location_current)),
    reason_for_referral: oscarStrings(str(referrals[0]?.notes)),
    external_case_worker_name: oscarStrings(str(primeroCase.owned_by)),
    external_case_worker_id: oscarStrings(str(primeroCase.owned_by_id)),
    external_case_worker_mobile: str(primeroCase.owned_by_phone) || '000000000',
    ...(primeroCase.workflow === primeroOption.referralToOscar ? { resource: 'Primero' } : {}),
    is_referred: true,
    organization_name: agency.slice(7),
    organization_id: oscarStrings(str(primeroCase.owned_by_agency_id)),
    services: [
      {
        uuid: oscarStrings(str(row.unique_id)),
        name: outboundServiceName(typeof subtype === 'string' ? subtype : null, tables),
      },
    ],
    date_of_referral: (str(primeroCase.last_updated_at) ?? '').replaceAll('/', '-').slice(0, 10),
  };
  return { organization };
}

/** Thrown where the legacy job threw (and stopped the whole batch). */
export class LegacyJobError extends Error {}

/**
 * f2-j2 `buildCaseRecord` for one OSCaR client (§2.4, §2.5), `isUpdate` when the client has an
 * `external_id`: create-only fields are left out then. Risk is read from `risk_level`, a key OSCaR never
 * sends, so referred clients always get `no_action` (bug 12); the province map has no Stung Treng (bug 4);
 * rows are keyed by OSCaR's catalogue uuid (bug 26) and carry the client's reason on every row (bug 20).
 */
export function legacyCaseRecord(client: Json, tables: MappingTables, today: Date): Json {
  const isUpdate = Boolean(str(client.external_id));
  const isReferred = client.is_referred === true;
  const code = str(client.location_current_village_code) || str(client.address_current_village_code);
  const dob = cleanDateOfBirth(str(client.date_of_birth));
  const record: Json = {
    oscar_number: client.global_id,
    ...(client.external_id === '' ? {} : { case_id: client.external_id ?? null }),
    ...(client.external_id_display === '' ? {} : { case_id_display: client.external_id_display ?? null }),
    oscar_short_id: client.slug,
    mosvy_number: client.mosvy_number,
    oscar_status: client.status,
    consent_for_services: true,
    disclosure_other_orgs: true,
    module_id: primeroOption.moduleId,
  };
  if (!isUpdate) {
    record.name_first = displayName(str(client.local_given_name), str(client.given_name));
    record.name_last = displayName(str(client.local_family_name), str(client.family_name));
    const gender = (str(client.gender) ?? '').toLowerCase();
    record.sex = gender === 'male' || gender === 'female' ? gender : 'other';
    record.age = calcAge(dob, today);
    record.date_of_birth = dob;
    record.location_current = code ? String(Number.parseInt(code, 10)) : null;
    if (isReferred) {
      record.protection_status = primeroOption.protectionStatus;
      record.interview_subject = primeroOption.interviewSubject;
    }
  }
  if (!isUpdate || client.resource !== 'primero') record.owned_by = legacyOwner(client, tables);
  if (isReferred) {
    const risk = str(client.risk_level);
    record.risk_level = risk === 'no action' || risk === null ? 'no_action' : risk;
  }
  record.services_section = asRows(client.services).map((service) => legacyRow(client, service, tables));
  return record;
}

/** §2.5: one `services_section` row for an OSCaR service. */
export function legacyRow(client: Json, service: Json, tables: MappingTables): Json {
  const name = str(service.name) ?? '';
  const mapped = tables.servicesInbound.get(name);
  const organization = str(client.organization_name) ?? '';
  const enrolmentDate = str(service.enrollment_date);
  const status = str(service.referral_status);
  const mappedStatus = status === null ? null : tables.referralStatus.oscarToPrimeroService.get(status);
  const row: Json = {
    ...(str(service.uuid) ? { unique_id: service.uuid } : {}),
    referral_notes_from_oscar_2e787b8: client.reason_for_referral,
    service_referral_notes: service.reason_for_referral,
    service_type: mapped?.primeroServiceType ?? 'Other',
    service_subtype: [mapped?.primeroSubtype ?? null],
    service_type_text: mapped?.primeroServiceType,
    service_type_details_text: mapped === undefined ? name : 'n/a',
    service_response_day_time: enrolmentDate === null ? undefined : `${enrolmentDate}T00:00:00.000Z`,
    service_response_type: enrolmentDate
      ? primeroOption.enrolment
      : service.enrollment_date === null && client.resource === 'primero'
        ? primeroOption.referralToOscar
        : primeroOption.referralFromOscar,
    oscar_case_worker_name: client.case_worker_name,
    oscar_case_worker_telephone: client.case_worker_mobile,
    oscar_referring_organization: `agency-${organization}`,
    service_implementing_agency: `agency-${organization}`,
    oscar_referral_id_a4ac8a5:
      typeof service.referral_id === 'number' ? String(service.referral_id) : undefined,
    referral_status_edf41f2: mappedStatus ?? undefined,
  };
  return withoutUndefined(row);
}

/**
 * §5.3 and §3.4/§3.5: the owner of a case made from an OSCaR client. The legacy province map had no `19`
 * (its `22 → mgrstg` entry was overridden by `22 → mgromc`), so a referred Stung Treng child threw.
 */
export function legacyOwner(client: Json, tables: MappingTables): string | null {
  if (client.is_referred === true) {
    const province = provinceCode(
      str(client.location_current_village_code),
      str(client.organization_address_code),
    );
    if (province === null) return null;
    const owner = province.code === '19' ? undefined : tables.provinces.get(province.code);
    if (owner === undefined)
      throw new LegacyJobError(`Province user not found for this case ${String(client.global_id)}`);
    return owner.primeroUser;
  }
  const organization = str(client.organization_name);
  if (!organization) throw new LegacyJobError('No agency user found for the organization');
  return tables.agencies.get(organization)?.primeroUser ?? null;
}

/**
 * f2-j2 decisions (§1.8 step 3): re-targets each built row to a Primero row — (a) the same OSCaR referral id
 * (two missing ids count as equal: bug 22), (b) the same first subtype on a Pending `referral_to_oscar`
 * row, (c) a blank first subtype on such a row — and keeps the rows that found one and have a status.
 * Returns those rows and the `in_progress` Primero referrals of the matched rows with the status to set.
 */
export function legacyDecision(
  client: Json,
  primeroCase: Json,
  referrals: readonly Json[],
  tables: MappingTables,
): { rows: Json[]; referralPatches: { id: string; status: string }[] } {
  const existing = asRows(primeroCase.services_section);
  const built = asRows(client.services).map((service) => legacyRow(client, service, tables));
  const retargeted = built.map((row) => {
    const match = existing.find((p) => {
      const pending = p.referral_status_edf41f2 === primeroOption.pending;
      const toOscar = p.service_response_type === primeroOption.referralToOscar;
      return (
        p.oscar_referral_id_a4ac8a5 === row.oscar_referral_id_a4ac8a5 ||
        (asArray(p.service_subtype)[0] === asArray(row.service_subtype)[0] && pending && toOscar) ||
        (asArray(p.service_subtype)[0] === '' && pending && toOscar)
      );
    });
    const { unique_id: _uuid, ...rest } = row;
    return match === undefined ? rest : { ...rest, unique_id: match.unique_id };
  });
  const rows = retargeted.filter((row) => row.unique_id !== undefined && row.referral_status_edf41f2);
  const referralPatches: { id: string; status: string }[] = [];
  for (const referral of referrals) {
    if (referral.status !== 'in_progress') continue;
    const row = retargeted.find((r) => r.unique_id === referral.service_record_id);
    if (row === undefined) continue;
    const status = tables.referralStatus.primeroServiceToPrimeroReferral.get(
      str(row.referral_status_edf41f2) ?? '',
    );
    if (status !== undefined) referralPatches.push({ id: String(referral.id), status });
  }
  return { rows, referralPatches };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function withoutUndefined(record: Json): Json {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
