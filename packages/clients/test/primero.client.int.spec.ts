import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';

import type { PrimeroSimOptions } from '@pos/sim-primero';
import { buildPrimeroSim } from '@pos/sim-primero';
import { afterEach, describe, expect, it } from 'vitest';

import type { PrimeroClient, PrimeroClientOptions, UnknownRecord } from '../src/index.ts';
import { createPrimeroClient, UpstreamError } from '../src/index.ts';

const user = 'primero-sync';
const password = 'primero-sync-password';
const controlHeaders = { 'x-control-token': 'sim-control', 'content-type': 'application/json' };
/** A name no synthetic record uses: it must never show up in an error message. */
const childName = { first: 'Sreyleakhena', last: 'Vongsavathy' };

interface Sim {
  baseUrl: string;
  control(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  client(overrides?: Partial<PrimeroClientOptions>): PrimeroClient;
}

const open: Array<{ close(): Promise<unknown> }> = [];
const errors: UpstreamError[] = [];

afterEach(async () => {
  for (const error of errors.splice(0)) {
    expect(error.message).not.toContain(childName.first);
    expect(error.message).not.toContain(childName.last);
    expect(error.message).not.toContain(password);
  }
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function startSim(options: PrimeroSimOptions = {}): Promise<Sim> {
  const app = buildPrimeroSim({ timeoutHoldMs: 1_000, ...options });
  open.push(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    async control(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: controlHeaders,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    },
    client: (overrides = {}) =>
      createPrimeroClient({ baseUrl, user, password, auth: 'jwt', maxRetryAfterPauseMs: 0, ...overrides }),
  };
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

async function collect(pages: AsyncIterable<{ cases: UnknownRecord[] }>): Promise<UnknownRecord[]> {
  const all: UnknownRecord[] = [];
  for await (const page of pages) all.push(...page.cases);
  return all;
}

const newCase = (overrides: UnknownRecord = {}): UnknownRecord => ({
  module_id: 'primeromodule-cp',
  name_first: childName.first,
  name_last: childName.last,
  sex: 'female',
  date_of_birth: '2014-03-01',
  oscar_number: '01H8ZK3Q9V4T7M2N5P6R8S1W0X',
  ...overrides,
});

describe('Primero client: JWT auth', () => {
  it('logs in lazily once, with the body token, and reuses it', async () => {
    const sim = await startSim();
    const primero = sim.client();
    expect(primero.stats().logins).toBe(0);
    const { id } = await primero.createCase(newCase());
    await primero.getCase(id);
    expect(primero.stats()).toMatchObject({ logins: 1, refreshes: 0, retries: 0, requests: 3 });
  });

  it('refreshes the token before it expires, with the current Bearer', async () => {
    const sim = await startSim({ jwtTtlSeconds: 600 });
    let now = Date.now();
    const primero = sim.client({ now: () => now });
    const { id } = await primero.createCase(newCase());
    now += 301_000; // less than 5 min left on a 10-min token
    await primero.getCase(id);
    await primero.getCase(id);
    expect(primero.stats()).toMatchObject({ logins: 1, refreshes: 1, retries: 0, requests: 5, errors: {} });
  });

  it('logs in again on a 401 (token expired on the server) and retries once', async () => {
    let serverNow = Date.now();
    const sim = await startSim({ jwtTtlSeconds: 60, now: () => serverNow });
    const clientNow = Date.now();
    const primero = sim.client({ now: () => clientNow }); // our clock says the token is fresh
    const { id } = await primero.createCase(newCase());
    serverNow += 120_000;
    await expect(primero.getCase(id)).resolves.toMatchObject({ id });
    expect(primero.stats()).toMatchObject({ logins: 2, retries: 1, errors: { AUTH_FAILED: 1 } });
  });

  it('gives up after one fresh login when the 401 persists: AUTH_FAILED, permanent', async () => {
    const sim = await startSim();
    const primero = sim.client();
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 401, paths: '^/api/v2/cases' });
    const error = await caught(primero.getCase(randomUUID()));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', status: 401, retryable: false });
    expect(error.message).toBe(
      'primero GET /api/v2/cases/:id: HTTP 401 AUTH_FAILED: You need to sign in or sign up before continuing.; refused again right after a fresh login: check the account and its role',
    );
    expect(primero.stats()).toMatchObject({ logins: 2, retries: 1 });
  });

  it('reports bad credentials as AUTH_FAILED without the user name or password', async () => {
    const sim = await startSim();
    const primero = sim.client({ password: 'not-the-password-42' });
    const error = await caught(primero.getCase(randomUUID()));
    expect(error).toMatchObject({
      code: 'AUTH_FAILED',
      status: 401,
      retryable: false,
      operation: 'POST /api/v2/tokens',
    });
    expect(error.message).toBe(
      'primero POST /api/v2/tokens: HTTP 401 AUTH_FAILED: Invalid User name or password.',
    );
    expect(error.message).not.toContain('not-the-password-42');
    expect(error.message).not.toContain(user);
  });
});

describe('Primero client: Basic auth', () => {
  it('works on Primero 2.11 with no login step', async () => {
    const sim = await startSim({ version: '2.11' });
    const primero = sim.client({ auth: 'basic' });
    const { id } = await primero.createCase(newCase());
    await expect(primero.getCase(id)).resolves.toMatchObject({ id, name_first: childName.first });
    expect(primero.stats()).toMatchObject({ logins: 0, requests: 2 });
  });

  it('explains that JWT cannot work on Primero 2.11', async () => {
    const sim = await startSim({ version: '2.11' });
    const error = await caught(sim.client().getCase(randomUUID()));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false, status: 200 });
    expect(error.message).toContain("set auth to 'basic'");
  });
});

