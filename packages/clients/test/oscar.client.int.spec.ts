import type { AddressInfo } from 'node:net';

import type { OscarSim } from '@pos/sim-oscar';
import { buildOscarSim } from '@pos/sim-oscar';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { OscarClient, OscarClientOptions } from '../src/index.ts';
import { createOscarClient, UpstreamError } from '../src/index.ts';

const email = 'sync@oscar.test';
const password = 'oscar-sync-password';
const controlHeaders = { 'x-control-token': 'sim-control', 'content-type': 'application/json' };
/** A name no synthetic record uses: it must never show up in an error message. */
const childName = { given: 'Sreyleakhena', family: 'Vongsavathy' };

const serverClock = { now: new Date('2025-08-02T09:00:00.000Z') };
let app: OscarSim['app'];
let baseUrl: string;

beforeAll(async () => {
  ({ app } = buildOscarSim({ now: () => serverClock.now, timeoutHoldMs: 1_000 }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app.close();
});

beforeEach(async () => {
  serverClock.now = new Date('2025-08-02T09:00:00.000Z');
  await control('POST', '/_control/reset');
});

const errors: UpstreamError[] = [];
afterEach(() => {
  for (const error of errors) {
    expect(error.message).not.toContain(childName.given);
    expect(error.message).not.toContain(childName.family);
    expect(error.message).not.toContain(password);
  }
});

async function control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: controlHeaders,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

function client(overrides: Partial<OscarClientOptions> = {}): OscarClient {
  return createOscarClient({
    baseUrl,
    email,
    password,
    maxRetryAfterPauseMs: 0,
    now: () => serverClock.now.getTime(),
    ...overrides,
  });
}

async function caught(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) {
      errors.push(error);
      return error;
    }
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

/** An NGO client referred to MoSVY, named `childName`; returns its global id and referral id. */
async function referredClient(): Promise<{ globalId: string; referralId: number }> {
  const created = await control('POST', '/_control/clients', {
    organization: 'cif',
    given_name: childName.given,
    family_name: childName.family,
    gender: 'female',
    date_of_birth: '2014-03-01',
    location_code: '12010203',
    case_worker: { name: 'Dara Kim', mobile: '012345678' },
    refer_to_mosvy: { services: ['Kinship care'], reason: 'Needs care', level_of_risk: 'medium' },
  });
  const [referralId] = created.referral_ids as number[];
  return { globalId: created.global_id as string, referralId: referralId ?? -1 };
}

const referral = {
  external_id: 'cf579546-49fc-4352-afc6-6c2636392077',
  external_id_display: '6392077',
  given_name: childName.given,
  family_name: childName.family,
  gender: 'female',
  date_of_birth: '2016-01-01',
  location_current_village_code: '01070101',
  reason_for_referral: 'Child needs counselling',
  level_of_risk: 'medium',
  external_case_worker_name: 'mgrpnh',
  external_case_worker_mobile: '000000000',
  is_referred: true,
  organization_name: 'cif',
  services: [{ name: 'Generalist counselling' }],
};

describe('OSCaR client: auth', () => {
  it('signs in lazily once and sends access-token, client and uid on protected calls', async () => {
    const oscar = client();
    expect(oscar.stats().logins).toBe(0);
    const { globalId } = await referredClient();
    const clients = await oscar.listClients({ sinceDate: '2025-08-01' });
    expect(clients.map((item) => item.global_id)).toContain(globalId);
    await oscar.listClients();
    expect(oscar.stats()).toMatchObject({ logins: 1, retries: 0, requests: 3 });
  });

  it('reads the list a batch at a time, the same clients as listClients', async () => {
    const oscar = client();
    for (let i = 0; i < 5; i += 1) await referredClient();
    const whole = await oscar.listClients({ sinceDate: '2025-08-01' });
    const batches: string[][] = [];
    const read = await oscar.forEachClientBatch(
      { sinceDate: '2025-08-01', batchSize: 2 },
      async (clients) => {
        batches.push(clients.map((item) => String(item.global_id)));
      },
    );
    expect(read).toBe(whole.length);
    expect(batches.flat()).toEqual(whole.map((item) => String(item.global_id)));
    expect(batches.every((batch) => batch.length <= 2)).toBe(true);
    expect(batches.length).toBe(Math.ceil(whole.length / 2));
  });

  it("passes on a batch handler's own failure, and fails on an error status as listClients does", async () => {
    const oscar = client();
    await referredClient();
    const own = new Error('the poller failed');
    await expect(
      oscar.forEachClientBatch({ batchSize: 1 }, async () => {
        throw own;
      }),
    ).rejects.toBe(own);
    await control('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 500,
      paths: '^/api/v1/organizations/clients$',
    });
    const error = await caught(oscar.forEachClientBatch({ batchSize: 1 }, async () => undefined));
    expect(error).toMatchObject({ system: 'oscar', status: 500, retryable: true });
  });

  it('signs in again when the token expires within an hour', async () => {
    let now = Date.parse('2025-08-02T09:00:00.000Z');
    const oscar = client({ now: () => now });
    await oscar.listClients();
    now += 7 * 24 * 3600_000 - 30 * 60_000; // 30 min before the one-week expiry
    serverClock.now = new Date(now);
    await oscar.listClients();
    expect(oscar.stats()).toMatchObject({ logins: 2, retries: 0 });
  });

  it('signs in again on a 401 and retries the request once', async () => {
    const oscar = client({ now: () => Date.parse('2025-08-02T09:00:00.000Z') });
    await oscar.listClients();
    serverClock.now = new Date('2025-08-10T09:00:00.000Z'); // the server says the token expired; we do not know
    await expect(oscar.listClients()).resolves.toEqual([]);
    expect(oscar.stats()).toMatchObject({ logins: 2, retries: 1, errors: { AUTH_FAILED: 1 } });
  });

  it('gives up after one fresh sign-in when the 401 persists: AUTH_FAILED, permanent', async () => {
    const oscar = client();
    await control('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 401,
      paths: '^/api/v1/organizations/clients$',
    });
    const error = await caught(oscar.listClients());
    expect(error).toMatchObject({ code: 'AUTH_FAILED', status: 401, retryable: false });
    expect(error.message).toContain('refused again right after a fresh sign-in');
    expect(oscar.stats()).toMatchObject({ logins: 2, retries: 1, requests: 4 });
  });

  it('reports a refused sign-in as AUTH_FAILED, permanent, without the credentials', async () => {
    const oscar = client({ password: 'wrong-password-123' });
    const error = await caught(oscar.listClients());
    expect(error).toMatchObject({
      system: 'oscar',
      code: 'AUTH_FAILED',
      status: 401,
      retryable: false,
      operation: 'POST /api/v1/admin_auth/sign_in',
    });
    expect(error.message).toBe(
      'oscar POST /api/v1/admin_auth/sign_in: HTTP 401 AUTH_FAILED: Invalid login credentials. Please try again.',
    );
    expect(error.message).not.toContain('wrong-password-123');
    expect(error.message).not.toContain(email);
  });
});

