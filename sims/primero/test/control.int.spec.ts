import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CaseList, Harness } from './sim-harness.ts';
import { controlToken, startHarness, usersPassword } from './sim-harness.ts';

/** The control API (/_control/*), seeding, and the users other than the sync user. */

let sim: Harness;
beforeEach(() => {
  sim = startHarness();
});
afterEach(async () => {
  await sim.close();
});

interface Stats {
  records: Record<string, number>;
  requests: Record<string, number>;
  writes: number;
}

describe('control API', () => {
  it('requires the control token', async () => {
    const reply = await sim.request('GET', '/_control/stats', { auth: 'none' });
    expect(reply.status).toBe(401);
    expect((await sim.control('GET', '/_control/stats')).status).toBe(200);
  });

  it('counts records by kind and writes without the token calls', async () => {
    await sim.request('POST', '/api/v2/tokens', {
      auth: 'none',
      payload: { user: { user_name: 'primero-sync', password: 'primero-sync-password' } },
    });
    const record = await sim.createCase({
      module_id: 'primeromodule-cp',
      consent_for_services: true,
      disclosure_other_orgs: true,
    });
    await sim.patch(`/api/v2/cases/${String(record.id)}`, { data: { name_first: 'B' } });
    await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { transitioned_to: 'agency-cif-user' },
    });
    await sim.post('/api/v2/cases', { data: { unknown_key: 1 } });
    await sim.get('/api/v2/cases');
    const stats = (await sim.control('GET', '/_control/stats')).json<Stats>();
    expect(stats.writes).toBe(3);
    expect(stats.records).toMatchObject({ cases: 1, referrals: 1, users: 50, agencies: 26, tokens: 1 });
    expect(stats.requests['POST /api/v2/tokens']).toBe(1);
  });

  it('resets to an empty state with the same credentials', async () => {
    await sim.control('POST', '/_control/seed', { count: 5, seed: 1 });
    const reset = await sim.control('POST', '/_control/reset');
    expect(reset.json<{ records: Record<string, number> }>().records).toMatchObject({
      cases: 0,
      referrals: 0,
      users: 50,
    });
    expect((await sim.get('/api/v2/cases')).json<CaseList>().metadata.total).toBe(0);
  });

  it('returns full stored records by case_id or oscar_number, disabled ones included', async () => {
    const record = await sim.createCase({ oscar_number: '01ABC', case_id: 'Case-X' });
    await sim.del(`/api/v2/cases/${String(record.id)}`);
    for (const query of ['case_id=case-x', 'oscar_number=01ABC', `id=${String(record.id)}`]) {
      const found = (await sim.control('GET', `/_control/cases?${query}`)).json<{
        data: Record<string, unknown>[];
      }>().data;
      expect(found, query).toHaveLength(1);
      expect(found[0]).toMatchObject({
        id: record.id,
        enabled: false,
        record_state: false,
        unique_identifier: record.unique_identifier,
      });
    }
  });

  it('lists the users that can sign in, without passwords', async () => {
    const users = (await sim.control('GET', '/_control/users')).json<{ data: Record<string, unknown>[] }>()
      .data;
    const names = users.map((u) => u.user_name);
    expect(names).toContain('primero-sync');
    expect(names).toContain('mgrpnh');
    expect(names).toContain('mgrstg');
    expect(names).toContain('agency-cif-user');
    expect(users[0]).not.toHaveProperty('password');
  });
});

describe('users other than the sync user', () => {
  it('lets a province manager create and refer a case through the real API with Basic auth', async () => {
    const record = await sim.createCase(
      {
        name_first: 'Dara',
        module_id: 'primeromodule-cp',
        consent_for_services: true,
        disclosure_other_orgs: true,
      },
      'mgrbtb',
    );
    expect(record).toMatchObject({
      created_by: 'mgrbtb',
      created_organization: 'agency-mosvy',
      owned_by: 'mgrbtb',
      owned_by_full_name: 'Battambang Manager',
      owned_by_location: '2',
      owned_by_groups: ['usergroup-battambang'],
    });
    const referral = await sim.request('POST', `/api/v2/cases/${String(record.id)}/referrals`, {
      auth: `mgrbtb:${usersPassword}`,
      payload: { data: { transitioned_to: 'agency-holt-user' } },
    });
    expect(referral.json<{ data: Record<string, unknown> }>().data).toMatchObject({
      transitioned_by: 'mgrbtb',
    });
  });

  it('accepts extra users from the options', async () => {
    const custom = startHarness({
      extraUsers: [{ userName: 'sw-sokha', password: 'secret-pass', fullName: 'Sokha SW' }],
    });
    expect((await custom.request('GET', '/api/v2/cases', { auth: 'sw-sokha:secret-pass' })).status).toBe(200);
    await custom.close();
  });

  it('silently reverts an unknown owner (to none on create, to the previous owner on update)', async () => {
    const created = await sim.createCase({ owned_by: 'no-such-user' });
    expect(created.owned_by).toBeNull();
    const owned = await sim.createCase({ owned_by: 'mgrpnh' });
    const reply = await sim.patch(`/api/v2/cases/${String(owned.id)}`, {
      data: { owned_by: 'no-such-user' },
    });
    expect(reply.json<{ data: Record<string, unknown> }>().data).not.toHaveProperty('owned_by');
    const moved = await sim.patch(`/api/v2/cases/${String(owned.id)}`, { data: { owned_by: 'mgrkdl' } });
    expect(moved.json<{ data: Record<string, unknown> }>().data).toMatchObject({
      owned_by: 'mgrkdl',
      owned_by_full_name: 'Kandal Manager',
      previously_owned_by: 'mgrpnh',
      previously_owned_by_full_name: 'Phnom Penh Manager',
    });
  });
});

