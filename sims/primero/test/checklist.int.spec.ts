import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CaseList, ErrorList, Harness } from './sim-harness.ts';
import { ids, startHarness, syncCredentials, uuid } from './sim-harness.ts';

/**
 * One describe per item of the fidelity checklist (docs/upstream/primero.md §12, anchors #q1 … #q16). Each
 * would fail if the quirk it names were dropped from the simulator.
 */

let sim: Harness;
beforeEach(() => {
  sim = startHarness();
});
afterEach(async () => {
  await sim.close();
});

const service = (overrides: Record<string, unknown> = {}) => ({
  unique_id: 'aaaaaaaa-0000-4000-8000-000000000001',
  service_response_type: 'referral_to_oscar',
  service_type: 'social_work_case_work',
  service_subtype: ['social_work_case_work_community'],
  service_response_day_time: '2025-07-30T06:00:00.000Z',
  ...overrides,
});

const referable = (overrides: Record<string, unknown> = {}) => ({
  module_id: 'primeromodule-cp',
  name_first: 'Sokha',
  consent_for_services: true,
  disclosure_other_orgs: true,
  services_section: [service()],
  ...overrides,
});

async function createSeveral(count: number): Promise<string[]> {
  const created: string[] = [];
  for (let i = 0; i < count; i += 1) {
    sim.advance(1000);
    const record = await sim.createCase({ name_first: `Child ${i}`, age: i });
    created.push(String(record.id));
  }
  return created;
}

describe('checklist 1: auth (JWT body token + Authorization header, TTL, Basic everywhere, 401 envelope)', () => {
  it('returns the JWT in the body and in the Authorization response header, HS256 with the devise-jwt claims', async () => {
    const login = await sim.request('POST', '/api/v2/tokens', {
      auth: 'none',
      payload: { user: { user_name: 'primero-sync', password: 'primero-sync-password' } },
    });
    expect(login.status).toBe(200);
    const body = login.json<{ id: number; user_name: string; token: string }>();
    expect(body).toEqual({
      id: expect.any(Number) as number,
      user_name: 'primero-sync',
      token: expect.any(String) as string,
    });
    expect(login.headers.authorization).toBe(`Bearer ${body.token}`);
    const [header, payload] = body.token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toEqual({ alg: 'HS256' });
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(claims)).toEqual(['sub', 'scp', 'aud', 'iat', 'exp', 'jti']);
    expect(claims).toMatchObject({ sub: String(body.id), scp: 'user', aud: null, iat: sim.now() / 1000 });
    expect(claims.exp).toBe((claims.iat as number) + 3600);

    const withBearer = await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${body.token}` });
    expect(withBearer.status).toBe(200);
  });

  it('expires the token after the TTL (60 minutes by default) with the ruby-jwt message', async () => {
    const login = await sim.request('POST', '/api/v2/tokens', {
      auth: 'none',
      payload: { user: { user_name: 'primero-sync', password: 'primero-sync-password' } },
    });
    const token = login.json<{ token: string }>().token;
    sim.advance(3599_000);
    expect((await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${token}` })).status).toBe(200);
    sim.advance(1_000);
    const expired = await sim.request('GET', '/api/v2/cases', { auth: `Bearer ${token}` });
    expect(expired.status).toBe(401);
    expect(expired.json()).toEqual({ error: 'Signature has expired' });
  });

  it('accepts Basic auth on every endpoint without a token step', async () => {
    for (const url of ['/api/v2/cases', '/api/v2/lookups', '/api/v2/locations', '/api/v2/forms']) {
      expect((await sim.get(url)).status, url).toBe(200);
    }
  });

  it('answers 401 in the Devise {"error": …} envelope with the Bearer realm header', async () => {
    const missing = await sim.request('GET', '/api/v2/cases', { auth: 'none' });
    expect(missing.status).toBe(401);
    expect(missing.json()).toEqual({ error: 'You need to sign in or sign up before continuing.' });
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="Primero" charset="UTF8"');
    const wrong = await sim.request('GET', '/api/v2/cases', { auth: 'primero-sync:nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: 'Invalid User name or password.' });
    expect(wrong.json()).not.toHaveProperty('errors');
  });

  it('locks the account after 6 bad passwords for 30 minutes, and throttles logins at 6 per minute', async () => {
    const login = (password: string) =>
      sim.request('POST', '/api/v2/tokens', {
        auth: 'none',
        payload: { user: { user_name: 'mgrpnh', password } },
      });
    for (let i = 1; i <= 5; i += 1) {
      expect((await login('bad')).json()).toEqual({ error: 'Invalid User name or password.' });
    }
    expect((await login('bad')).json()).toEqual({ error: 'Your account is locked.' });
    const throttled = await login('primero-user-password');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['content-type']).toMatch(/^text\/plain/);
    expect(throttled.body).toBe('Retry later\n');
    sim.advance(60_000);
    expect((await login('primero-user-password')).json()).toEqual({ error: 'Your account is locked.' });
    sim.advance(30 * 60_000);
    expect((await login('primero-user-password')).status).toBe(200);
  });
});

