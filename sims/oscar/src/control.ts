import type { FastifyInstance, FastifyReply } from 'fastify';

import { organizationAddressCode } from './core/client.serializer.ts';
import { normalizeLocationCode } from './core/location-code.ts';
import type { CaseWorker, CatalogueService, Client, Referral } from './core/model.ts';
import { clientStatuses, referralStatusesValid } from './core/model.ts';
import { castDate, isRecord } from './core/rails-params.ts';
import { isoDate } from './core/since-date.parser.ts';
import type { Decision } from './state/ngo-actions.ts';
import {
  createNgoClient,
  decideReferral,
  defaultCaseWorker,
  enrollClient,
  exitClient,
  openClientProfile,
  referClientToSystem,
} from './state/ngo-actions.ts';
import type { Store, Tenant } from './state/store.ts';
import { hardDeleteClient, isReceived, isSent, touchClient, updateReferral } from './state/store.ts';

/**
 * The control API beyond sim-kit's basics: it plays the NGO users, whom OSCaR's interop API does not cover.
 * Referral ids are integers per NGO tenant (as in OSCaR), so referral routes take `?organization=<short_name>`
 * (or `"organization"` in the body); without it an id that exists in several tenants answers 409.
 */
export function registerControlRoutes(app: FastifyInstance, store: Store): void {
  app.get('/_control/organizations', async () => ({
    organizations: store.organizations.map((organization) => ({
      id: organization.id,
      short_name: organization.shortName,
      full_name: organization.fullName,
      integrated: organization.integrated,
      demo: organization.demo,
      organization_address_code: organizationAddressCode(organization),
      clients: store.tenants.get(organization.shortName)?.clients.size ?? 0,
    })),
  }));

  app.patch<{ Params: { short_name: string } }>(
    '/_control/organizations/:short_name',
    async (request, reply) => {
      const tenant = store.tenants.get(request.params.short_name);
      if (!tenant) return notFound(reply, `no organization ${request.params.short_name}`);
      const body = record(request.body);
      if (typeof body.integrated !== 'boolean') return invalid(reply, ['integrated must be true or false']);
      tenant.organization.integrated = body.integrated;
      return { short_name: tenant.organization.shortName, integrated: tenant.organization.integrated };
    },
  );

  // ------------------------------------------------------------------------------------------- referrals

  app.get('/_control/referrals', async (request, reply) => {
    const query = record(request.query);
    const direction = typeof query.direction === 'string' ? query.direction : 'received';
    if (!['received', 'sent', 'all'].includes(direction))
      return invalid(reply, ['direction must be received, sent or all']);
    const organization = typeof query.organization === 'string' ? query.organization : undefined;
    if (organization !== undefined && !store.tenants.has(organization))
      return notFound(reply, `no organization ${organization}`);
    const referrals: Referral[] = [];
    for (const tenant of store.tenants.values()) {
      if (organization !== undefined && tenant.organization.shortName !== organization) continue;
      for (const referral of tenant.referrals.values()) {
        if (direction === 'received' && !isReceived(store, referral)) continue;
        if (direction === 'sent' && !isSent(store, referral)) continue;
        if (typeof query.external_id === 'string' && referral.externalId !== query.external_id) continue;
        if (typeof query.client_global_id === 'string' && referral.clientGlobalId !== query.client_global_id)
          continue;
        referrals.push(referral);
      }
    }
    return { referrals: referrals.map(referralView) };
  });

  app.get<{ Params: { referral_id: string } }>('/_control/referrals/:referral_id', async (request, reply) => {
    const found = findReferral(
      store,
      request.params.referral_id,
      organizationArg(request.query, request.body),
    );
    if ('error' in found) return reply.code(found.status).send({ error: found.error });
    return referralView(found.referral);
  });

  const decide = (decision: Decision) =>
    async function handler(
      request: { params: { referral_id: string }; query: unknown; body: unknown },
      reply: FastifyReply,
    ): Promise<unknown> {
      const found = findReferral(
        store,
        request.params.referral_id,
        organizationArg(request.query, request.body),
      );
      if ('error' in found) return reply.code(found.status).send({ error: found.error });
      const body = record(request.body);
      const worker = body.case_worker === undefined ? undefined : caseWorker(body.case_worker);
      if (worker === null) return invalid(reply, ['case_worker must be {"name": string, "mobile": string}']);
      const result = decideReferral(store, found.tenant, found.referral, decision, worker);
      if (!result.ok) return reply.code(409).send({ error: result.reason });
      return {
        created: result.created,
        referral: referralView(found.referral),
        client: clientView(store, found.tenant, result.client),
      };
    };
  app.post<{ Params: { referral_id: string } }>(
    '/_control/referrals/:referral_id/accept',
    decide('Accepted'),
  );
  app.post<{ Params: { referral_id: string } }>('/_control/referrals/:referral_id/reject', decide('Exited'));

  app.patch<{ Params: { referral_id: string } }>(
    '/_control/referrals/:referral_id',
    async (request, reply) => {
      const found = findReferral(
        store,
        request.params.referral_id,
        organizationArg(request.query, request.body),
      );
      if ('error' in found) return reply.code(found.status).send({ error: found.error });
      const status = record(request.body).referral_status;
      if (typeof status !== 'string' || !(referralStatusesValid as readonly string[]).includes(status)) {
        return invalid(reply, [`referral_status must be one of ${referralStatusesValid.join(', ')}`]);
      }
      updateReferral(store, found.tenant, found.referral, { referralStatus: status });
      return referralView(found.referral);
    },
  );

  // ------------------------------------------------------------------------------------------- clients

  app.post('/_control/clients', async (request, reply) => {
    const body = record(request.body);
    const problems: string[] = [];
    const organization = typeof body.organization === 'string' ? body.organization : '';
    const tenant = store.tenants.get(organization);
    if (!tenant) problems.push(`organization must be one of ${[...store.tenants.keys()].join(', ')}`);
    const fields = clientFields(body, problems, true);
    const referInput =
      body.refer_to_mosvy === undefined ? undefined : referralInput(store, body.refer_to_mosvy, problems);
    if (!tenant || problems.length > 0) return invalid(reply, problems);
    const client = createNgoClient(store, tenant, {
      givenName: fields.givenName ?? '',
      familyName: fields.familyName ?? '',
      localGivenName: fields.localGivenName ?? '',
      localFamilyName: fields.localFamilyName ?? '',
      gender: fields.gender === undefined ? '' : fields.gender,
      dateOfBirth: fields.dateOfBirth ?? null,
      locationCode: fields.locationCode ?? null,
      status: fields.status ?? 'Accepted',
      // OSCaR requires a case worker; `"case_workers": []` still stores a client without one on purpose.
      caseWorkers: fields.caseWorkers ?? [
        defaultCaseWorker(tenant.organization.id * 100_000 + tenant.nextClientId),
      ],
      mosvyNumber: fields.mosvyNumber ?? null,
      reasonForReferral: fields.reasonForReferral ?? null,
      ...(fields.createdAt ? { createdAt: fields.createdAt } : {}),
    });
    const referralIds: number[] = [];
    if (referInput) referralIds.push(referClientToSystem(store, tenant, client, referInput).id);
    return reply.code(201).send({
      organization: tenant.organization.shortName,
      global_id: client.globalId,
      slug: client.slug,
      client_id: client.id,
      referral_ids: referralIds,
      client: clientView(store, tenant, client),
    });
  });

  app.get<{ Params: { global_id: string } }>('/_control/clients/:global_id', async (request, reply) => {
    const found = findClient(store, request.params.global_id, organizationArg(request.query, undefined));
    if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
    return clientView(store, found.tenant, found.client);
  });

  app.patch<{ Params: { global_id: string } }>('/_control/clients/:global_id', async (request, reply) => {
    const found = findClient(store, request.params.global_id, organizationArg(request.query, request.body));
    if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
    const body = record(request.body);
    const problems: string[] = [];
    const fields = clientFields(body, problems, false);
    if (problems.length > 0) return invalid(reply, problems);
    const client = found.client;
    if (fields.givenName !== undefined) client.givenName = fields.givenName;
    if (fields.familyName !== undefined) client.familyName = fields.familyName;
    if (fields.localGivenName !== undefined) client.localGivenName = fields.localGivenName;
    if (fields.localFamilyName !== undefined) client.localFamilyName = fields.localFamilyName;
    if (fields.gender !== undefined) client.gender = fields.gender;
    if (fields.dateOfBirth !== undefined) client.dateOfBirth = fields.dateOfBirth;
    if (fields.locationCode !== undefined) client.address = normalizeLocationCode(fields.locationCode);
    if (fields.status !== undefined) client.status = fields.status;
    if (fields.caseWorkers !== undefined) client.caseWorkers = fields.caseWorkers;
    if (fields.mosvyNumber !== undefined) client.mosvyNumber = fields.mosvyNumber;
    if (fields.reasonForReferral !== undefined) client.reasonForReferral = fields.reasonForReferral;
    if (fields.externalCaseWorkerName !== undefined)
      client.externalCaseWorkerName = fields.externalCaseWorkerName;
    if (fields.externalCaseWorkerId !== undefined) client.externalCaseWorkerId = fields.externalCaseWorkerId;
    if (fields.refereeId !== undefined) client.refereeId = fields.refereeId;
    touchClient(store, client);
    return clientView(store, found.tenant, client);
  });

  app.delete<{ Params: { global_id: string } }>('/_control/clients/:global_id', async (request, reply) => {
    const found = findClient(store, request.params.global_id, organizationArg(request.query, request.body));
    if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
    const hard = record(request.query).hard === 'true';
    if (hard) hardDeleteClient(found.tenant, found.client);
    else found.client.deletedAt = store.now();
    return { deleted: hard ? 'hard' : 'soft', global_id: found.client.globalId };
  });

  app.post<{ Params: { global_id: string } }>(
    '/_control/clients/:global_id/referrals',
    async (request, reply) => {
      const found = findClient(store, request.params.global_id, organizationArg(request.query, request.body));
      if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
      const problems: string[] = [];
      const input = referralInput(store, request.body, problems);
      if (!input || problems.length > 0) return invalid(reply, problems);
      const referral = referClientToSystem(store, found.tenant, found.client, input);
      return reply
        .code(201)
        .send({ referral: referralView(referral), client: clientView(store, found.tenant, found.client) });
    },
  );

  app.post<{ Params: { global_id: string } }>(
    '/_control/clients/:global_id/enrollments',
    async (request, reply) => {
      const found = findClient(store, request.params.global_id, organizationArg(request.query, request.body));
      if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
      const body = record(request.body);
      const problems: string[] = [];
      if (typeof body.program_name !== 'string' || body.program_name.trim() === '')
        problems.push('program_name is required');
      const services = serviceNames(store, body.services, problems);
      const date =
        body.enrollment_date === undefined
          ? isoDate(store.now())
          : castDate(stringOrNull(body.enrollment_date));
      if (body.enrollment_date !== undefined && date === null)
        problems.push('enrollment_date must be YYYY-MM-DD');
      if (problems.length > 0 || typeof body.program_name !== 'string') return invalid(reply, problems);
      enrollClient(store, found.client, { programName: body.program_name, services, enrollmentDate: date });
      return reply.code(201).send(clientView(store, found.tenant, found.client));
    },
  );

  app.post<{ Params: { global_id: string } }>('/_control/clients/:global_id/exit', async (request, reply) => {
    const found = findClient(store, request.params.global_id, organizationArg(request.query, request.body));
    if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
    const reason = record(request.body).reason;
    exitClient(store, found.client, typeof reason === 'string' ? reason : null);
    return clientView(store, found.tenant, found.client);
  });

  app.post<{ Params: { global_id: string } }>(
    '/_control/clients/:global_id/open-profile',
    async (request, reply) => {
      const found = findClient(store, request.params.global_id, organizationArg(request.query, request.body));
      if (!found) return notFound(reply, `no client with global_id ${request.params.global_id}`);
      const attached = openClientProfile(store, found.tenant, found.client);
      return {
        attached_referral_ids: attached.map((referral) => referral.id),
        client: clientView(store, found.tenant, found.client),
      };
    },
  );
}