describe('seed', () => {
  const snapshot = async (harness: Harness) =>
    (await harness.get('/api/v2/cases?per=1000')).json<CaseList>().data;

  it('is deterministic per seed, and seeding in two steps equals one', async () => {
    const one = startHarness();
    const two = startHarness();
    const split = startHarness();
    await one.control('POST', '/_control/seed', { count: 40, seed: 42 });
    await two.control('POST', '/_control/seed', { count: 40, seed: 42 });
    await split.control('POST', '/_control/seed', { count: 15, seed: 42 });
    await split.control('POST', '/_control/seed', { count: 25, seed: 42 });
    const reference = await snapshot(one);
    expect(await snapshot(two)).toEqual(reference);
    expect(await snapshot(split)).toEqual(reference);
    const other = startHarness();
    await other.control('POST', '/_control/seed', { count: 40, seed: 43 });
    expect((await snapshot(other)).map((c) => c.id)).not.toEqual(reference.map((c) => c.id));
    await Promise.all([one, two, split, other].map((h) => h.close()));
  });

  it('seeds relative to a given instant ("now"), so two runs at different times seed the same dates', async () => {
    await sim.control('POST', '/_control/seed', { count: 10, seed: 3, now: '2020-01-01T00:00:00.000Z' });
    const cases = await snapshot(sim);
    expect(cases).toHaveLength(10);
    for (const record of cases) {
      expect(String(record.created_at) <= '2020-01-01T00:00:00.000Z').toBe(true);
      expect(String(record.last_updated_at) <= '2020-01-01T00:00:00.000Z').toBe(true);
    }
  });

  it('produces Cambodian cases: Latin names, codes without leading zeros, Cambodia services, referrals to OSCaR NGOs', async () => {
    const seeded = await sim.control('POST', '/_control/seed', { count: 200, seed: 7 });
    expect(seeded.json<{ seeded: { cases: number } }>().seeded.cases).toBe(200);
    const cases = await snapshot(sim);
    expect(cases).toHaveLength(200);
    for (const record of cases) {
      expect(record.name_first).toMatch(/^[A-Za-z]+$/);
      expect(record.location_current).toMatch(/^[1-9]\d{6,7}$/);
    }
    const referred = cases.filter((c) => c.workflow === 'referral_to_oscar');
    expect(referred.length).toBeGreaterThan(20);
    const sample = referred[0] ?? {};
    expect(sample).toMatchObject({ consent_for_services: true, disclosure_other_orgs: true });
    const row = (sample.services_section as Record<string, unknown>[])[0] ?? {};
    expect(row.service_implementing_agency).toMatch(/^agency-[a-z]+$/);
    // Every outbound referral row carries the Cambodia form's default Referral Status.
    for (const c of referred) {
      for (const r of (c.services_section as Record<string, unknown>[]).filter(
        (s) => s.service_response_type === 'referral_to_oscar',
      ))
        expect(r.referral_status_edf41f2).toBe('pending_310366');
    }
    const referrals = (await sim.get(`/api/v2/cases/${String(sample.id)}/referrals`)).json<{
      data: Record<string, unknown>[];
    }>().data;
    expect(referrals[0]).toMatchObject({
      status: 'in_progress',
      service_record_id: row.unique_id,
      transitioned_to: `${String(row.service_implementing_agency)}-user`,
    });
    expect(
      cases.some((c) => c.workflow === 'referral_from_oscar' && typeof c.oscar_number === 'string'),
    ).toBe(true);
    expect(cases.some((c) => c.status === 'closed')).toBe(true);
    const locations = (await sim.get('/api/v2/locations?per=2000')).json<CaseList>().data.map((l) => l.code);
    for (const record of cases) expect(locations).toContain(record.location_current);
  });

  it('refuses a bad seed request', async () => {
    const reply = await sim.request('POST', '/_control/seed', {
      auth: 'none',
      headers: { 'x-control-token': controlToken },
      payload: { count: -1 },
    });
    expect(reply.status).toBe(422);
  });
});
