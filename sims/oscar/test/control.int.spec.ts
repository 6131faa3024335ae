import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { SeedSummary } from '../src/seed.ts';
import type { Harness } from './harness.ts';
import {
  byGlobalId,
  controlToken,
  createClient,
  decide,
  ngoClient,
  receivedReferrals,
  referralPayload,
  startSim,
} from './harness.ts';

/** The `/_control/` API: sim-kit basics plus the NGO-side actions. */
let sim: Harness;

beforeEach(async () => {
  sim = await startSim();
  await sim.signIn();
});
afterEach(async () => {
  await sim.close();
});

describe('control token', () => {
  it('rejects /_control/ requests without x-control-token', async () => {
    const response = await sim.app.inject({ method: 'GET', url: '/_control/stats' });
    expect(response.statusCode).toBe(401);
    const ok = await sim.app.inject({
      method: 'GET',
      url: '/_control/stats',
      headers: { 'x-control-token': controlToken },
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe('GET /_control/referrals', () => {
  it('lists referrals received from MoSVY with every documented field', async () => {
    await sim.upsert(referralPayload({ external_id: 'ctl-1' }));
    const [referral] = await receivedReferrals(sim, 'ctl-1');
    for (const key of [
      'id', 'organization', 'client_global_id', 'external_id', 'external_id_display', 'mosvy_number', 'referred_to',
      'referred_from', 'ngo_name', 'referral_reason', 'name_of_referee', 'referral_phone', 'level_of_risk',
      'referral_status', 'services', 'saved', 'date_of_referral', 'created_at', 'updated_at',
    ]) {
      expect(referral).toHaveProperty(key);
    } // prettier-ignore
    const sent = await createClient(sim, {
      refer_to_mosvy: { services: ['Kinship care'], reason: 'r', level_of_risk: 'low' },
    });
    const list = await sim.control('GET', '/_control/referrals?direction=sent');
    expect(
      list.json<{ referrals: { client_global_id: string }[] }>().referrals.map((row) => row.client_global_id),
    ).toEqual([sent.global_id]);
  });
});

describe('accept / reject', () => {
  it('409s an id that exists in several tenants unless the organization is named (query or body)', async () => {
    await sim.upsert(referralPayload({ external_id: 'ctl-a' }));
    await sim.upsert(referralPayload({ external_id: 'ctl-b', organization_name: 'mho' }));
    const ambiguous = await sim.control('POST', '/_control/referrals/1/accept');
    expect(ambiguous.statusCode).toBe(409);
    expect(ambiguous.json<{ error: string }>().error).toMatch(
      /several organizations \(mho, cif\)|several organizations \(cif, mho\)/,
    );
    const viaBody = await sim.control('POST', '/_control/referrals/1/accept', { organization: 'mho' });
    expect(viaBody.statusCode).toBe(200);
    expect(viaBody.json()).toMatchObject({ client: { organization: 'mho' } });
    const again = await sim.control('POST', '/_control/referrals/1/accept?organization=mho');
    expect(again.statusCode).toBe(409);
    expect((await sim.control('POST', '/_control/referrals/99/accept')).statusCode).toBe(404);
  });

  it('refuses to decide a referral the NGO sent itself', async () => {
    const created = await createClient(sim, {
      refer_to_mosvy: { services: ['Kinship care'], reason: 'r', level_of_risk: 'low' },
    });
    const response = await sim.control(
      'POST',
      `/_control/referrals/${created.referral_ids[0] ?? 0}/accept?organization=cif`,
    );
    expect(response.statusCode).toBe(409);
  });

  it('assigns the given case worker and bumps updated_at', async () => {
    await sim.upsert(referralPayload({ external_id: 'ctl-cw' }));
    sim.clock.advance(5000);
    const response = await sim.control('POST', '/_control/referrals/1/accept', {
      organization: 'cif',
      case_worker: { name: 'Rithy Sam', mobile: '012999888' },
    });
    expect(response.json()).toMatchObject({
      client: {
        case_workers: [{ name: 'Rithy Sam', mobile: '012999888' }],
        updated_at: '2025-08-02T09:00:05.000Z',
      },
    });
  });

  it('rejecting a repeat referral leaves the existing client status alone', async () => {
    await sim.upsert(referralPayload({ external_id: 'ctl-rep' }));
    const accepted = await decide(sim, 1, 'cif');
    await sim.upsert(referralPayload({ external_id: 'ctl-rep', global_id: accepted.client.global_id }));
    const rejected = await decide(sim, 2, 'cif', 'reject');
    expect(rejected).toMatchObject({
      created: false,
      client: { status: 'Accepted' },
      referral: { referral_status: 'Exited' },
    });
  });
});

describe('clients', () => {
  it('creates what OSCaR would store (blank gender, null DOB, unknown codes) and validates the rest', async () => {
    const odd = await createClient(sim, { gender: '', date_of_birth: null, location_code: '9' });
    expect(odd.client).toMatchObject({
      gender: '',
      date_of_birth: null,
      location_code: '09',
      location_level: 'province',
    });
    expect(odd.slug).toMatch(/^[a-z]{4}-\d+$/);
    expect(odd.global_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const bad = await sim.control(
      'POST',
      '/_control/clients',
      ngoClient({ organization: 'nope', status: 'Closed', refer_to_mosvy: { services: ['Kinship Care'] } }),
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ error: string }>().error).toMatch(
      /organization must be one of.*status must be one of.*unknown service names: Kinship Care/,
    );
  });

  it('gives a client created without a case worker one, as OSCaR requires, so upserts of it succeed', async () => {
    const created = await createClient(sim, { case_worker: undefined });
    const workers = created.client.case_workers as { name: string; mobile: string | null }[];
    expect(workers).toHaveLength(1);
    expect(workers[0]?.name).toMatch(/\S+ \S+/);
    const response = await sim.upsert(
      referralPayload({ global_id: created.global_id, external_id: 'cw-default' }),
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ message: 'Record saved.' });
    const explicit = await createClient(sim, { case_worker: undefined, case_workers: [] });
    expect(explicit.client.case_workers).toEqual([]);
  });

  it('edits, enrols, exits, patches referral statuses and shows the full client', async () => {
    const created = await createClient(sim, {
      refer_to_mosvy: { services: ['Kinship care'], reason: 'r', level_of_risk: 'low' },
    });
    sim.clock.advance(1000);
    const patched = await sim.control('PATCH', `/_control/clients/${created.global_id}`, {
      given_name: 'Piseth',
      location_code: '120601',
      mosvy_number: 'MSV-2',
      case_worker: { name: 'Chenda Touch', mobile: '077111222' },
    });
    expect(patched.json()).toMatchObject({
      given_name: 'Piseth',
      location_code: '120601',
      location_level: 'commune',
      mosvy_number: 'MSV-2',
      updated_at: '2025-08-02T09:00:01.000Z',
    });
    const enrolled = await sim.control('POST', `/_control/clients/${created.global_id}/enrollments`, {
      program_name: 'Family Support',
      services: ['Family support'],
      enrollment_date: '2025-07-30',
    });
    expect(enrolled.json()).toMatchObject({
      status: 'Active',
      enrollments: [{ program_name: 'Family Support', enrollment_date: '2025-07-30' }],
    });
    const referral = await sim.control(
      'PATCH',
      `/_control/referrals/${created.referral_ids[0] ?? 0}?organization=cif`,
      {
        referral_status: 'Exited',
      },
    );
    expect(referral.json()).toMatchObject({ referral_status: 'Exited' });
    const exited = await sim.control('POST', `/_control/clients/${created.global_id}/exit`, {
      reason: 'Moved away',
    });
    expect(exited.json()).toMatchObject({ status: 'Exited', exit_reason: 'Moved away' });
    const full = (await sim.control('GET', `/_control/clients/${created.global_id}`)).json<
      Record<string, unknown>
    >();
    expect(full).toMatchObject({
      referred_external: true,
      referrals: [{ referral_status: 'Exited' }],
      detached_referrals: [],
    });
    expect((await sim.control('GET', '/_control/clients/01HUNKNOWNUNKNOWNUNKNOWNXX')).statusCode).toBe(404);
  });
});

describe('stats, reset and faults', () => {
  it('counts records by kind and writes (upsert, update_links, update_statuses only)', async () => {
    await sim.upsert(referralPayload({ external_id: 'w-1' }));
    await sim.upsert({});
    await sim.api('PUT', '/api/v1/organizations/clients/update_links', { data: [{ global_id: 'x' }] });
    await sim.api('PUT', '/api/v1/organizations/referrals/update_statuses', {
      data: [{ client_global_id: 'x' }],
    });
    await sim.listClients();
    await sim.signIn();
    await createClient(sim);
    const stats = (await sim.control('GET', '/_control/stats')).json<{
      records: Record<string, number>;
      writes: number;
      requests: Record<string, number>;
    }>();
    expect(stats.records).toMatchObject({ clients: 1, referrals: 1, globalIdentities: 2, organizations: 25 });
    expect(stats.writes).toBe(2);
    expect(stats.requests['POST /api/v1/organizations/clients/upsert']).toBe(2);
  });

  it('resets state but keeps the API user signed in', async () => {
    await createClient(sim);
    const reset = await sim.control('POST', '/_control/reset');
    expect(reset.json()).toMatchObject({ records: { clients: 0, referrals: 0, globalIdentities: 0 } });
    expect(await sim.listClients()).toEqual([]);
  });

  it('renders injected faults the way the OSCaR stack would', async () => {
    await sim.control('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 500,
      paths: 'organizations/clients$',
    });
    const page = await sim.api('GET', '/api/v1/organizations/clients');
    expect(page.statusCode).toBe(500);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await sim.api('GET', '/api/v1/organizations')).statusCode).toBe(200);
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 503 });
    const gateway = await sim.api('GET', '/api/v1/organizations');
    expect(gateway.statusCode).toBe(503);
    expect(gateway.body).toContain('<center>nginx</center>');
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 401 });
    expect((await sim.api('GET', '/api/v1/organizations')).json()).toStrictEqual({
      errors: ['You need to sign in or sign up before continuing.'],
    });
    await sim.control('DELETE', '/_control/faults');
    expect((await sim.api('GET', '/api/v1/organizations/clients')).statusCode).toBe(200);
  });

  it('adds Retry-After to injected errors when asked, as a proxy answering 503 or 429 does', async () => {
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 429, retryAfterSeconds: 2 });
    const limited = await sim.api('GET', '/api/v1/organizations');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('2');
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 503 });
    expect((await sim.api('GET', '/api/v1/organizations')).headers['retry-after']).toBeUndefined();
    expect((await sim.control('PUT', '/_control/faults', { retryAfterSeconds: -1 })).statusCode).toBe(422);
  });

  it('seeds relative to a given instant, so two runs seed the same records', async () => {
    const now = '2026-06-30T23:58:00.000Z';
    await sim.control('POST', '/_control/seed', { count: 20, seed: 7, now });
    const first = [...sim.store.tenants.values()].flatMap((t) =>
      [...t.clients.values()].map((c) => c.dateOfBirth + c.createdAt.toISOString()),
    );
    await sim.control('POST', '/_control/reset');
    await sim.control('POST', '/_control/seed', { count: 20, seed: 7, now });
    const second = [...sim.store.tenants.values()].flatMap((t) =>
      [...t.clients.values()].map((c) => c.dateOfBirth + c.createdAt.toISOString()),
    );
    expect(second).toEqual(first);
    expect(first.length).toBeGreaterThan(0);
    expect(first.every((value) => value.slice(-24) <= now)).toBe(true);
  });
});

