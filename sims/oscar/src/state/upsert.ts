import { validateClientUpdate } from '../core/client.validator.ts';
import { normalizeLocationCode } from '../core/location-code.ts';
import type { Client, Referral } from '../core/model.ts';
import { referralStatusesAllowed } from '../core/model.ts';
import { RailsCrash } from '../core/rails-crash.ts';
import type { Scalar } from '../core/rails-params.ts';
import { castDate, castInteger, castString, isBlank, isPresent, squish } from '../core/rails-params.ts';
import { hasErrors, validateReferral } from '../core/referral.validator.ts';
import { isoDate } from '../core/since-date.parser.ts';
import type { UpsertParams } from '../core/upsert.params.ts';
import { permitUpsert } from '../core/upsert.params.ts';
import type { ReferralDraft, Store, Tenant } from './store.ts';
import {
  createIdentity,
  externalIdKey,
  insertReferral,
  isReceived,
  isSent,
  liveClient,
  liveClientByGlobalId,
  mintUlid,
  ownerTenant,
  servicesByName,
  systemReferrals,
  touchClient,
  updateReferral,
} from './store.ts';

export interface Outcome {
  status: 200 | 422;
  body: Record<string, unknown>;
}

export const recordError = 'Record error. Please check OSCaR logs for details.';
export const recordSaved = 'Record saved.';
export const statusMustBe = "Referral status must be one of ['Accepted', 'Exited', 'Referred'].";

/**
 * POST /api/v1/organizations/clients/upsert, the decision tree of docs/upstream/oscar.md §2.2. Returns the 200/422 answer;
 * throws {@link RailsCrash} where the server raises (unknown tenant, nil client, unknown global id after save).
 */
export function upsertReferral(store: Store, body: unknown): Outcome {
  const params = permitUpsert(body);
  const organizationName = params?.scalars.organization_name;
  if (!params || isBlank(organizationName)) return { status: 422, body: { message: recordError } };
  const tenant = store.tenants.get(castString(organizationName ?? null) ?? '');
  if (!tenant) throw new RailsCrash('Apartment::TenantNotFound: organization_name is not a tenant');

  const globalId = castString(params.scalars.global_id);
  if (globalId !== null && !isBlank(globalId) && store.identities.has(globalId)) {
    const outcome = knownGlobalId(store, tenant, params, globalId);
    if (outcome !== 'fall-through') return outcome;
  }
  return newReferralByExternalId(store, tenant, params, globalId);
}

/** Step 2: a repeat referral (when `is_referred` is present) and an update of the client owning the global id. */
function knownGlobalId(
  store: Store,
  tenant: Tenant,
  params: UpsertParams,
  globalId: string,
): Outcome | 'fall-through' {
  const p = params.scalars;
  const sentExternalId = p.external_id ?? null;
  if (isPresent(p.is_referred)) {
    const client = liveClientByGlobalId(tenant, globalId);
    if (client) {
      const draft = buildReferral(store, tenant, params, globalId);
      draft.slug = client.slug;
      draft.refereeId = client.refereeId;
      const status = isPresent(p.referral_status) ? castString(p.referral_status ?? null) : 'Referred';
      draft.referralStatus = status;
      const errors = validateReferral(asReferral(draft));
      if (hasErrors(errors)) return { status: 422, body: { external_id: sentExternalId, message: errors } };
      const referral = insertReferral(store, tenant, draft);
      if ((referralStatusesAllowed as readonly (string | null)[]).includes(status)) {
        recordExternalLink(store, tenant, referral, client.slug);
      }
    }
  }

  const owner = ownerTenant(store, globalId);
  if (!owner) return 'fall-through';
  const client = liveClient(owner.tenant, owner.clientId);
  if (!client) throw new RailsCrash("NoMethodError: undefined method `update_attributes' for nil:NilClass");

  const next = clientChanges(store, client, p);
  const errors = validateClientUpdate({
    gender: next.gender ?? null,
    caseWorkerCount: client.caseWorkers.length,
  });
  if (hasErrors(errors)) return { status: 422, body: { external_id: sentExternalId, message: errors } };
  let changed = false;
  for (const [key, value] of Object.entries(next) as [keyof Client, never][]) {
    if (!sameValue(client[key], value)) {
      client[key] = value;
      changed = true;
    }
  }
  if (changed) touchClient(store, client);

  if (isPresent(p.referral_status)) {
    const status = castString(p.referral_status ?? null);
    if (!(referralStatusesAllowed as readonly (string | null)[]).includes(status)) {
      return { status: 422, body: { external_id: client.externalId, message: statusMustBe } };
    }
    const referrals = systemReferrals(store, owner.tenant, client.id);
    const latestReceived = referrals.filter((referral) => isReceived(store, referral)).at(-1);
    const latestSent = referrals.filter((referral) => isSent(store, referral)).at(-1);
    for (const referral of [latestReceived, latestSent]) {
      if (referral) updateReferral(store, owner.tenant, referral, { referralStatus: status });
    }
  }
  return { status: 200, body: { external_id: client.externalId, message: recordSaved } };
}

