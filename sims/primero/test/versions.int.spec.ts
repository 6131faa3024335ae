import { afterEach, describe, expect, it } from 'vitest';

import type { CaseList, ErrorList, Harness } from './sim-harness.ts';
import { ids, startHarness, syncCredentials } from './sim-harness.ts';

/** docs/upstream/primero.md §13 version switches: each behaviour in the v2.5 default and in the later modes. */

const harnesses: Harness[] = [];
function sim(version: string): Harness {
  const harness = startHarness({ version });
  harnesses.push(harness);
  return harness;
}
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const login = (harness: Harness) =>
  harness.request('POST', '/api/v2/tokens', {
    auth: 'none',
    payload: { user: { user_name: 'primero-sync', password: 'primero-sync-password' } },
  });

describe('version switch: per-page cap', () => {
  it('has no cap in 2.5 and caps per at 1000 from 2.10.3', async () => {
    for (const [version, per] of [
      ['2.5', 5000],
      ['2.10.3', 1000],
      ['2.11', 1000],
    ] as const) {
      const reply = await sim(version).get('/api/v2/cases?per=5000');
      expect(reply.json<CaseList>().metadata.per, version).toBe(per);
    }
  });
});

describe('version switch: token in the login body and Bearer accepted', () => {
  it('returns a JWT up to 2.10.3 and accepts it as Bearer', async () => {
    for (const version of ['2.5', '2.10.3']) {
      const harness = sim(version);
      const reply = await login(harness);
      const token = reply.json<{ token?: string }>().token;
      expect(token, version).toEqual(expect.any(String));
      expect((await harness.request('GET', '/api/v2/cases', { auth: `Bearer ${token ?? ''}` })).status).toBe(
        200,
      );
    }
  });

  it('from 2.11 returns no token (the adaptor then sends "Bearer undefined") and only Basic works', async () => {
    const harness = sim('2.11');
    const reply = await login(harness);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ id: expect.any(Number) as number, user_name: 'primero-sync' });
    expect(reply.headers.authorization).toBeUndefined();
    const undefinedBearer = await harness.request('GET', '/api/v2/cases', { auth: 'Bearer undefined' });
    expect(undefinedBearer.status).toBe(401);
    expect(undefinedBearer.json()).toEqual({ error: 'You need to sign in or sign up before continuing.' });
    expect((await harness.request('GET', '/api/v2/cases', { auth: syncCredentials })).status).toBe(200);
  });
});

describe('version switch: open-start range', () => {
  it('answers 500 up to 2.10.3 and ignores the filter from 2.11', async () => {
    for (const [version, status] of [
      ['2.5', 500],
      ['2.10.3', 500],
      ['2.11', 200],
    ] as const) {
      const harness = sim(version);
      await harness.createCase({ name_first: 'A' });
      const reply = await harness.get('/api/v2/cases?last_updated_at=..2030-01-01T00:00:00.000Z');
      expect(reply.status, version).toBe(status);
      if (status === 200) expect(reply.json<CaseList>().metadata.total).toBe(1);
      else expect(reply.json<ErrorList>().errors[0]?.status).toBe(500);
    }
  });
});

describe('version switch: ID-field filter type conversion', () => {
  it('loses leading zeros of ID values in 2.5 and keeps raw strings in 2.11', async () => {
    for (const version of ['2.5', '2.11']) {
      const harness = sim(version);
      const padded = await harness.createCase({ oscar_number: '00123' });
      const plain = await harness.createCase({ oscar_number: '123' });
      const hits = ids(await harness.get('/api/v2/cases?oscar_number=00123'));
      expect(hits, version).toEqual(version === '2.5' ? [plain.id] : [padded.id]);
    }
  });
});

describe('version switch: missing data on PATCH referral', () => {
  it('answers 500 (ParameterMissing unmapped) in 2.5 and 422 in 2.11', async () => {
    for (const [version, status] of [
      ['2.5', 500],
      ['2.11', 422],
    ] as const) {
      const harness = sim(version);
      const record = await harness.createCase({
        module_id: 'primeromodule-cp',
        consent_for_services: true,
        disclosure_other_orgs: true,
      });
      const created = await harness.post(`/api/v2/cases/${String(record.id)}/referrals`, {
        data: { transitioned_to: 'agency-cif-user' },
      });
      const referralId = created.json<{ data: { id: string } }>().data.id;
      const reply = await harness.request(
        'PATCH',
        `/api/v2/cases/${String(record.id)}/referrals/${referralId}`,
        {
          payload: { status: 'accepted' },
        },
      );
      expect(reply.status, version).toBe(status);
      expect(reply.json<ErrorList>().errors[0]).toEqual({
        status,
        resource: `/api/v2/cases/${String(record.id)}/referrals/${referralId}`,
        message: 'param is missing or the value is empty: data',
      });
    }
  });
});

describe('version configuration', () => {
  it('refuses a version string it cannot read', () => {
    expect(() => startHarness({ version: 'latest' })).toThrow(/2\.5, 2\.10\.3 or 2\.11/);
  });
});