describe('GET /api/v1/organizations', () => {
  it('lists NGOs without auth, sorted by created_at, without internal tenants such as cwd', async () => {
    const response = await sim.app.inject({ method: 'GET', url: '/api/v1/organizations' });
    const body = response.json<{ organizations: Record<string, unknown>[] }>();
    expect(Object.keys(body)).toEqual(['organizations']);
    const names = body.organizations.map((organization) => organization.short_name);
    expect(names).not.toContain('cwd');
    expect(names).toHaveLength(24);
    expect(names[0]).toBe('demo');
    expect(body.organizations.find((organization) => organization.short_name === 'cif')).toMatchObject({
      id: 46,
      full_name: 'Children in Families',
      country: 'cambodia',
      demo: false,
    });
    expect(Object.keys(body.organizations[0] ?? {})).toEqual([
      'id',
      'full_name',
      'short_name',
      'logo',
      'country',
      'demo',
    ]);
  });

  it('answers check_duplication', async () => {
    await createClient(sim);
    const found = await sim.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/clients/check_duplication?given_name=sokha&family_name=Chan&date_of_birth=2013-04-17&local_given_name=x',
    });
    expect(found.json()).toStrictEqual({ similar_fields: 'Record was Found' });
    const missing = await sim.app.inject({
      method: 'GET',
      url: '/api/v1/organizations/clients/check_duplication?given_name=Nobody',
    });
    expect(missing.json()).toStrictEqual({ similar_fields: 'Record was not found' });
  });
});

