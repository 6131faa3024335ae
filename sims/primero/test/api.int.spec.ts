import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CaseList, ErrorList, Harness } from './sim-harness.ts';
import { ids, startHarness } from './sim-harness.ts';

/** The rest of the surface: filter forms beyond the checklist, tokens, metadata endpoints, routing. */

let sim: Harness;
beforeEach(() => {
  sim = startHarness();
});
afterEach(async () => {
  await sim.close();
});

describe('filters: or, not, location hierarchy, Solr errors', () => {
  it('supports or[…] and not[…]', async () => {
    const a = await sim.createCase({ owned_by: 'mgrpnh', sex: 'female' });
    const b = await sim.createCase({ owned_by: 'mgrkdl', sex: 'male' });
    const c = await sim.createCase({ owned_by: 'mgrbtb', sex: 'male' });
    expect(new Set(ids(await sim.get('/api/v2/cases?or[owned_by]=mgrpnh&or[sex]=male')))).toEqual(
      new Set([a.id, b.id, c.id]),
    );
    expect(new Set(ids(await sim.get('/api/v2/cases?or[owned_by]=mgrpnh&or[owned_by_location]=8')))).toEqual(
      new Set([a.id, b.id]),
    );
    expect(new Set(ids(await sim.get('/api/v2/cases?not[owned_by]=mgrpnh')))).toEqual(new Set([b.id, c.id]));
    expect(ids(await sim.get('/api/v2/cases?sex=FEMALE'))).toEqual([a.id]);
  });

  it('filters a location code by its admin level, and answers 500 for an unknown code', async () => {
    const inside = await sim.createCase({ location_current: '12010203' });
    await sim.createCase({ location_current: '1070101' });
    expect(ids(await sim.get('/api/v2/cases?location_current=12'))).toEqual([inside.id]);
    expect(ids(await sim.get('/api/v2/cases?location_current2=1201'))).toEqual([inside.id]);
    const unknown = await sim.get('/api/v2/cases?location_current=99');
    expect(unknown.status).toBe(500);
    expect(unknown.json<ErrorList>().errors[0]?.message).toBe(
      "undefined method `admin_level' for nil:NilClass",
    );
  });

  it('answers 500 when a kept key names no indexed field (a key ending with a field name)', async () => {
    const reply = await sim.get('/api/v2/cases?per_page=10');
    expect(reply.status).toBe(500);
    expect(reply.json<ErrorList>().errors[0]?.message).toBe(
      "No field configured for Child with name 'per_page'",
    );
    expect((await sim.get('/api/v2/cases?order_by=associated_user_names')).status).toBe(500);
    expect((await sim.get('/api/v2/cases?order=sideways')).status).toBe(500);
  });

  it('treats an empty value as no filter', async () => {
    await sim.createCase({ name_first: 'A' });
    expect((await sim.get('/api/v2/cases?oscar_number=&case_id=')).json<CaseList>().metadata.total).toBe(1);
  });

  it('selects fields with fields=short or a list', async () => {
    const record = await sim.createCase({ name_first: 'A', sex: 'female', age: 4 });
    const short = (await sim.get('/api/v2/cases?fields=short')).json<CaseList>().data[0] ?? {};
    expect(Object.keys(short)).toEqual(
      expect.arrayContaining(['id', 'enabled', 'short_id', 'sex', 'age', 'workflow', 'record_in_scope']),
    );
    expect(short).not.toHaveProperty('name_first');
    const listed = (await sim.get(`/api/v2/cases/${String(record.id)}?fields=sex,age`)).json<{
      data: Record<string, unknown>;
    }>().data;
    expect(listed).toEqual({
      id: record.id,
      enabled: true,
      sex: 'female',
      age: 4,
      last_updated_at: record.last_updated_at,
    });
  });
});

describe('tokens', () => {
  const credentials = { user: { user_name: 'primero-sync', password: 'primero-sync-password' } };

  it('refreshes with a Bearer and no body, and revokes on DELETE', async () => {
    const first = (await sim.request('POST', '/api/v2/tokens', { auth: 'none', payload: credentials })).json<{
      token: string;
    }>().token;
    sim.advance(1000);
    const refreshed = await sim.request('POST', '/api/v2/tokens', { auth: `Bearer ${first}` });
    expect(refreshed.status).toBe(200);
    const second = refreshed.json<{ token: string }>().token;
    expect(second).not.toBe(first);
    expect((await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${first}` })).status).toBe(200);
    const out = await sim.request('DELETE', '/api/v2/tokens', { auth: `Bearer ${first}` });
    expect(out.json()).toEqual({});
    const revoked = await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${first}` });
    expect(revoked.status).toBe(401);
    expect(revoked.json()).toEqual({ error: 'Warden::JWTAuth::Errors::RevokedToken' });
    expect((await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${second}` })).status).toBe(200);
  });

  it('accepts the primero_token cookie and refuses a tampered token', async () => {
    const token = (await sim.request('POST', '/api/v2/tokens', { auth: 'none', payload: credentials })).json<{
      token: string;
    }>().token;
    const viaCookie = await sim.request('GET', '/api/v2/cases', {
      auth: 'none',
      headers: { cookie: `primero_token=${token}` },
    });
    expect(viaCookie.status).toBe(200);
    const tampered = await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${token.slice(0, -2)}xx` });
    expect(tampered.json()).toEqual({ error: 'Signature verification failed' });
  });

  it('answers 401 for bad credentials in the body', async () => {
    const reply = await sim.request('POST', '/api/v2/tokens', {
      auth: 'none',
      payload: { user: { user_name: 'primero-sync', password: 'wrong' } },
    });
    expect(reply.status).toBe(401);
    expect(reply.json()).toEqual({ error: 'Invalid User name or password.' });
    expect(reply.headers['www-authenticate']).toBe('Bearer realm="Primero" charset="UTF8"');
  });
});