// ----------------------------------------------------------------------------------------------- lookups

type Found<T> = T | { status: 404 | 409 | 422; error: string };

function findReferral(
  store: Store,
  rawId: string,
  organization: string | undefined,
): Found<{ tenant: Tenant; referral: Referral }> {
  const id = Number(rawId);
  if (!Number.isInteger(id)) return { status: 422, error: 'referral id must be an integer' };
  if (organization !== undefined) {
    const tenant = store.tenants.get(organization);
    if (!tenant) return { status: 404, error: `no organization ${organization}` };
    const referral = tenant.referrals.get(id);
    return referral ? { tenant, referral } : { status: 404, error: `no referral ${id} in ${organization}` };
  }
  const matches = [...store.tenants.values()].flatMap((tenant) => {
    const referral = tenant.referrals.get(id);
    return referral ? [{ tenant, referral }] : [];
  });
  const [only] = matches;
  if (matches.length === 1 && only) return only;
  if (matches.length === 0) return { status: 404, error: `no referral ${id} in any organization` };
  const names = matches.map((match) => match.tenant.organization.shortName).join(', ');
  return {
    status: 409,
    error: `referral id ${id} exists in several organizations (${names}); referral ids are per NGO tenant: pass ?organization=<short_name> or "organization" in the body`,
  };
}