describe('checklist 2: envelope (data/metadata for cases, lookups, locations; none for forms, referrals; errors use status)', () => {
  it('wraps collections in data + metadata{total,per,page} and leaves forms and referrals bare', async () => {
    const record = await sim.createCase(referable());
    for (const url of ['/api/v2/cases', '/api/v2/lookups', '/api/v2/locations']) {
      const body = (await sim.get(url)).json<CaseList>();
      expect(Object.keys(body), url).toEqual(['data', 'metadata']);
      expect(Object.keys(body.metadata), url).toEqual(['total', 'per', 'page']);
    }
    expect(Object.keys((await sim.get('/api/v2/forms')).json())).toEqual(['data']);
    expect(Object.keys((await sim.get(`/api/v2/cases/${String(record.id)}/referrals`)).json())).toEqual([
      'data',
    ]);
  });

  it('uses status/resource/message (not code) in errors, with message arrays for model validation', async () => {
    const missing = await sim.get(`/api/v2/cases/${uuid(9)}?fields=short`);
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      errors: [
        {
          status: 404,
          resource: `/api/v2/cases/${uuid(9)}`,
          detail: `Couldn't find Child with 'id'=${uuid(9)}`,
          message: 'Not Found',
        },
      ],
    });
    const invalid = await sim.post('/api/v2/cases', { data: { date_of_birth: '2999-01-01' } });
    expect(invalid.json<ErrorList>().errors[0]).toEqual({
      status: 422,
      resource: '/api/v2/cases',
      detail: 'date_of_birth',
      message: ['Please enter a valid date of birth for this case record'],
    });
  });
});

describe('checklist 3: pagination (default per 20, created_at desc, configurable per cap)', () => {
  it('pages 20 at a time, newest first, with the real total past the end', async () => {
    const created = await createSeveral(25);
    const first = await sim.get('/api/v2/cases');
    expect(first.json<CaseList>().metadata).toEqual({ total: 25, per: 20, page: 1 });
    expect(ids(first)).toEqual([...created].reverse().slice(0, 20));
    const second = await sim.get('/api/v2/cases?page=2');
    expect(ids(second)).toEqual([...created].reverse().slice(20));
    const beyond = await sim.get('/api/v2/cases?page=9');
    expect(beyond.json<CaseList>()).toEqual({ data: [], metadata: { total: 25, per: 20, page: 9 } });
    const ascending = await sim.get('/api/v2/cases?order_by=age&order=asc&per=3');
    expect(ascending.json<CaseList>().data.map((c) => c.age)).toEqual([0, 1, 2]);
  });

  it('has no per cap in v2.5 mode, and honours a configured cap', async () => {
    await createSeveral(3);
    expect((await sim.get('/api/v2/cases?per=10000')).json<CaseList>().metadata.per).toBe(10000);
    const capped = startHarness({ perPageCap: 2 });
    await capped.createCase({ name_first: 'A' });
    await capped.createCase({ name_first: 'B' });
    await capped.createCase({ name_first: 'C' });
    const page = (await capped.get('/api/v2/cases?per=10000')).json<CaseList>();
    expect(page.metadata.per).toBe(2);
    expect(page.data).toHaveLength(2);
    await capped.close();
  });
});