describe('metadata endpoints and routing', () => {
  it('serves the Cambodia lookups', async () => {
    const lookups = (await sim.get('/api/v2/lookups?per=100')).json<{
      data: { unique_id: string; values: { id: string }[] }[];
    }>().data;
    const values = (id: string) => lookups.find((l) => l.unique_id === id)?.values.map((v) => v.id) ?? [];
    expect(values('lookup-service-type')).toEqual(
      expect.arrayContaining(['social_work_case_work', 'family_based_care', 'anti_trafficking', 'other']),
    );
    expect(values('lookup-service-response-type')).toEqual(
      expect.arrayContaining([
        'care_plan',
        'referral_to_oscar',
        'referral_from_oscar',
        'service_being_provided_by_oscar_partner_47618',
      ]),
    );
    expect(values('lookup-referral-status-edf41f2')).toEqual([
      'pending_310366',
      'accepted_340953',
      'rejected_936484',
    ]);
    const firstPage = (await sim.get('/api/v2/lookups')).json<CaseList>();
    expect(firstPage.metadata).toMatchObject({ per: 20, page: 1 });
  });

  it('serves the provinces as locations, with the hierarchy on request', async () => {
    const page = (await sim.get('/api/v2/locations?per=30&hierarchy=true')).json<CaseList>();
    const phnomPenh = page.data.find((l) => l.code === '12');
    expect(phnomPenh).toMatchObject({
      type: 'province',
      admin_level: 1,
      hierarchy: ['KH', '12'],
      name: { en: 'Cambodia::Phnom Penh' },
    });
    const plain = (await sim.get('/api/v2/locations?per=30')).json<CaseList>().data[1];
    expect(plain).not.toHaveProperty('hierarchy');
  });

  it('serves the public info without auth and a plain 404 for unknown paths', async () => {
    expect((await sim.request('GET', '/api/v2/primero', { auth: 'none' })).status).toBe(200);
    const unknown = await sim.get('/api/v2/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers['content-type']).toMatch(/^text\/html/);
    const notUuid = await sim.get('/api/v2/cases/not-a-uuid');
    expect(notUuid.status).toBe(404);
    expect(notUuid.json<ErrorList>().errors[0]?.message).toBe('Not Found');
  });

  it('creates an empty case then answers 500 when POST has no data (v2.5), and no-ops a PATCH without data', async () => {
    const created = await sim.request('POST', '/api/v2/cases', { payload: { other: 1 } });
    expect(created.status).toBe(500);
    const list = (await sim.get('/api/v2/cases')).json<CaseList>();
    expect(list.metadata.total).toBe(1);
    const id = String(list.data[0]?.id);
    const patched = await sim.request('PATCH', `/api/v2/cases/${id}`, { payload: {} });
    expect(patched.status).toBe(200);
  });

  it('answers 500 for a data that is not an object without echoing any of its values', async () => {
    const { id } = await sim.createCase({ name_first: 'Chantrea' });
    const child = { name_first: 'Sreyleak', name_last: 'Vannak', date_of_birth: '2014-03-09' };
    for (const [method, url, data, wording] of [
      ['PATCH', `/api/v2/cases/${String(id)}`, [child], 'to_h'],
      ['POST', '/api/v2/cases', [child, 'Phnom Penh'], 'to_h'],
      ['PATCH', `/api/v2/cases/${String(id)}`, 'Sreyleak Vannak', 'to_h'],
      ['POST', `/api/v2/cases/${String(id)}/referrals`, ['Sreyleak', 'Vannak'], 'permit'],
    ] as const) {
      const reply = await sim.request(method, url, { payload: { data } });
      expect(reply.status).toBe(500);
      expect(reply.json<ErrorList>().errors[0]?.message).toBe(
        `undefined method \`${wording}' for an instance of ${typeof data === 'string' ? 'String' : 'Array'}`,
      );
      for (const value of ['Sreyleak', 'Vannak', '2014-03-09', 'Phnom Penh'])
        expect(reply.body).not.toContain(value);
    }
  });

  it('answers 400 for a body that is not JSON', async () => {
    const reply = await sim.request('POST', '/api/v2/cases', { payload: '{"data": ' });
    expect(reply.status).toBe(400);
  });
});