function findClient(
  store: Store,
  globalId: string,
  organization: string | undefined,
): { tenant: Tenant; client: Client } | undefined {
  if (organization !== undefined) {
    const tenant = store.tenants.get(organization);
    const client = tenant?.clientsByGlobalId.get(globalId);
    return tenant && client ? { tenant, client } : undefined;
  }
  for (const link of store.identities.get(globalId)?.links ?? []) {
    const tenant = store.tenants.get(link.organization);
    const client = tenant?.clients.get(link.clientId);
    if (tenant && client) return { tenant, client };
  }
  return undefined;
}

function organizationArg(query: unknown, body: unknown): string | undefined {
  const fromQuery = record(query).organization;
  if (typeof fromQuery === 'string') return fromQuery;
  const fromBody = record(body).organization;
  return typeof fromBody === 'string' ? fromBody : undefined;
}

// ----------------------------------------------------------------------------------------------- input

interface ClientFields {
  givenName?: string | null;
  familyName?: string | null;
  localGivenName?: string | null;
  localFamilyName?: string | null;
  gender?: string | null;
  dateOfBirth?: string | null;
  locationCode?: string | null;
  status?: string;
  caseWorkers?: CaseWorker[];
  mosvyNumber?: string | null;
  reasonForReferral?: string | null;
  externalCaseWorkerName?: string | null;
  externalCaseWorkerId?: string | null;
  refereeId?: number | null;
  createdAt?: Date;
}