describe('checklist 4: unknown query params are ignored silently', () => {
  it('ignores remote, scope and misspelt fields, so an upsert GET without a usable filter returns the newest cases', async () => {
    const created = await createSeveral(3);
    const reply = await sim.get(
      '/api/v2/cases?remote=true&scope[or][last_updated_at]=or_op%7C%7Cdate_range%7C%7C05-01-2021.01-01-4020&oscar_numbr=X',
    );
    expect(reply.status).toBe(200);
    expect(ids(reply)).toEqual([...created].reverse());
    expect(reply.json<CaseList>().metadata.total).toBe(3);
  });
});

describe('checklist 5: filter parsing (lists, inclusive ranges, open ranges, integers, booleans, dates, ID fields)', () => {
  it('reads comma lists and inclusive numeric ranges', async () => {
    await createSeveral(6);
    const ages = async (query: string) =>
      (await sim.get(`/api/v2/cases?${query}&order_by=age&order=asc`))
        .json<CaseList>()
        .data.map((c) => c.age);
    expect(await ages('age=1,3,5')).toEqual([1, 3, 5]);
    expect(await ages('age=2..4')).toEqual([2, 3, 4]);
    expect(await ages('age[0]=0&age[1]=5')).toEqual([0, 5]);
  });

  it('reads `from..` as an open range and answers 500 for `..to`', async () => {
    await sim.createCase({ name_first: 'old' });
    sim.advance(60_000);
    const cursor = new Date(sim.now()).toISOString();
    const fresh = await sim.createCase({ name_first: 'new' });
    const open = await sim.get(`/api/v2/cases?last_updated_at=${cursor}..`);
    expect(ids(open)).toEqual([fresh.id]);
    const openStart = await sim.get(`/api/v2/cases?last_updated_at=..${cursor}`);
    expect(openStart.status).toBe(500);
    expect(openStart.json<ErrorList>().errors[0]).toMatchObject({ status: 500, resource: '/api/v2/cases' });
  });

  it('turns digits into integers, so leading zeros are lost', async () => {
    const one = await sim.createCase({ mosvy_number: '1' });
    await sim.createCase({ mosvy_number: '001' });
    expect(ids(await sim.get('/api/v2/cases?mosvy_number=001'))).toEqual([one.id]);
  });

  it('types booleans and ISO dates', async () => {
    const yes = await sim.createCase({ consent_for_services: true, registration_date: '2025-01-15' });
    const no = await sim.createCase({ consent_for_services: false, registration_date: '2025-03-01' });
    expect(ids(await sim.get('/api/v2/cases?consent_for_services=false'))).toEqual([no.id]);
    expect(ids(await sim.get('/api/v2/cases?registration_date=2025-01-01..2025-01-31'))).toEqual([yes.id]);
    expect(ids(await sim.get('/api/v2/cases?registration_date=2025-03-01'))).toEqual([no.id]);
  });

  it('matches ID fields exactly and case-insensitively (id, case_id, oscar_number, case_id_display, short_id)', async () => {
    const target = await sim.createCase({
      oscar_number: '01H8ZK3Q9V4T7M2N5P6R8S1W0X',
      case_id: 'abc-Case-1',
    });
    await sim.createCase({ oscar_number: '01H8ZK3Q9V4T7M2N5P6R8S1W0Y', case_id: 'abc-Case-10' });
    const hit = async (query: string) => ids(await sim.get(`/api/v2/cases?${query}`));
    expect(await hit('oscar_number=01h8zk3q9v4t7m2n5p6r8s1w0x')).toEqual([target.id]);
    expect(await hit('oscar_number=01H8ZK3Q9V4T7M2N5P6R8S1W0')).toEqual([]);
    expect(await hit('case_id=ABC-CASE-1')).toEqual([target.id]);
    expect(await hit(`id=${String(target.id).toUpperCase()}`)).toEqual([target.id]);
    expect(await hit(`case_id_display=${String(target.case_id_display)}`)).toEqual([target.id]);
    expect(await hit(`short_id=${String(target.short_id).toUpperCase()}`)).toEqual([target.id]);
  });
});

describe('checklist 6: subform fields are not filterable', () => {
  it('ignores services_section fields in the query, returning every case', async () => {
    await sim.createCase({ services_section: [service()] });
    await sim.createCase({ name_first: 'no services' });
    const reply = await sim.get(
      '/api/v2/cases?service_response_type=referral_to_oscar&referral_status_edf41f2=pending_310366',
    );
    expect(reply.json<CaseList>().metadata.total).toBe(2);
  });
});