/** The attributes step 2c overwrites; absent keys become nil, local names and reason always do. */
function clientChanges(store: Store, client: Client, p: UpsertParams['scalars']): Partial<Client> {
  const next: Partial<Client> = {
    mosvyNumber: castString(p.mosvy_number),
    givenName: castString(p.given_name),
    familyName: castString(p.family_name),
    localGivenName: null,
    localFamilyName: null,
    gender: castString(p.gender),
    dateOfBirth: castDate(p.date_of_birth),
    reasonForReferral: null,
    externalCaseWorkerId: castString(p.external_case_worker_id),
    externalCaseWorkerName: castString(p.external_case_worker_name),
  };
  // Ruby `a || b`: an empty string is truthy, only a missing key falls back.
  const code = p.address_current_village_code ?? p.location_current_village_code;
  const address = normalizeLocationCode(castString(code));
  if (address) next.address = address;
  else if (client.address) next.address = client.address;
  if (isPresent(p.external_id)) {
    next.externalId = castString(p.external_id);
    next.externalIdDisplay = castString(p.external_id_display);
    next.syncedDate = isoDate(store.now());
  }
  return next;
}

/** Step 3: a new referral keyed by external_id in the `organization_name` NGO. */
function newReferralByExternalId(
  store: Store,
  tenant: Tenant,
  params: UpsertParams,
  globalId: string | null,
): Outcome {
  const sentExternalId = params.scalars.external_id ?? null;
  // The referral fields are computed first: a blank global_id mints a GlobalIdentity now, even if we fail later.
  const clientGlobalId =
    globalId === null || isBlank(globalId) ? createIdentity(store, mintUlid(store)).ulid : globalId;
  const draft = buildReferral(store, tenant, params, clientGlobalId);
  const existing = tenant.referralsByExternalId.get(externalIdKey(draft.externalId))?.[0];

  if (existing && isAccepted(tenant, existing)) {
    const errors =
      globalId === null || isBlank(globalId)
        ? { global_id: 'global_id must exist.', referral_status: 'referral_status must be present.' }
        : {};
    return { status: 422, body: { external_id: sentExternalId, message: 'Record was found.', errors } };
  }
  if (existing) draft.clientGlobalId = existing.clientGlobalId;

  const errors = validateReferral(asReferral(draft));
  if (hasErrors(errors)) return { status: 422, body: { external_id: sentExternalId, message: errors } };
  const referral = insertReferral(store, tenant, draft);
  recordExternalLink(store, tenant, referral, null);
  return { status: 200, body: { external_id: sentExternalId, message: recordSaved } };
}

/** A referral counts as accepted once a client holds it or its global id in that NGO. */
function isAccepted(tenant: Tenant, referral: Referral): boolean {
  if (referral.clientId !== null) return true;
  return (
    referral.clientGlobalId !== null && liveClientByGlobalId(tenant, referral.clientGlobalId) !== undefined
  );
}

/** `ExternalSystemGlobalIdentity.create`: needs the GlobalIdentity row; an unknown ULID raises on nil. */
function recordExternalLink(
  store: Store,
  tenant: Tenant,
  referral: Referral,
  clientSlug: string | null,
): void {
  const globalId = referral.clientGlobalId;
  if (globalId === null || !store.identities.has(globalId)) {
    throw new RailsCrash("NoMethodError: undefined method `id' for nil:NilClass (global identity)");
  }
  store.externalSystemLinks.push({
    externalSystemId: store.externalSystem.id,
    globalId,
    externalId: referral.externalId,
    clientSlug,
    organizationName: tenant.organization.shortName,
  });
}

/** The referral attributes built from the payload (docs/upstream/oscar.md#referral-fields). */
function buildReferral(
  store: Store,
  tenant: Tenant,
  params: UpsertParams,
  clientGlobalId: string,
): ReferralDraft {
  const p = params.scalars;
  const names = (params.services ?? [])
    .map((service) => service.name)
    .filter((name): name is Scalar => name !== undefined && name !== null)
    .map((name) => castString(name) ?? '');
  const reason = castString(p.reason_for_referral);
  const givenName = castString(p.given_name);
  const familyName = castString(p.family_name);
  return {
    clientId: null,
    slug: null,
    clientGlobalId,
    externalId: castString(p.external_id),
    externalIdDisplay: castString(p.external_id_display),
    mosvyNumber: castString(p.mosvy_number),
    referredTo: tenant.organization.shortName,
    referredFrom: store.externalSystem.name,
    ngoName: store.externalSystem.name,
    referralReason: reason === null || isBlank(reason) ? 'N/A' : reason,
    nameOfReferee: castString(p.external_case_worker_name),
    referralPhone: castString(p.external_case_worker_mobile),
    refereeEmail: castString(p.external_case_worker_email),
    refereeId: castInteger(p.external_case_worker_id),
    clientName: squish(`${givenName ?? ''} ${familyName ?? ''}`),
    clientGender: castString(p.gender),
    clientDateOfBirth: castDate(p.date_of_birth),
    villageCode: castString(p.location_current_village_code),
    externalCaseWorkerName: castString(p.external_case_worker_name),
    externalCaseWorkerId: castString(p.external_case_worker_id),
    levelOfRisk: castString(p.level_of_risk),
    referralStatus: 'Referred',
    services: servicesByName(store, names),
    consentForm: [],
    saved: false,
    dateOfReferral: isoDate(store.now()),
    intake: { givenName, familyName },
  };
}

function asReferral(draft: ReferralDraft): Referral {
  const now = new Date(0);
  return { ...draft, id: 0, organization: draft.referredTo ?? '', createdAt: now, updatedAt: now };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}