/** Reads what an NGO user can type. Blank gender, null DOB and unknown location codes are accepted on purpose. */
function clientFields(body: Record<string, unknown>, problems: string[], creating: boolean): ClientFields {
  const fields: ClientFields = {};
  const text = (key: string): string | null | undefined => {
    const value = body[key];
    if (value === undefined) return undefined;
    if (value === null || typeof value === 'string') return value;
    if (typeof value === 'number' && key === 'location_code') return String(value);
    problems.push(`${key} must be a string or null`);
    return undefined;
  };
  const assign = <K extends keyof ClientFields>(key: K, value: ClientFields[K] | undefined) => {
    if (value !== undefined) fields[key] = value;
  };
  assign('givenName', text('given_name'));
  assign('familyName', text('family_name'));
  assign('localGivenName', text('local_given_name'));
  assign('localFamilyName', text('local_family_name'));
  assign('gender', text('gender'));
  assign('locationCode', text('location_code'));
  assign('mosvyNumber', text('mosvy_number'));
  assign('reasonForReferral', text('reason_for_referral'));
  assign('externalCaseWorkerName', text('external_case_worker_name'));
  assign('externalCaseWorkerId', text('external_case_worker_id'));
  const dob = text('date_of_birth');
  if (dob !== undefined) {
    const date = dob === null || dob === '' ? null : castDate(dob);
    if (dob !== null && dob !== '' && date === null)
      problems.push('date_of_birth must be a date (YYYY-MM-DD) or null');
    fields.dateOfBirth = date;
  }
  const status = body.status;
  if (status !== undefined) {
    if (typeof status === 'string' && (clientStatuses as readonly string[]).includes(status))
      fields.status = status;
    else problems.push(`status must be one of ${clientStatuses.join(', ')}`);
  }
  if (body.case_worker !== undefined || body.case_workers !== undefined) {
    const list = body.case_workers !== undefined ? body.case_workers : [body.case_worker];
    const workers = Array.isArray(list) ? list.map(caseWorker) : [null];
    if (workers.some((worker) => worker === null))
      problems.push('case_worker(s) must be {"name": string, "mobile": string}');
    else fields.caseWorkers = workers.filter((worker): worker is CaseWorker => worker !== null);
  }
  if (body.referee_id !== undefined) {
    if (body.referee_id === null || Number.isInteger(body.referee_id))
      fields.refereeId = body.referee_id as number | null;
    else problems.push('referee_id must be an integer or null');
  }
  if (creating && body.created_at !== undefined) {
    const created = typeof body.created_at === 'string' ? new Date(body.created_at) : new Date(Number.NaN);
    if (Number.isNaN(created.getTime())) problems.push('created_at must be an ISO timestamp');
    else fields.createdAt = created;
  }
  return fields;
}

function referralInput(
  store: Store,
  input: unknown,
  problems: string[],
): { services: CatalogueService[]; reason: string | null; levelOfRisk: string | null } | undefined {
  if (!isRecord(input)) {
    problems.push('the referral must be {"services": [names], "reason": string, "level_of_risk": string}');
    return undefined;
  }
  const services = serviceNames(store, input.services, problems);
  const level = input.level_of_risk;
  if (level !== undefined && level !== null && typeof level !== 'string')
    problems.push('level_of_risk must be a string or null');
  return {
    services,
    reason: typeof input.reason === 'string' ? input.reason : null,
    levelOfRisk: typeof level === 'string' ? level : null,
  };
}