describe('checklist 7: disabled and closed cases are returned unless filtered out', () => {
  it('lists disabled and closed cases by default; record_state=true and status=open exclude them', async () => {
    const disabled = await sim.createCase({ name_first: 'disabled' });
    const closed = await sim.createCase({ name_first: 'closed', status: 'closed' });
    const open = await sim.createCase({ name_first: 'open' });
    expect((await sim.del(`/api/v2/cases/${String(disabled.id)}`)).json()).toEqual({
      data: { id: disabled.id },
    });
    const all = await sim.get('/api/v2/cases');
    expect(new Set(ids(all))).toEqual(new Set([disabled.id, closed.id, open.id]));
    expect(all.json<CaseList>().data.find((c) => c.id === disabled.id)).toMatchObject({
      enabled: false,
      record_state: false,
    });
    expect(all.json<CaseList>().data.find((c) => c.id === closed.id)).toMatchObject({
      status: 'closed',
      workflow: 'closed',
    });
    expect(new Set(ids(await sim.get('/api/v2/cases?record_state=true')))).toEqual(
      new Set([closed.id, open.id]),
    );
    expect(new Set(ids(await sim.get('/api/v2/cases?status=open')))).toEqual(new Set([disabled.id, open.id]));
  });
});

describe('checklist 8: identifiers (id ≠ case_id, short_id = last 7 of unique_identifier, client case_id kept)', () => {
  it('derives case_id, short_id and case_id_display from an internal unique_identifier, not from id', async () => {
    const record = await sim.createCase({ name_first: 'A' });
    expect(record.case_id).toBe(record.unique_identifier);
    expect(record.id).not.toBe(record.case_id);
    expect(record.short_id).toBe(String(record.unique_identifier).slice(-7));
    expect(record.case_id_display).toBe(record.short_id);
    const shown = (await sim.get(`/api/v2/cases/${String(record.id)}`)).json<{
      data: Record<string, unknown>;
    }>().data;
    expect(shown).not.toHaveProperty('unique_identifier');
  });

  it('keeps a case_id supplied by the client', async () => {
    const record = await sim.createCase({ case_id: 'external-case-42' });
    expect(record.case_id).toBe('external-case-42');
    expect(record.short_id).toBe(String(record.unique_identifier).slice(-7));
  });
});

describe('checklist 9: POST answers 200 with the changed fields, 204 when data.id is supplied, 409 on a duplicate id', () => {
  it('returns id, enabled, the fields set by the save and last_updated_at', async () => {
    const reply = await sim.post('/api/v2/cases', { data: { name_first: 'Sokha', owned_by: 'mgrpnh' } });
    expect(reply.status).toBe(200);
    const data = reply.json<{ data: Record<string, unknown> }>().data;
    expect(Object.keys(data)[0]).toBe('id');
    expect(Object.keys(data)[1]).toBe('enabled');
    expect(Object.keys(data).at(-1)).toBe('last_updated_at');
    expect(data).toMatchObject({
      enabled: true,
      name_first: 'Sokha',
      status: 'open',
      record_state: true,
      workflow: 'new',
      owned_by: 'mgrpnh',
      owned_by_full_name: 'Phnom Penh Manager',
      owned_by_agency_id: 'agency-mosvy',
      owned_by_location: '12',
      created_by: 'primero-sync',
      created_organization: 'agency-unicef',
      associated_user_names: ['mgrpnh'],
      registration_date: '2025-08-01',
    });
    expect(data).not.toHaveProperty('record_in_scope');
  });

  it('answers 204 with an empty body when the client supplies data.id, and 409 for that id again', async () => {
    const created = await sim.post('/api/v2/cases', { data: { id: uuid(1), name_first: 'A' } });
    expect(created.status).toBe(204);
    expect(created.body).toBe('');
    expect((await sim.get(`/api/v2/cases/${uuid(1)}`)).status).toBe(200);
    const duplicate = await sim.post('/api/v2/cases', { data: { id: uuid(1), name_first: 'B' } });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json<ErrorList>().errors[0]).toEqual({
      status: 409,
      resource: '/api/v2/cases',
      message: 'Conflict: A record with this id already exists',
    });
  });
});