describe('Primero client: cases', () => {
  it('pages through 250 cases, 100 per page, skipping and repeating nothing', async () => {
    const sim = await startSim();
    await sim.control('POST', '/_control/seed', { count: 250, seed: 7 });
    const primero = sim.client({ auth: 'basic', pageSize: 100 });
    const pages: Array<{ page: number; size: number; total: number }> = [];
    const ids: unknown[] = [];
    for await (const page of primero.listCases({})) {
      pages.push({ page: page.page, size: page.cases.length, total: page.total });
      ids.push(...page.cases.map((record) => record.id));
    }
    expect(pages).toEqual([
      { page: 1, size: 100, total: 250 },
      { page: 2, size: 100, total: 250 },
      { page: 3, size: 50, total: 250 },
    ]);
    expect(new Set(ids).size).toBe(250);
    const stored = await sim.control('GET', '/_control/cases?limit=1000');
    expect(new Set(ids)).toEqual(new Set((stored.data as UnknownRecord[]).map((record) => record.id)));
  });

  it('does not shift pages when cases are created during the walk (created_at asc)', async () => {
    const sim = await startSim();
    await sim.control('POST', '/_control/seed', { count: 30, seed: 3 });
    const primero = sim.client({ auth: 'basic' });
    const ids: unknown[] = [];
    let created = false;
    for await (const page of primero.listCases({}, { pageSize: 10 })) {
      ids.push(...page.cases.map((record) => record.id));
      if (!created) {
        created = true;
        await primero.createCase(newCase());
      }
    }
    expect(ids).toHaveLength(31);
    expect(new Set(ids).size).toBe(31);
  });

  it('creates with a client-chosen id (204, no body) and refuses a second create with 409 CONFLICT', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    const id = randomUUID();
    await expect(primero.createCase(newCase(), { id })).resolves.toEqual({ id, record: undefined });
    const stored = await primero.getCase(id);
    expect(stored).toMatchObject({ id, name_first: childName.first });
    expect(typeof stored.case_id).toBe('string');
    const again = await caught(primero.createCase(newCase(), { id }));
    expect(again).toMatchObject({ code: 'CONFLICT', status: 409, retryable: false });
    expect(again.message).toBe(
      'primero POST /api/v2/cases: HTTP 409 CONFLICT: Conflict: A record with this id already exists',
    );
  });

  it('finds a case exactly by case_id, oscar_number and id, returning every match', async () => {
    const sim = await startSim();
    await sim.control('POST', '/_control/seed', { count: 20, seed: 5 });
    const primero = sim.client({ auth: 'basic' });
    const caseId = randomUUID();
    const { id } = await primero.createCase(newCase({ case_id: caseId }));
    await expect(primero.findCases({ case_id: caseId.toUpperCase() })).resolves.toMatchObject([{ id }]);
    await expect(primero.findCases({ id })).resolves.toMatchObject([{ case_id: caseId }]);
    await expect(primero.findCases({ case_id: randomUUID() })).resolves.toEqual([]);
    await primero.createCase(newCase());
    const twins = await primero.findCases({ oscar_number: '01H8ZK3Q9V4T7M2N5P6R8S1W0X' });
    expect(twins).toHaveLength(2); // the caller refuses to pick one
    expect(primero.stats().requests).toBe(6);
  });

  it('patches a case, lists its referrals and accepts one', async () => {
    const sim = await startSim();
    await sim.control('POST', '/_control/seed', { count: 40, seed: 11 });
    const primero = sim.client();
    const all = await collect(primero.listCases({ workflow: 'referral_to_oscar' }));
    let target: { caseId: string; referralId: string } | undefined;
    for (const record of all) {
      const referrals = await primero.listReferrals(String(record.id));
      const pending = referrals.find((referral) => referral.status === 'in_progress');
      if (pending) {
        target = { caseId: String(record.id), referralId: String(pending.id) };
        break;
      }
    }
    if (!target) throw new Error('the seed should hold a case with an in_progress referral');
    const patched = await primero.patchCase(target.caseId, { oscar_status: 'Active' });
    expect(patched).toMatchObject({ id: target.caseId, oscar_status: 'Active' });
    const accepted = await primero.patchReferral(target.caseId, target.referralId, { status: 'accepted' });
    expect(accepted).toMatchObject({ id: target.referralId, status: 'accepted' });
  });
});

