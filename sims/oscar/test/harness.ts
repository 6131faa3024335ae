import { createRng } from '@pos/sim-kit';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

import type { OscarSimOptions } from '../src/app.ts';
import { buildOscarSim } from '../src/app.ts';
import { encodeUlid } from '../src/core/ulid.ts';
import type { Store } from '../src/state/store.ts';

export const email = 'sync@oscar.test';
export const password = 'oscar-sync-password';
export const controlToken = 'sim-control';
export const systemName = 'MoSVY External System';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A simulator with a hand-driven clock and deterministic ids, plus request helpers. */
export interface Harness {
  app: FastifyInstance;
  store: Store;
  clock: { now: Date; set(iso: string): void; advance(ms: number): void };
  /** The three credential headers of the last `signIn()`. */
  auth: Record<string, string>;
  signIn(): Promise<Record<string, string>>;
  api(
    method: Method,
    url: string,
    payload?: unknown,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  control(method: Method, url: string, payload?: unknown): Promise<LightMyRequestResponse>;
  upsert(organization: Record<string, unknown>): Promise<LightMyRequestResponse>;
  listClients(query?: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startSim(
  options: OscarSimOptions = {},
  start = '2025-08-02T09:00:00.000Z',
): Promise<Harness> {
  const clock = {
    now: new Date(start),
    set(iso: string) {
      this.now = new Date(iso);
    },
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const rng = createRng(7);
  const { app, store } = buildOscarSim({
    now: () => clock.now,
    ids: {
      newUlid: (now) =>
        encodeUlid(
          now.getTime(),
          Uint8Array.from({ length: 10 }, () => rng.int(0, 255)),
        ),
      slugLetters: () => Array.from({ length: 4 }, () => String.fromCharCode(97 + rng.int(0, 25))).join(''),
    },
    ...options,
  });
  await app.ready();
  const harness: Harness = {
    app,
    store,
    clock,
    auth: {},
    async signIn() {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/admin_auth/sign_in',
        payload: { email, password },
      });
      if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode}`);
      harness.auth = {
        'access-token': String(response.headers['access-token']),
        client: String(response.headers.client),
        uid: String(response.headers.uid),
      };
      return harness.auth;
    },
    api(method, url, payload, headers) {
      const request: InjectOptions = { method, url, headers: { ...harness.auth, ...headers } };
      if (payload !== undefined) request.payload = payload as NonNullable<InjectOptions['payload']>;
      return app.inject(request);
    },
    control(method, url, payload) {
      const request: InjectOptions = { method, url, headers: { 'x-control-token': controlToken } };
      if (payload !== undefined) request.payload = payload as NonNullable<InjectOptions['payload']>;
      return app.inject(request);
    },
    upsert(organization) {
      return harness.api('POST', '/api/v1/organizations/clients/upsert/', { organization });
    },
    async listClients(query = '') {
      const response = await harness.api('GET', `/api/v1/organizations/clients${query}`);
      if (response.statusCode !== 200)
        throw new Error(`GET clients failed: ${response.statusCode} ${response.body}`);
      return response.json<{ data: Record<string, unknown>[] }>().data;
    },
    close: () => app.close(),
  };
  return harness;
}

/** An upsert payload as OpenFn's f1-j2 builds it (one service), with overrides. */
export function referralPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    external_id: 'cf579546-49fc-4352-afc6-6c2636392077',
    external_id_display: '6392077',
    mosvy_number: '',
    given_name: 'Sreypov',
    family_name: 'Heng',
    gender: 'female',
    date_of_birth: '2016-01-01',
    location_current_village_code: '01070101',
    address_current_village_code: '01070101',
    reason_for_referral: 'Child needs counselling',
    level_of_risk: 'medium',
    external_case_worker_name: 'mgrpnh',
    external_case_worker_id: '',
    external_case_worker_mobile: '000000000',
    external_case_worker_email: 'caseworker@example.org',
    is_referred: true,
    organization_name: 'cif',
    organization_id: 'agency-unicef',
    services: [{ uuid: 'c8410ecf-e102-424e-b1dc-4652ff3dc391', name: 'Generalist counselling' }],
    resource: 'Primero',
    transaction_id: 'tx-1',
    date_of_referral: '2022-10-04',
    ...overrides,
  };
}

/** An NGO client as `POST /_control/clients` takes it, with overrides. */
export function ngoClient(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organization: 'cif',
    given_name: 'Sokha',
    family_name: 'Chan',
    local_given_name: 'សុខា',
    local_family_name: 'ចាន់',
    gender: 'female',
    date_of_birth: '2013-04-17',
    location_code: '12060102',
    status: 'Accepted',
    case_worker: { name: 'Dara Kim', mobile: '012345678' },
    ...overrides,
  };
}

export interface CreatedClient {
  organization: string;
  global_id: string;
  slug: string;
  client_id: number;
  referral_ids: number[];
  client: Record<string, unknown>;
}

export async function createClient(
  harness: Harness,
  overrides: Record<string, unknown> = {},
): Promise<CreatedClient> {
  const response = await harness.control('POST', '/_control/clients', ngoClient(overrides));
  if (response.statusCode !== 201)
    throw new Error(`create client failed: ${response.statusCode} ${response.body}`);
  return response.json<CreatedClient>();
}

/** The received referrals of one external id, oldest first. */
export async function receivedReferrals(
  harness: Harness,
  externalId: string,
): Promise<Record<string, unknown>[]> {
  const response = await harness.control('GET', `/_control/referrals?external_id=${externalId}`);
  return response.json<{ referrals: Record<string, unknown>[] }>().referrals;
}

/** Accepts (or rejects) a referral as the NGO would; returns the control response body. */
export async function decide(
  harness: Harness,
  referralId: unknown,
  organization: string,
  decision: 'accept' | 'reject' = 'accept',
): Promise<{ created: boolean; client: Record<string, unknown>; referral: Record<string, unknown> }> {
  const response = await harness.control(
    'POST',
    `/_control/referrals/${String(referralId)}/${decision}?organization=${organization}`,
  );
  if (response.statusCode !== 200)
    throw new Error(`${decision} failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export function byGlobalId(
  rows: Record<string, unknown>[],
  globalId: string,
): Record<string, unknown> | undefined {
  return rows.find((row) => row.global_id === globalId);
}