describe('seed', () => {
  const seedAndList = async (seed: number) => {
    const fresh = await startSim();
    await fresh.signIn();
    const seeded = await fresh.control('POST', '/_control/seed', { count: 400, seed });
    const rows = await fresh.listClients();
    await fresh.close();
    return { summary: seeded.json<{ seeded: SeedSummary }>().seeded, rows };
  };

  it('is deterministic per seed', async () => {
    const a = await seedAndList(11);
    const b = await seedAndList(11);
    const c = await seedAndList(12);
    expect(a.rows).toEqual(b.rows);
    expect(a.summary).toEqual(b.summary);
    expect(c.rows).not.toEqual(a.rows);
  });

  it('creates plausible clients of every kind', async () => {
    const { summary, rows } = await seedAndList(3);
    expect(summary.clients).toBe(400);
    expect(rows.length).toBe(400 - summary.unlisted);
    expect(summary.unlisted).toBeGreaterThan(0);
    const referred = rows.filter((row) => 'organization_id' in row);
    expect(referred.length).toBeGreaterThan(20);
    for (const row of referred) {
      expect(['high', 'medium', 'low', 'no action']).toContain(row.level_of_risk);
      expect((row.services as unknown[]).length).toBeGreaterThan(0);
    }
    expect(rows.some((row) => /[\u1780-\u17FF]/.test(String(row.local_given_name)))).toBe(true);
    expect(rows.some((row) => row.resource === 'primero')).toBe(true);
    expect(
      rows.some((row) =>
        (row.services as { enrollment_date: string | null }[]).some((service) => service.enrollment_date),
      ),
    ).toBe(true);
    for (const row of rows) {
      expect(String(row.location_current_village_code)).toMatch(/^$|^(0[1-9]|1\d|2[0-5])(\d{2}){0,3}$/);
      expect(String(row.slug)).toMatch(/^[a-z]{4}-\d+$/);
      expect(row.organization_name).not.toBe('demo');
    }
    expect(byGlobalId(rows, String(rows[0]?.global_id))).toBeDefined();
  });
});
