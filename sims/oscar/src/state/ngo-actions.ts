import { createRng, syntheticPerson, syntheticPhone } from '@pos/sim-kit';

import { normalizeLocationCode } from '../core/location-code.ts';
import type { CaseWorker, CatalogueService, Client, Referral } from '../core/model.ts';
import { squish } from '../core/rails-params.ts';
import { isoDate } from '../core/since-date.parser.ts';
import type { Store, Tenant } from './store.ts';
import {
  createIdentity,
  insertClient,
  insertReferral,
  isReceived,
  liveClientByGlobalId,
  mintUlid,
  touchClient,
  updateReferral,
} from './store.ts';

/**
 * What NGO users do in the OSCaR UI, which has no interop API: create clients, refer them to the external system,
 * accept or reject referrals, enrol, exit. Used by the control API and the seeder.
 */

export interface NewClientInput {
  givenName: string | null;
  familyName: string | null;
  localGivenName: string | null;
  localFamilyName: string | null;
  gender: string | null;
  dateOfBirth: string | null;
  locationCode: string | null;
  status: string;
  caseWorkers: CaseWorker[];
  mosvyNumber?: string | null;
  reasonForReferral?: string | null;
  externalId?: string | null;
  externalIdDisplay?: string | null;
  globalId?: string;
  slugLetters?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export function createNgoClient(store: Store, tenant: Tenant, input: NewClientInput): Client {
  const globalId = input.globalId ?? mintUlid(store);
  const draft: Parameters<typeof insertClient>[2] = {
    globalId,
    givenName: input.givenName,
    familyName: input.familyName,
    localGivenName: input.localGivenName,
    localFamilyName: input.localFamilyName,
    gender: input.gender,
    dateOfBirth: input.dateOfBirth,
    status: input.status,
    externalId: input.externalId ?? null,
    externalIdDisplay: input.externalIdDisplay ?? null,
    mosvyNumber: input.mosvyNumber ?? null,
    externalCaseWorkerName: null,
    externalCaseWorkerId: null,
    reasonForReferral: input.reasonForReferral ?? null,
    address: normalizeLocationCode(input.locationCode),
    referredExternal: false,
    refereeId: nextRefereeId(store),
    caseWorkers: input.caseWorkers,
    enrollments: [],
    syncedDate: null,
    exitReason: null,
  };
  if (input.slugLetters !== undefined) draft.slugLetters = input.slugLetters;
  if (input.createdAt !== undefined) draft.createdAt = input.createdAt;
  if (input.updatedAt !== undefined) draft.updatedAt = input.updatedAt;
  return insertClient(store, tenant, draft);
}

export interface ReferToSystemInput {
  services: CatalogueService[];
  reason: string | null;
  levelOfRisk: string | null;
  createdAt?: Date;
}

/** "Refer to MoSVY External System": a sent referral on the client, which joins group A of GET /clients. */
export function referClientToSystem(
  store: Store,
  tenant: Tenant,
  client: Client,
  input: ReferToSystemInput,
): Referral {
  const worker = client.caseWorkers[0];
  client.referredExternal = true;
  const draft: Parameters<typeof insertReferral>[2] = {
    clientId: client.id,
    slug: client.slug,
    clientGlobalId: client.globalId,
    externalId: client.externalId,
    externalIdDisplay: client.externalIdDisplay,
    mosvyNumber: client.mosvyNumber,
    referredTo: store.externalSystem.name,
    referredFrom: tenant.organization.shortName,
    ngoName: store.externalSystem.name,
    referralReason: input.reason === null || input.reason.trim() === '' ? 'N/A' : input.reason,
    nameOfReferee: worker?.name ?? `${tenant.organization.shortName} case worker`,
    referralPhone: worker?.mobile ?? '000000000',
    refereeEmail: null,
    refereeId: client.refereeId,
    clientName: squish(`${client.givenName ?? ''} ${client.familyName ?? ''}`),
    clientGender: client.gender,
    clientDateOfBirth: client.dateOfBirth,
    villageCode: client.address?.code ?? null,
    externalCaseWorkerName: null,
    externalCaseWorkerId: null,
    levelOfRisk: input.levelOfRisk,
    referralStatus: 'Referred',
    services: input.services,
    consentForm: [],
    saved: true,
    dateOfReferral: isoDate(input.createdAt ?? store.now()),
    intake: { givenName: client.givenName, familyName: client.familyName },
  };
  if (input.createdAt !== undefined) draft.createdAt = input.createdAt;
  const referral = insertReferral(store, tenant, draft);
  referral.consentForm = [
    `https://oscar-web-assets-production.s3.amazonaws.com/uploads/referral/consent_form/${tenant.organization.id}${referral.id}/consent.png`,
  ];
  return referral;
}

export type Decision = 'Accepted' | 'Exited';

export type DecisionResult = { ok: true; client: Client; created: boolean } | { ok: false; reason: string };

/**
 * The NGO accepts (`Accepted`) or takes in and exits (`Exited`) a referral received from the external system
 * (docs/upstream/oscar.md §3, flow A step 2). A first referral creates the client from the referral (global id = the referral's ULID,
 * Primero ids, mosvy number and external case worker copied); a repeat referral whose global id already has a client
 * in this NGO is attached to it. Rejecting a repeat referral leaves the existing client's status alone.
 */
export function decideReferral(
  store: Store,
  tenant: Tenant,
  referral: Referral,
  decision: Decision,
  caseWorker?: CaseWorker,
): DecisionResult {
  if (!isReceived(store, referral))
    return { ok: false, reason: 'only referrals received from the external system can be decided' };
  if (referral.clientId !== null) {
    return {
      ok: false,
      reason: `referral ${referral.id} was already decided (status ${referral.referralStatus ?? 'nil'})`,
    };
  }
  const existing =
    referral.clientGlobalId === null ? undefined : liveClientByGlobalId(tenant, referral.clientGlobalId);
  if (existing) {
    updateReferral(store, tenant, referral, {
      clientId: existing.id,
      slug: existing.slug,
      saved: true,
      referralStatus: decision,
    });
    if (decision === 'Accepted' && (existing.status === 'Referred' || existing.status === 'Exited'))
      existing.status = 'Accepted';
    touchClient(store, existing);
    return { ok: true, client: existing, created: false };
  }
  const globalId = referral.clientGlobalId ?? mintUlid(store);
  if (!store.identities.has(globalId)) createIdentity(store, globalId);
  const client = createNgoClient(store, tenant, {
    globalId,
    givenName: referral.intake.givenName,
    familyName: referral.intake.familyName,
    localGivenName: '',
    localFamilyName: '',
    gender: referral.clientGender,
    dateOfBirth: referral.clientDateOfBirth,
    locationCode: referral.villageCode,
    status: decision,
    caseWorkers: [caseWorker ?? defaultCaseWorker(referral.id)],
    mosvyNumber: referral.mosvyNumber,
    reasonForReferral: referral.referralReason,
    externalId: referral.externalId,
    externalIdDisplay: referral.externalIdDisplay,
  });
  client.externalCaseWorkerName = referral.externalCaseWorkerName;
  client.externalCaseWorkerId = referral.externalCaseWorkerId;
  if (decision === 'Exited') client.exitReason = 'Referral rejected by the NGO';
  updateReferral(store, tenant, referral, {
    clientId: client.id,
    slug: client.slug,
    saved: true,
    referralStatus: decision,
  });
  return { ok: true, client, created: true };
}

/**
 * Opening a client's profile in OSCaR links the repeat referrals that carry its slug or global id but no client
 * (quirk 20). Returns the referrals it attached.
 */
export function openClientProfile(store: Store, tenant: Tenant, client: Client): Referral[] {
  const detached = (tenant.referralsByGlobalId.get(client.globalId) ?? []).filter(
    (referral) => referral.clientId === null && referral.slug === client.slug,
  );
  for (const referral of detached)
    updateReferral(store, tenant, referral, { clientId: client.id, saved: true });
  return detached;
}

export interface EnrollmentInput {
  programName: string;
  services: CatalogueService[];
  enrollmentDate: string | null;
}

export function enrollClient(store: Store, client: Client, input: EnrollmentInput): void {
  client.enrollments.push({ ...input, createdAt: store.now() });
  client.status = 'Active';
  touchClient(store, client);
}

export function exitClient(store: Store, client: Client, reason: string | null): void {
  client.status = 'Exited';
  client.exitReason = reason;
  touchClient(store, client);
}

/**
 * An invented NGO user, stable per seed: the one who accepts a referral (seeded by its id), or the case
 * worker of a client created without one (OSCaR requires one; without it every upsert of the client 422s).
 */
export function defaultCaseWorker(seed: number): CaseWorker {
  const rng = createRng(seed * 7919);
  const person = syntheticPerson(rng, new Date(Date.UTC(2000, 0, 1)));
  return { name: `${person.givenName} ${person.familyName}`, mobile: syntheticPhone(rng) };
}

function nextRefereeId(store: Store): number {
  const id = store.nextRefereeId;
  store.nextRefereeId += 1;
  return id;
}