describe('checklist 10: PATCH merges (subforms by unique_id, _destroy, [] keeps, scalar arrays replaced, changed keys only)', () => {
  it('applies the merge rules and answers with the changed top-level keys only', async () => {
    const rowA = service({
      unique_id: 'aaaaaaaa-0000-4000-8000-00000000000a',
      service_subtype: ['a1', 'a2'],
    });
    const rowB = service({
      unique_id: 'aaaaaaaa-0000-4000-8000-00000000000b',
      oscar_referral_id_a4ac8a5: '1',
    });
    const rowC = service({ unique_id: 'aaaaaaaa-0000-4000-8000-00000000000c' });
    const record = await sim.createCase({
      name_first: 'Keep',
      name_last: 'Me',
      services_section: [rowA, rowB, rowC],
    });
    sim.advance(1000);
    const reply = await sim.patch(`/api/v2/cases/${String(record.id)}`, {
      data: {
        id: uuid(77),
        name_last: 'Changed',
        services_section: [
          { unique_id: rowA.unique_id, service_subtype: ['a3'] },
          { unique_id: rowC.unique_id, _destroy: true },
          { unique_id: 'aaaaaaaa-0000-4000-8000-00000000000d', service_type: 'counselling' },
          { service_type: 'medical_support' },
        ],
      },
    });
    expect(reply.status).toBe(200);
    const data = reply.json<{ data: Record<string, unknown> }>().data;
    expect(Object.keys(data).sort()).toEqual([
      'enabled',
      'id',
      'last_updated_at',
      'name_last',
      'services_section',
    ]);
    expect(data.id).toBe(record.id);
    const rows = data.services_section as Record<string, unknown>[];
    expect(rows.map((r) => r.unique_id).slice(0, 3)).toEqual([
      rowA.unique_id,
      rowB.unique_id,
      'aaaaaaaa-0000-4000-8000-00000000000d',
    ]);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ service_subtype: ['a3'], service_type: 'social_work_case_work' });
    expect(rows[1]).toMatchObject({ oscar_referral_id_a4ac8a5: '1' });
    expect(rows[3]).toMatchObject({
      service_type: 'medical_support',
      unique_id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
    });

    const emptied = await sim.patch(`/api/v2/cases/${String(record.id)}`, { data: { services_section: [] } });
    expect(emptied.json<{ data: Record<string, unknown> }>().data).not.toHaveProperty('services_section');
    const stored = (await sim.get(`/api/v2/cases/${String(record.id)}`)).json<{
      data: Record<string, unknown>;
    }>().data;
    expect(stored.services_section).toHaveLength(4);
    expect(stored.name_first).toBe('Keep');
  });

  it('sets null for a sent null and deletes nothing else', async () => {
    const record = await sim.createCase({ name_first: 'A', oscar_status: 'Active' });
    const reply = await sim.patch(`/api/v2/cases/${String(record.id)}`, { data: { oscar_status: null } });
    expect(reply.json<{ data: Record<string, unknown> }>().data).toMatchObject({ oscar_status: null });
    const stored = (await sim.get(`/api/v2/cases/${String(record.id)}`)).json<{
      data: Record<string, unknown>;
    }>().data;
    expect(stored).toMatchObject({ name_first: 'A', oscar_status: null });
  });
});

describe('checklist 11: every save bumps last_updated_at; referral accept does not (v2.5)', () => {
  it('bumps on a PATCH that changes nothing, and on referral create/reject/done/revoke but not accept', async () => {
    const record = await sim.createCase(referable());
    const id = String(record.id);
    const lastUpdated = async () =>
      (await sim.get(`/api/v2/cases/${id}`)).json<{ data: { last_updated_at: string } }>().data
        .last_updated_at;

    sim.advance(1000);
    const noop = await sim.patch(`/api/v2/cases/${id}`, { data: {} });
    expect(noop.json<{ data: Record<string, unknown> }>().data).toEqual({
      id,
      enabled: true,
      last_updated_at: new Date(sim.now()).toISOString(),
    });
    expect(await lastUpdated()).toBe(new Date(sim.now()).toISOString());

    const refer = async () => {
      sim.advance(1000);
      const reply = await sim.post(`/api/v2/cases/${id}/referrals`, {
        data: { transitioned_to: 'agency-cif-user', service_record_id: service().unique_id },
      });
      expect(reply.status).toBe(200);
      expect(await lastUpdated()).toBe(new Date(sim.now()).toISOString());
      return reply.json<{ data: { id: string } }>().data.id;
    };
    const decide = async (referralId: string, data: Record<string, unknown>, bumps: boolean) => {
      const before = await lastUpdated();
      sim.advance(1000);
      const reply = await sim.patch(`/api/v2/cases/${id}/referrals/${referralId}`, { data });
      expect(reply.status).toBe(200);
      expect(await lastUpdated()).toBe(bumps ? new Date(sim.now()).toISOString() : before);
    };

    const first = await refer();
    await decide(first, { status: 'accepted' }, false);
    await decide(first, { status: 'done', rejection_note: 'Completed' }, true);
    const second = await refer();
    await decide(second, { status: 'rejected', rejected_reason: 'Out of catchment' }, true);
    const third = await refer();
    const before = await lastUpdated();
    sim.advance(1000);
    expect((await sim.del(`/api/v2/cases/${id}/referrals/${third}`)).status).toBe(200);
    expect(await lastUpdated()).not.toBe(before);
  });
});

