import type { CatalogueService, Client, Enrollment, Organization, Referral } from './model.ts';
import { isBlank } from './rails-params.ts';

/** One item of `services[]` (docs/upstream/oscar.md §2.1.3). Referral items add `referral_id` and `referral_status`. */
export interface ServiceJson {
  program_name: string | null;
  enrollment_date: string | null;
  uuid: string;
  name: string;
  referral_id?: number;
  referral_status?: string | null;
}

/** What a serializer needs besides the client row. */
export interface SerializeContext {
  organization: Organization;
  /** The client's (attached) referrals exchanged with the caller's external system, in id order. */
  systemReferrals: readonly Referral[];
  /** The caller's uid matches the external system's token (always true with one API user). */
  callerOwnsSystem: boolean;
}

/** Group A, `OrganizationClientSerializer`. Key order is the server's. */
export interface ReferredClientJson {
  slug: string;
  global_id: string;
  external_id: string | null;
  external_id_display: string | null;
  mosvy_number: string | null;
  given_name: string | null;
  family_name: string | null;
  gender: string | null;
  date_of_birth: string | null;
  location_current_village_code: string;
  address_current_village_code: string;
  organization_id: number;
  organization_name: string;
  external_case_worker_name: string | null;
  external_case_worker_id: string | null;
  reason_for_referral: string;
  status: string;
  case_worker_name: string;
  case_worker_mobile: string;
  is_referred: boolean;
  referral_consent_form: string[];
  organization_address_code: string;
  level_of_risk: string;
  services: ServiceJson[];
}

/** Group B and historical mode, `ClientShareExternalSerializer`. Key order is the server's. */
export interface SharedClientJson {
  given_name: string | null;
  family_name: string | null;
  local_given_name: string | null;
  local_family_name: string | null;
  gender: string | null;
  date_of_birth: string | null;
  global_id: string;
  slug: string;
  external_id: string;
  external_id_display: string;
  status: string;
  mosvy_number: string;
  location_current_village_code: string;
  case_worker_name: string;
  case_worker_mobile: string;
  is_referred: boolean;
  organization_name: string;
  organization_address_code: string;
  resource: 'primero' | null;
  services: ServiceJson[];
}

export function serializeReferred(client: Client, context: SerializeContext): ReferredClientJson {
  const latest = latestReferral(context.systemReferrals);
  const location = client.address?.code ?? '';
  return {
    slug: client.slug,
    global_id: client.globalId,
    external_id: client.externalId,
    external_id_display: client.externalIdDisplay,
    mosvy_number: client.mosvyNumber,
    given_name: withLocalFallback(client.givenName, client.localGivenName),
    family_name: withLocalFallback(client.familyName, client.localFamilyName),
    gender: client.gender,
    date_of_birth: client.dateOfBirth,
    location_current_village_code: location,
    address_current_village_code: location,
    organization_id: context.organization.id,
    organization_name: context.organization.shortName,
    external_case_worker_name: client.externalCaseWorkerName,
    external_case_worker_id: client.externalCaseWorkerId,
    reason_for_referral: presence(latest?.referralReason) ?? presence(client.reasonForReferral) ?? '',
    status: client.status,
    case_worker_name: joinCaseWorkers(client, 'name'),
    case_worker_mobile: joinCaseWorkers(client, 'mobile'),
    is_referred: isReferred(context),
    referral_consent_form: latest ? [...latest.consentForm] : [],
    organization_address_code: organizationAddressCode(context.organization),
    level_of_risk: latest?.levelOfRisk ?? '',
    services: serviceList(client, context.systemReferrals),
  };
}

export function serializeShared(client: Client, context: SerializeContext): SharedClientJson {
  const linked = !isBlank(client.externalId);
  return {
    given_name: withLocalFallback(client.givenName, client.localGivenName),
    family_name: withLocalFallback(client.familyName, client.localFamilyName),
    local_given_name: client.localGivenName,
    local_family_name: client.localFamilyName,
    gender: client.gender,
    date_of_birth: client.dateOfBirth,
    global_id: client.globalId,
    slug: client.slug,
    external_id: client.externalId ?? '',
    external_id_display: client.externalIdDisplay ?? '',
    status: client.status,
    mosvy_number: client.mosvyNumber ?? '',
    location_current_village_code: client.address?.code ?? '',
    case_worker_name: joinCaseWorkers(client, 'name'),
    case_worker_mobile: joinCaseWorkers(client, 'mobile'),
    is_referred: isReferred(context),
    organization_name: context.organization.shortName,
    organization_address_code: organizationAddressCode(context.organization),
    resource: linked ? 'primero' : null,
    services: linked ? serviceList(client, context.systemReferrals) : [],
  };
}

/** The NGO's commune code, else district, else the province's first district, else `""`. */
export function organizationAddressCode(organization: Organization): string {
  const { province, district, commune } = organization.address;
  if (commune) return commune;
  if (district) return district;
  if (province) return `${province}01`;
  return '';
}

/** Program services first (de-duplicated), then one item per service row of each referral. */
export function serviceList(client: Client, systemReferrals: readonly Referral[]): ServiceJson[] {
  const items: ServiceJson[] = [];
  const seen = new Set<string>();
  const firstDates = firstEnrollmentDates(client.enrollments);
  for (const enrollment of client.enrollments) {
    for (const service of enrollment.services) {
      const key = `${enrollment.programName}\u0000${service.uuid}\u0000${service.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push({
        program_name: enrollment.programName,
        enrollment_date: firstDates.get(enrollment.programName) ?? null,
        uuid: service.uuid,
        name: service.name,
      });
    }
  }
  for (const referral of systemReferrals) {
    for (const service of distinctRows(referral.services)) {
      items.push({
        program_name: null,
        enrollment_date: null,
        uuid: service.uuid,
        name: service.name,
        referral_id: referral.id,
        referral_status: referral.referralStatus,
      });
    }
  }
  return items;
}

function firstEnrollmentDates(enrollments: readonly Enrollment[]): Map<string, string | null> {
  const dates = new Map<string, string | null>();
  for (const enrollment of enrollments) {
    const current = dates.get(enrollment.programName);
    if (
      current === undefined ||
      (enrollment.enrollmentDate !== null && (current === null || enrollment.enrollmentDate < current))
    ) {
      dates.set(enrollment.programName, enrollment.enrollmentDate);
    }
  }
  return dates;
}

function distinctRows(services: readonly CatalogueService[]): CatalogueService[] {
  const seen = new Set<number>();
  return services.filter((service) => !seen.has(service.rowId) && seen.add(service.rowId) !== undefined);
}

function latestReferral(referrals: readonly Referral[]): Referral | undefined {
  let latest: Referral | undefined;
  for (const referral of referrals) {
    if (
      !latest ||
      referral.createdAt.getTime() > latest.createdAt.getTime() ||
      (referral.createdAt.getTime() === latest.createdAt.getTime() && referral.id > latest.id)
    ) {
      latest = referral;
    }
  }
  return latest;
}

function isReferred(context: SerializeContext): boolean {
  return context.callerOwnsSystem && context.systemReferrals.length > 0;
}

function withLocalFallback(latin: string | null, local: string | null): string | null {
  return isBlank(latin) ? local : latin;
}

function presence(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || isBlank(value) ? undefined : value;
}

function joinCaseWorkers(client: Client, field: 'name' | 'mobile'): string {
  return client.caseWorkers.map((worker) => worker[field] ?? '').join(', ');
}