function serviceNames(store: Store, names: unknown, problems: string[]): CatalogueService[] {
  if (!Array.isArray(names) || names.length === 0 || !names.every((name) => typeof name === 'string')) {
    problems.push('services must be a non-empty list of catalogue service names');
    return [];
  }
  const known = new Set(store.catalogue.map((service) => service.name));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) problems.push(`unknown service names: ${unknown.join(', ')}`);
  return store.catalogue.filter((service) => names.includes(service.name));
}

function caseWorker(value: unknown): CaseWorker | null {
  if (!isRecord(value) || typeof value.name !== 'string') return null;
  if (value.mobile !== undefined && value.mobile !== null && typeof value.mobile !== 'string') return null;
  return { name: value.name, mobile: typeof value.mobile === 'string' ? value.mobile : null };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function invalid(reply: FastifyReply, problems: string[]): FastifyReply {
  return reply.code(422).send({ error: problems.join('; ') || 'invalid request' });
}

function notFound(reply: FastifyReply, error: string): FastifyReply {
  return reply.code(404).send({ error });
}

// ----------------------------------------------------------------------------------------------- views

export function referralView(referral: Referral): Record<string, unknown> {
  return {
    id: referral.id,
    organization: referral.organization,
    client_id: referral.clientId,
    slug: referral.slug,
    client_global_id: referral.clientGlobalId,
    external_id: referral.externalId,
    external_id_display: referral.externalIdDisplay,
    mosvy_number: referral.mosvyNumber,
    referred_to: referral.referredTo,
    referred_from: referral.referredFrom,
    ngo_name: referral.ngoName,
    client_name: referral.clientName,
    client_gender: referral.clientGender,
    client_date_of_birth: referral.clientDateOfBirth,
    village_code: referral.villageCode,
    referral_reason: referral.referralReason,
    name_of_referee: referral.nameOfReferee,
    referral_phone: referral.referralPhone,
    referee_email: referral.refereeEmail,
    referee_id: referral.refereeId,
    external_case_worker_name: referral.externalCaseWorkerName,
    external_case_worker_id: referral.externalCaseWorkerId,
    level_of_risk: referral.levelOfRisk,
    referral_status: referral.referralStatus,
    services: referral.services.map((service) => ({ uuid: service.uuid, name: service.name })),
    consent_form: referral.consentForm,
    saved: referral.saved,
    date_of_referral: referral.dateOfReferral,
    created_at: referral.createdAt.toISOString(),
    updated_at: referral.updatedAt.toISOString(),
  };
}

export function clientView(store: Store, tenant: Tenant, client: Client): Record<string, unknown> {
  const attached = tenant.referralsByClientId.get(client.id) ?? [];
  const detached = (tenant.referralsByGlobalId.get(client.globalId) ?? []).filter(
    (referral) => referral.clientId === null,
  );
  return {
    organization: client.organization,
    id: client.id,
    slug: client.slug,
    global_id: client.globalId,
    given_name: client.givenName,
    family_name: client.familyName,
    local_given_name: client.localGivenName,
    local_family_name: client.localFamilyName,
    gender: client.gender,
    date_of_birth: client.dateOfBirth,
    status: client.status,
    external_id: client.externalId,
    external_id_display: client.externalIdDisplay,
    mosvy_number: client.mosvyNumber,
    external_case_worker_name: client.externalCaseWorkerName,
    external_case_worker_id: client.externalCaseWorkerId,
    reason_for_referral: client.reasonForReferral,
    location_code: client.address?.code ?? null,
    location_level: client.address?.level ?? null,
    referred_external: client.referredExternal,
    referee_id: client.refereeId,
    case_workers: client.caseWorkers,
    enrollments: client.enrollments.map((enrollment) => ({
      program_name: enrollment.programName,
      enrollment_date: enrollment.enrollmentDate,
      services: enrollment.services.map((service) => ({ uuid: service.uuid, name: service.name })),
      created_at: enrollment.createdAt.toISOString(),
    })),
    synced_date: client.syncedDate,
    exit_reason: client.exitReason,
    created_at: client.createdAt.toISOString(),
    updated_at: client.updatedAt.toISOString(),
    deleted_at: client.deletedAt?.toISOString() ?? null,
    referrals: attached.map(referralView),
    detached_referrals: detached.map(referralView),
    identity_links: store.identities.get(client.globalId)?.links ?? [],
  };
}