describe('checklist 12: strict write schema (unknown keys, ISO dates, booleans, integers, lowercase UUIDs, [null])', () => {
  it('rejects schema violations with 422 Invalid Record JSON and JSON-pointer details', async () => {
    const reply = await sim.post('/api/v2/cases', {
      data: {
        record_id: 'x',
        created_by: 'someone',
        date_of_birth: '2012/01/01',
        consent_for_services: 'true',
        disclosure_other_orgs: null,
        age: 8.5,
        services_section: [
          {
            unique_id: 'B0A4C9F2-6E7D-4F3A-9B21-3D6C0E8F1A57',
            service_subtype: [null],
            service_response_day_time: '2023-08-24',
            __original_oscar_record: {},
          },
        ],
      },
    });
    expect(reply.status).toBe(422);
    const [error] = reply.json<ErrorList>().errors;
    expect(error?.message).toBe('Invalid Record JSON');
    expect(error?.resource).toBe('/api/v2/cases');
    expect(new Set(error?.detail)).toEqual(
      new Set([
        '/record_id',
        '/created_by',
        '/date_of_birth',
        '/consent_for_services',
        '/disclosure_other_orgs',
        '/age',
        '/services_section/0/unique_id',
        '/services_section/0/service_subtype/0',
        '/services_section/0/service_response_day_time',
        '/services_section/0/__original_oscar_record',
      ]),
    );
    expect((await sim.get('/api/v2/cases')).json<CaseList>().metadata.total).toBe(0);
  });

  it('rejects integers written as floats or strings, and the double-wrapped {"data":{"data":…}} body', async () => {
    const float = await sim.request('POST', '/api/v2/cases', { payload: '{"data":{"age":5.0}}' });
    expect(float.json<ErrorList>().errors[0]?.detail).toEqual(['/age']);
    const text = await sim.post('/api/v2/cases', { data: { age: '5' } });
    expect(text.json<ErrorList>().errors[0]?.detail).toEqual(['/age']);
    const wrapped = await sim.post('/api/v2/cases', { data: { data: { name_first: 'A' } } });
    expect(wrapped.json<ErrorList>().errors[0]?.detail).toEqual(['/data']);
    const ok = await sim.post('/api/v2/cases', {
      data: { age: 5, services_section: [{ service_subtype: ['x'] }] },
    });
    expect(ok.status).toBe(200);
  });

  it('validates the model: a date of birth in a future year is refused with a message array', async () => {
    const reply = await sim.post('/api/v2/cases', { data: { date_of_birth: '2026-01-01' } });
    expect(reply.status).toBe(422);
    expect(reply.json()).toEqual({
      errors: [
        {
          status: 422,
          resource: '/api/v2/cases',
          detail: 'date_of_birth',
          message: ['Please enter a valid date of birth for this case record'],
        },
      ],
    });
    expect((await sim.post('/api/v2/cases', { data: { date_of_birth: '2025-12-31' } })).status).toBe(200);
  });
});