describe('Primero client: errors', () => {
  it('classifies a schema 422 with JSON pointers and never echoes the record', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    const error = await caught(
      primero.createCase(newCase({ record_id: childName.first, date_of_birth: '2014/03/01' })),
    );
    expect(error).toMatchObject({
      code: 'VALIDATION',
      status: 422,
      retryable: false,
      operation: 'POST /api/v2/cases',
    });
    expect(error.message).toMatch(
      /^primero POST \/api\/v2\/cases: HTTP 422 VALIDATION: Invalid Record JSON at /,
    );
    expect(error.message).toContain('/record_id');
    expect(error.message).toContain('/date_of_birth');
  });

  it('classifies an unknown case as NOT_FOUND without the id detail', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    const error = await caught(primero.patchCase(randomUUID(), { name_first: childName.first }));
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, retryable: false });
    expect(error.message).toBe('primero PATCH /api/v2/cases/:id: HTTP 404 NOT_FOUND: Not Found');
  });

  it('hides the exception text of a 500 (it can quote the request)', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 500, paths: '^/api/v2/cases' });
    const error = await caught(primero.createCase(newCase()));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 500, retryable: true });
    expect(error.message).toBe('primero POST /api/v2/cases: HTTP 500 SERVER_ERROR: (5xx message not shown)');
  });

  it('classifies a non-JSON 502 page as retryable and does not show it', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    await sim.control('PUT', '/_control/faults', {
      nonJsonRate: 1,
      errorStatus: 502,
      paths: '^/api/v2/cases',
    });
    const error = await caught(collect(primero.listCases({})));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 502, retryable: true });
    expect(error.message).toBe('primero GET /api/v2/cases: HTTP 502 SERVER_ERROR: non-JSON body (not shown)');
  });

  it('exposes Retry-After of a 503 config lock and pauses the client', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic', maxRetryAfterPauseMs: 300 });
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 503, paths: '^/api/v2/cases' });
    const error = await caught(primero.getCase(randomUUID()));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', status: 503, retryable: true, retryAfterMs: 60_000 });
    expect(error.message).toBe('primero GET /api/v2/cases/:id: HTTP 503 SERVER_ERROR: Service Unavailable');
    await sim.control('DELETE', '/_control/faults');
    await caught(primero.getCase(randomUUID())); // 404 now, but only after the pause
    expect(primero.stats().limiter.delayed).toBe(1);
  });

  it('classifies the login throttle 429 (plain text) as RATE_LIMITED', async () => {
    const sim = await startSim();
    await sim.control('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 429,
      paths: '^/api/v2/tokens',
    });
    const error = await caught(sim.client().getCase(randomUUID()));
    expect(error).toMatchObject({
      code: 'RATE_LIMITED',
      status: 429,
      retryable: true,
      retryAfterMs: undefined,
    });
    expect(error.message).toBe(
      'primero POST /api/v2/tokens: HTTP 429 RATE_LIMITED: non-JSON body (not shown)',
    );
  });

  it('times out a slow response as retryable TIMEOUT', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic', timeoutMs: 100 });
    await sim.control('PUT', '/_control/faults', { latencyMs: 400, paths: '^/api/v2/cases' });
    const error = await caught(primero.getCase(randomUUID()));
    expect(error).toMatchObject({ code: 'TIMEOUT', status: undefined, retryable: true });
  });

  it('times out a request the server holds and then drops', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic', timeoutMs: 200 });
    await sim.control('PUT', '/_control/faults', { timeoutRate: 1, paths: '^/api/v2/cases' });
    const error = await caught(primero.getCase(randomUUID()));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('refuses a filter that would make the request line longer than nginx accepts', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    const error = await caught(collect(primero.listCases({ oscar_number: 'X'.repeat(1000) })));
    expect(error).toMatchObject({ code: 'REQUEST_TOO_LONG', retryable: false });
    expect(primero.stats().requests).toBe(0);
  });

  it('never puts a seeded name into any error message', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic' });
    const { id } = await primero.createCase(newCase());
    const failures = [
      await caught(primero.patchCase(id, { date_of_birth: '2099-01-01', name_nickname: childName.first })),
      await caught(primero.patchCase(id, { name_first: 42 })),
      await caught(
        primero.createCase(
          newCase({ services_section: [{ unique_id: 'NOT-A-UUID', name: childName.last }] }),
        ),
      ),
    ];
    expect(failures.map((failure) => failure.code)).toEqual(['VALIDATION', 'VALIDATION', 'VALIDATION']);
    // afterEach asserts the name is absent from every collected error message.
  });
});

describe('Primero client: limits', () => {
  it('keeps to maxRequestsPerSecond and maxConcurrency by its own accounting', async () => {
    const sim = await startSim();
    const primero = sim.client({ auth: 'basic', maxRequestsPerSecond: 5, maxConcurrency: 3 });
    const { id } = await primero.createCase(newCase());
    await Promise.all(Array.from({ length: 11 }, () => primero.getCase(id)));
    const { limiter, requests } = primero.stats();
    expect(requests).toBe(12);
    expect(limiter).toMatchObject({
      started: 12,
      peakPerSecond: 5,
      peakConcurrency: 3,
      active: 0,
      queued: 0,
    });
    expect(limiter.delayed).toBeGreaterThan(0);
    const stats = await sim.control('GET', '/_control/stats');
    expect(stats.requests).toMatchObject({ 'GET /api/v2/cases/:id': 11 });
  });
});