describe('OSCaR client: endpoints', () => {
  it('upserts a referral and returns the external id and message', async () => {
    const oscar = client();
    await expect(oscar.upsertClient(referral)).resolves.toEqual({
      externalId: referral.external_id,
      message: 'Record saved.',
    });
    expect(await control('GET', `/_control/referrals?external_id=${referral.external_id}`)).toMatchObject({
      referrals: [{ referral_status: 'Referred', level_of_risk: 'medium' }],
    });
  });

  it('writes links with update_links', async () => {
    const oscar = client();
    const { globalId } = await referredClient();
    await oscar.updateLinks([
      { global_id: globalId, external_id: referral.external_id, external_id_display: '6392077' },
    ]);
    expect(await control('GET', `/_control/clients/${globalId}`)).toMatchObject({
      external_id: referral.external_id,
      external_id_display: '6392077',
    });
  });

  it('sends one status per request with updateStatus so a bad item blocks nothing', async () => {
    const oscar = client();
    const good = await referredClient();
    const bad = { client_global_id: good.globalId, referral_id: 999_999, referral_status: 'Accepted' };
    const ok = { client_global_id: good.globalId, referral_id: good.referralId, referral_status: 'Accepted' };

    // In one batch, the bad item first stops the batch: the good one is not applied.
    const batch = await caught(oscar.updateStatuses([bad, ok]));
    expect(batch).toMatchObject({ code: 'VALIDATION', status: 422, retryable: false });
    expect(batch.message).toBe(
      "oscar PUT /api/v1/organizations/referrals/update_statuses: HTTP 422 VALIDATION: Record error. Please check OSCaR logs for details.; Couldn't find Referral with 'id'=999999",
    );
    expect(await control('GET', `/_control/referrals/${good.referralId}?organization=cif`)).toMatchObject({
      referral_status: 'Referred',
    });

    // One per request: the bad one fails alone, the good one lands.
    const outcomes = await Promise.allSettled([oscar.updateStatus(bad), oscar.updateStatus(ok)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
    expect(await control('GET', `/_control/referrals/${good.referralId}?organization=cif`)).toMatchObject({
      referral_status: 'Accepted',
    });
  });

  it('lists organizations without signing in', async () => {
    const oscar = client();
    const organizations = await oscar.listOrganizations();
    expect(organizations.map((organization) => organization.short_name)).toContain('cif');
    expect(oscar.stats().logins).toBe(0);
  });
});

describe('OSCaR client: errors', () => {
  it('classifies a 422 with Rails attribute messages, never echoing the record', async () => {
    const oscar = client();
    const error = await caught(oscar.upsertClient({ ...referral, level_of_risk: 'no_action', services: [] }));
    expect(error).toMatchObject({ code: 'VALIDATION', status: 422, retryable: false });
    expect(error.message).toContain('level_of_risk: is not included in the list');
    expect(error.message).toContain("services: can't be blank");
    expect(error.message).not.toContain(referral.external_id);
  });

  it('classifies a 500 with a non-JSON body as retryable and does not show the body', async () => {
    const oscar = client();
    await control('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 500,
      paths: '^/api/v1/organizations/clients$',
    });
    const error = await caught(oscar.listClients());
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 500, retryable: true });
    expect(error.message).toBe(
      'oscar GET /api/v1/organizations/clients: HTTP 500 SERVER_ERROR: non-JSON body (not shown)',
    );
  });

  it.each([
    [503, 'SERVER_ERROR'],
    [429, 'RATE_LIMITED'],
    [404, 'NOT_FOUND'],
  ] as const)('classifies an injected %i as %s', async (status, code) => {
    const oscar = client();
    await control('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: status,
      paths: '^/api/v1/organizations$',
    });
    const error = await caught(oscar.listOrganizations());
    expect(error).toMatchObject({ code, status, retryable: status !== 404 });
    expect(error.message).toContain('non-JSON body (not shown)');
  });

  it('times out a slow response as retryable TIMEOUT', async () => {
    const oscar = client({ timeoutMs: 100 });
    await control('PUT', '/_control/faults', { latencyMs: 400, paths: '^/api/v1/organizations$' });
    const error = await caught(oscar.listOrganizations());
    expect(error).toMatchObject({ code: 'TIMEOUT', status: undefined, retryable: true });
    expect(error.message).toBe(
      'oscar GET /api/v1/organizations: TIMEOUT: no complete response within 100 ms',
    );
  });

  it('classifies a refused connection as retryable NETWORK', async () => {
    const oscar = createOscarClient({ baseUrl: 'http://127.0.0.1:9', email, password });
    const error = await caught(oscar.listOrganizations());
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
  });
});

describe('OSCaR client: limits', () => {
  it('keeps to maxRequestsPerSecond and maxConcurrency by its own accounting', async () => {
    const oscar = client({ maxRequestsPerSecond: 4, maxConcurrency: 2 });
    await Promise.all(Array.from({ length: 9 }, () => oscar.listOrganizations()));
    const { limiter, requests } = oscar.stats();
    expect(requests).toBe(9);
    expect(limiter).toMatchObject({ started: 9, peakPerSecond: 4, peakConcurrency: 2, active: 0, queued: 0 });
    expect(limiter.delayed).toBeGreaterThan(0);
    const stats = await control('GET', '/_control/stats');
    expect(stats.requests).toMatchObject({ 'GET /api/v1/organizations': 9 });
  });
});