describe('checklist 13: server-computed service fields (service_implemented, service_status_referred, workflow)', () => {
  it('computes service_implemented from the implemented time and workflow from the most recent open service', async () => {
    const record = await sim.createCase({
      module_id: 'primeromodule-cp',
      services_section: [
        service({
          unique_id: uuid(101),
          service_response_type: 'referral_from_oscar',
          service_response_day_time: '2025-07-01T00:00:00.000Z',
        }),
        service({
          unique_id: uuid(102),
          service_response_type: 'referral_to_oscar',
          service_response_day_time: '2025-07-02T00:00:00.000Z',
        }),
        service({
          unique_id: uuid(103),
          service_response_type: 'care_plan',
          service_response_day_time: '2025-07-03T00:00:00.000Z',
          service_implemented_day_time: '2025-07-04T00:00:00.000Z',
        }),
      ],
    });
    const rows = record.services_section as Record<string, unknown>[];
    expect(rows.map((r) => r.service_implemented)).toEqual([
      'not_implemented',
      'not_implemented',
      'implemented',
    ]);
    expect(record.workflow).toBe('referral_to_oscar');

    const reply = await sim.patch(`/api/v2/cases/${String(record.id)}`, {
      data: {
        services_section: [
          { unique_id: uuid(102), service_implemented_day_time: '2025-07-05T00:00:00.000Z' },
        ],
      },
    });
    expect(reply.json<{ data: Record<string, unknown> }>().data.workflow).toBe('referral_from_oscar');
  });

  it('marks the referred service row when a referral names it', async () => {
    const record = await sim.createCase(referable());
    const reply = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { transitioned_to: 'agency-cif-user', service_record_id: service().unique_id },
    });
    const embedded = reply.json<{ data: { record: Record<string, unknown> } }>().data.record;
    expect((embedded.services_section as Record<string, unknown>[])[0]).toMatchObject({
      service_status_referred: true,
    });
  });
});

describe('checklist 14: referrals (status machine, record_type, nulls omitted, computed flags, record embed, checks)', () => {
  it('creates in_progress referrals rendered like Primero and refuses bad consent or recipients', async () => {
    const record = await sim.createCase(referable());
    const id = String(record.id);
    const created = await sim.post(`/api/v2/cases/${id}/referrals`, {
      data: {
        transitioned_to: 'agency-cif-user',
        transitioned_to_agency: 'agency-cif',
        service_record_id: service().unique_id,
      },
    });
    const referral = created.json<{ data: Record<string, unknown> }>().data;
    expect(referral).toMatchObject({
      type: 'Referral',
      status: 'in_progress',
      record_id: id,
      record_type: 'case',
      transitioned_by: 'primero-sync',
      remote: false,
      record_access_denied: false,
      user_can_accept_or_reject: false,
    });
    expect(referral).not.toHaveProperty('notes');
    expect(referral).not.toHaveProperty('responded_at');
    expect(referral.record).toMatchObject({ id, assigned_user_names: ['agency-cif-user'] });

    const asRecipient = await sim.request('GET', `/api/v2/cases/${id}/referrals`, {
      auth: 'agency-cif-user:primero-user-password',
    });
    expect(asRecipient.json<{ data: Record<string, unknown>[] }>().data[0]?.user_can_accept_or_reject).toBe(
      true,
    );

    const noConsent = await sim.createCase(referable({ consent_for_services: false }));
    const refused = await sim.post(`/api/v2/cases/${String(noConsent.id)}/referrals`, {
      data: { transitioned_to: 'agency-cif-user' },
    });
    expect(refused.status).toBe(422);
    expect(refused.json<ErrorList>().errors).toEqual([
      {
        status: 422,
        resource: `/api/v2/cases/${String(noConsent.id)}/referrals`,
        detail: 'consent',
        message: ['transition.errors.consent'],
      },
    ]);
    const unknownUser = await sim.post(`/api/v2/cases/${id}/referrals`, {
      data: { transitioned_to: 'nobody' },
    });
    expect(unknownUser.json<ErrorList>().errors[0]).toMatchObject({
      detail: 'transitioned_to',
      message: ['transition.errors.to_user_can_receive'],
    });
  });

  it('looks the referral up by its id alone and treats invalid transitions as 200 no-ops', async () => {
    const record = await sim.createCase(referable());
    const other = await sim.createCase({ name_first: 'unrelated' });
    const created = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { transitioned_to: 'agency-cif-user' },
    });
    const referralId = created.json<{ data: { id: string } }>().data.id;
    const viaOtherCase = await sim.patch(`/api/v2/cases/${String(other.id)}/referrals/${referralId}`, {
      data: { status: 'rejected' },
    });
    expect(viaOtherCase.status).toBe(200);
    expect(viaOtherCase.json<{ data: Record<string, unknown> }>().data).toMatchObject({
      status: 'rejected',
      record_id: record.id,
    });
    const noop = await sim.patch(`/api/v2/cases/${String(record.id)}/referrals/${referralId}`, {
      data: { status: 'accepted' },
    });
    expect(noop.status).toBe(200);
    expect(noop.json<{ data: Record<string, unknown> }>().data.status).toBe('rejected');
  });
});

describe('checklist 15: fault injection (config lock 503, nginx 503 HTML, login 429, 414, expiry, non-JSON)', () => {
  it('answers an injected 503 as the configuration lock, with Retry-After', async () => {
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 503, paths: '^/api/v2/cases' });
    const reply = await sim.get('/api/v2/cases');
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('60');
    expect(reply.json()).toEqual({
      errors: [
        { status: 503, resource: '/api/v2/cases', detail: 'Retry-After: 60', message: 'Service Unavailable' },
      ],
    });
    expect((await sim.get('/api/v2/lookups')).status).toBe(200);
  });

  it('can answer with the nginx HTML page instead of JSON', async () => {
    await sim.control('PUT', '/_control/faults', { nonJsonRate: 1, errorStatus: 503 });
    const reply = await sim.get('/api/v2/cases');
    expect(reply.status).toBe(503);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    expect(() => reply.json()).toThrow();
  });

  it('rejects a request line over 1 KB with the nginx 414 page', async () => {
    const long = await sim.get(`/api/v2/cases?case_id=${'x'.repeat(1100)}`);
    expect(long.status).toBe(414);
    expect(long.body).toContain('414 Request-URI Too Large');
    expect((await sim.get(`/api/v2/cases?case_id=${'x'.repeat(900)}`)).status).toBe(200);
  });

  it('throttles the login burst with a plain-text 429', async () => {
    const login = () =>
      sim.request('POST', '/api/v2/tokens', {
        auth: 'none',
        payload: { user: { user_name: ' Primero-Sync ', password: 'primero-sync-password' } },
      });
    for (let i = 0; i < 6; i += 1) expect((await login()).status).toBe(200);
    const throttled = await login();
    expect(throttled.status).toBe(429);
    expect(throttled.body).toBe('Retry later\n');
    expect(throttled.headers['retry-after']).toBeUndefined();
  });

  it('lets a token expire mid-run while Basic keeps working', async () => {
    const short = startHarness({ jwtTtlSeconds: 5 });
    const token = (
      await short.request('POST', '/api/v2/tokens', {
        auth: 'none',
        payload: { user: { user_name: 'primero-sync', password: 'primero-sync-password' } },
      })
    ).json<{ token: string }>().token;
    expect((await short.request('GET', '/api/v2/cases', { auth: `Bearer ${token}` })).status).toBe(200);
    short.advance(5_000);
    expect((await short.request('GET', '/api/v2/cases', { auth: `Bearer ${token}` })).status).toBe(401);
    expect((await short.request('GET', '/api/v2/cases', { auth: syncCredentials })).status).toBe(200);
    await short.close();
  });
});

describe('checklist 16: concurrency (no ETags, no If-Match, last write wins per key)', () => {
  it('ignores If-Match and merges both writers, the later one winning on shared keys', async () => {
    const record = await sim.createCase({ name_first: 'A', name_last: 'B' });
    const id = String(record.id);
    const read = await sim.get(`/api/v2/cases/${id}`);
    expect(read.headers.etag).toBeUndefined();
    const first = await sim.request('PATCH', `/api/v2/cases/${id}`, {
      payload: { data: { name_first: 'Writer1', oscar_status: 'Active' } },
      headers: { 'if-match': '"stale"' },
    });
    expect(first.status).toBe(200);
    const second = await sim.request('PATCH', `/api/v2/cases/${id}`, {
      payload: { data: { name_first: 'Writer2' } },
      headers: { 'if-match': '"also-stale"' },
    });
    expect(second.status).toBe(200);
    const stored = (await sim.get(`/api/v2/cases/${id}`)).json<{ data: Record<string, unknown> }>().data;
    expect(stored).toMatchObject({ name_first: 'Writer2', name_last: 'B', oscar_status: 'Active' });
  });
});
