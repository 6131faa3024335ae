import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { byGlobalId, createClient, decide, receivedReferrals, referralPayload, startSim } from './harness.ts';

/** docs/upstream/oscar.md §9 (anchors #q1 … #q21): one describe per quirk; each test fails if the simulator dropped the quirk. */
let sim: Harness;
const hour = 3_600_000;

beforeEach(async () => {
  sim = await startSim();
  await sim.signIn();
});
afterEach(async () => {
  await sim.close();
});

const referredShapeKeys = [
  'slug', 'global_id', 'external_id', 'external_id_display', 'mosvy_number', 'given_name', 'family_name', 'gender',
  'date_of_birth', 'location_current_village_code', 'address_current_village_code', 'organization_id',
  'organization_name', 'external_case_worker_name', 'external_case_worker_id', 'reason_for_referral', 'status',
  'case_worker_name', 'case_worker_mobile', 'is_referred', 'referral_consent_form', 'organization_address_code',
  'level_of_risk', 'services',
]; // prettier-ignore
const sharedShapeKeys = [
  'given_name', 'family_name', 'local_given_name', 'local_family_name', 'gender', 'date_of_birth', 'global_id', 'slug',
  'external_id', 'external_id_display', 'status', 'mosvy_number', 'location_current_village_code', 'case_worker_name',
  'case_worker_mobile', 'is_referred', 'organization_name', 'organization_address_code', 'resource', 'services',
]; // prettier-ignore

const referToMosvy = {
  services: ['Kinship care'],
  reason: 'Needs family-based care',
  level_of_risk: 'medium',
};

/** Posts a first referral from Primero and accepts it in `organization`; returns the new client's global id. */
async function acceptedReferral(externalId: string, organization = 'cif'): Promise<string> {
  const response = await sim.upsert(
    referralPayload({ external_id: externalId, organization_name: organization }),
  );
  expect(response.statusCode).toBe(200);
  const [referral] = await receivedReferrals(sim, externalId);
  const accepted = await decide(sim, referral?.id, organization);
  return String(accepted.client.global_id);
}

describe('quirk 1: no pagination, one big {"data": [...]} grouped per NGO (group A, then group B, each updated_at desc)', () => {
  it('returns every client in one body, NGO by NGO in DB order, referred clients first within an NGO', async () => {
    const gpcOld = await createClient(sim, { organization: 'gpc', given_name: 'Gpc-old' });
    sim.clock.advance(hour);
    const cifReferred = await createClient(sim, { given_name: 'Cif-referred', refer_to_mosvy: referToMosvy });
    sim.clock.advance(hour);
    const gpcNew = await createClient(sim, { organization: 'gpc', given_name: 'Gpc-new' });
    sim.clock.advance(hour);
    const cifOld = await createClient(sim, { given_name: 'Cif-old' });
    sim.clock.advance(hour);
    const cifNew = await createClient(sim, { given_name: 'Cif-new' });

    const response = await sim.api('GET', '/api/v1/organizations/clients?page=1&per=1&per_page=1&limit=1');
    expect(response.statusCode).toBe(200);
    const body = response.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual(['data']);
    const ids = (body.data as Record<string, unknown>[]).map((row) => row.global_id);
    // gpc (id 12) before cif (id 46); in cif the referred (older) client comes first, then the rest by updated_at desc.
    expect(ids).toEqual([
      gpcNew.global_id,
      gpcOld.global_id,
      cifReferred.global_id,
      cifNew.global_id,
      cifOld.global_id,
    ]);
  });
});

describe('quirk 2: two client shapes in one array', () => {
  it('serializes group A in the Referred shape and everyone else in the Shared shape', async () => {
    const referred = await createClient(sim, { refer_to_mosvy: referToMosvy });
    const shared = await createClient(sim, { given_name: 'Vanna' });
    const rows = await sim.listClients();
    expect(Object.keys(byGlobalId(rows, referred.global_id) ?? {})).toEqual(referredShapeKeys);
    expect(Object.keys(byGlobalId(rows, shared.global_id) ?? {})).toEqual(sharedShapeKeys);
  });
});

describe('quirk 3: since_date is compared two ways (exact timestamp for group A, date only for group B)', () => {
  it('moves a referred client updated earlier on the since_date day into group B, in the Shared shape', async () => {
    sim.clock.set('2025-08-02T08:00:00.000Z');
    const referred = await createClient(sim, { refer_to_mosvy: referToMosvy });
    const plain = await createClient(sim, { given_name: 'Plain' });
    sim.clock.set('2025-08-02T12:00:00.000Z');

    const atMidnight = await sim.listClients('?since_date=2025-08-02 00:00:00');
    expect(Object.keys(byGlobalId(atMidnight, referred.global_id) ?? {})).toEqual(referredShapeKeys);

    const atTen = await sim.listClients('?since_date=2025-08-02 10:00:00');
    const row = byGlobalId(atTen, referred.global_id);
    expect(row).toBeDefined();
    expect(Object.keys(row ?? {})).toEqual(sharedShapeKeys);
    expect(row?.resource).toBeNull();
    // Group B also keeps the plain client updated at 08:00: the time part of since_date is dropped.
    expect(byGlobalId(atTen, plain.global_id)).toBeDefined();

    const nextDay = await sim.listClients('?since_date=2025-08-03 00:00:00');
    expect(nextDay).toEqual([]);
  });
});

describe('quirk 4: the referred_external query parameter (and any unknown one) is ignored', () => {
  it('returns the same list with referred_external=true, =false or junk parameters', async () => {
    await createClient(sim, { refer_to_mosvy: referToMosvy });
    await createClient(sim, { given_name: 'Not referred' });
    const plain = await sim.listClients();
    expect(plain).toHaveLength(2);
    expect(await sim.listClients('?referred_external=true')).toEqual(plain);
    expect(await sim.listClients('?referred_external=false&foo=bar')).toEqual(plain);
  });
});

describe('quirk 5: eligibility filter hides clients with a blank name, blank gender or null date of birth', () => {
  it('lists only clients with a (Latin or local) given and family name, a gender and a DOB', async () => {
    const ok = await createClient(sim);
    const localOnly = await createClient(sim, { given_name: '', family_name: '' });
    const hidden = await Promise.all([
      createClient(sim, { given_name: '', local_given_name: '' }),
      createClient(sim, { family_name: ' ', local_family_name: '' }),
      createClient(sim, { gender: '' }),
      createClient(sim, { date_of_birth: null }),
      createClient(sim, { refer_to_mosvy: referToMosvy, gender: '' }),
    ]);
    const rows = await sim.listClients();
    expect(rows.map((row) => row.global_id).sort()).toEqual([ok.global_id, localOnly.global_id].sort());
    expect(byGlobalId(rows, localOnly.global_id)).toMatchObject({ given_name: 'សុខា', family_name: 'ចាន់' });
    for (const client of hidden) expect(byGlobalId(rows, client.global_id)).toBeUndefined();
    // The historical mode applies the same filter.
    const historical = await sim.listClients('?since_date=2025-01-01&end_date=2025-12-31');
    expect(historical).toHaveLength(2);
  });
});

describe('quirk 6: the upsert success response has no global_id', () => {
  it('answers only external_id and message; the global id shows up in GET after the NGO accepts', async () => {
    const response = await sim.upsert(referralPayload({ external_id: 'case-q6' }));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ external_id: 'case-q6', message: 'Record saved.' });
    expect(await sim.listClients()).toEqual([]);
    const [referral] = await receivedReferrals(sim, 'case-q6');
    await decide(sim, referral?.id, 'cif');
    const rows = await sim.listClients();
    expect(rows.map((row) => row.global_id)).toEqual([referral?.client_global_id]);
  });
});

describe('quirk 7: re-posting a pending referral creates duplicates; an accepted one without global_id gives 422', () => {
  it('stores a second pending referral with the same global id, then refuses once accepted', async () => {
    const payload = referralPayload({ external_id: 'case-q7' });
    expect((await sim.upsert(payload)).statusCode).toBe(200);
    expect((await sim.upsert(payload)).statusCode).toBe(200);
    const referrals = await receivedReferrals(sim, 'case-q7');
    expect(referrals).toHaveLength(2);
    expect(referrals[1]?.client_global_id).toBe(referrals[0]?.client_global_id);
    expect(referrals.map((referral) => referral.referral_status)).toEqual(['Referred', 'Referred']);

    await decide(sim, referrals[0]?.id, 'cif');
    const again = await sim.upsert(payload);
    expect(again.statusCode).toBe(422);
    expect(again.json()).toStrictEqual({
      external_id: 'case-q7',
      message: 'Record was found.',
      errors: { global_id: 'global_id must exist.', referral_status: 'referral_status must be present.' },
    });
    expect(await receivedReferrals(sim, 'case-q7')).toHaveLength(2);
  });
});

describe('quirk 8: an upsert without global_id mints a ULID before validation, even when it fails', () => {
  it('leaves an orphan global identity behind a 422', async () => {
    const before = sim.store.identities.size;
    const response = await sim.upsert(referralPayload({ external_id: 'case-q8', level_of_risk: undefined }));
    expect(response.statusCode).toBe(422);
    expect(sim.store.identities.size).toBe(before + 1);
    expect(await receivedReferrals(sim, 'case-q8')).toEqual([]);
    const stats = await sim.control('GET', '/_control/stats');
    expect(stats.json<{ records: Record<string, number> }>().records).toMatchObject({
      globalIdentities: 1,
      referrals: 0,
    });
  });
});

describe('quirk 9: is_referred truthiness — the string "false" is truthy', () => {
  it('creates a repeat referral for "false" but not for JSON false or a missing key', async () => {
    const globalId = await acceptedReferral('case-q9');
    const count = async () => (await receivedReferrals(sim, 'case-q9')).length;
    expect(await count()).toBe(1);
    expect(
      (await sim.upsert(referralPayload({ external_id: 'case-q9', global_id: globalId, is_referred: false })))
        .statusCode,
    ).toBe(200);
    expect(await count()).toBe(1);
    expect(
      (
        await sim.upsert(
          referralPayload({ external_id: 'case-q9', global_id: globalId, is_referred: undefined }),
        )
      ).statusCode,
    ).toBe(200);
    expect(await count()).toBe(1);
    expect(
      (
        await sim.upsert(
          referralPayload({ external_id: 'case-q9', global_id: globalId, is_referred: 'false' }),
        )
      ).statusCode,
    ).toBe(200);
    expect(await count()).toBe(2);
  });
});

describe('quirk 10: upsert with a known global_id overwrites client fields, in the NGO that owns the global id', () => {
  it('nulls local names and reason and updates the owner even when organization_name names another NGO', async () => {
    const created = await createClient(sim, { reason_for_referral: 'School drop-out' });
    const response = await sim.upsert(
      referralPayload({
        global_id: created.global_id,
        organization_name: 'mho',
        external_id: 'case-q10',
        given_name: 'Sreymom',
        family_name: 'Keo',
        local_given_name: 'ស្រីមុំ',
        gender: 'male',
        date_of_birth: '2012-02-03',
        mosvy_number: 'MSV-1',
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toStrictEqual({ external_id: 'case-q10', message: 'Record saved.' });
    const client = (await sim.control('GET', `/_control/clients/${created.global_id}`)).json<
      Record<string, unknown>
    >();
    expect(client).toMatchObject({
      organization: 'cif',
      given_name: 'Sreymom',
      family_name: 'Keo',
      local_given_name: null,
      local_family_name: null,
      reason_for_referral: null,
      gender: 'male',
      date_of_birth: '2012-02-03',
      mosvy_number: 'MSV-1',
      external_id: 'case-q10',
      synced_date: '2025-08-02',
    });
    expect(sim.store.tenants.get('mho')?.clients.size).toBe(0);
    const row = byGlobalId(await sim.listClients(), created.global_id);
    expect(row).toMatchObject({ local_given_name: null, local_family_name: null, organization_name: 'cif' });
  });
});

describe('quirk 11: an unknown global_id on upsert saves the referral, then fails with 500', () => {
  it('returns the non-JSON 500 page and keeps the referral', async () => {
    const response = await sim.upsert(
      referralPayload({ external_id: 'case-q11', global_id: '01HZZZZZZZZZZZZZZZZZZZZZZZ' }),
    );
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(() => JSON.parse(response.body) as unknown).toThrow();
    const referrals = await receivedReferrals(sim, 'case-q11');
    expect(referrals).toHaveLength(1);
    expect(referrals[0]?.client_global_id).toBe('01HZZZZZZZZZZZZZZZZZZZZZZZ');
  });
});

describe('quirk 12: services[].uuid on input is ignored; names match exactly or give {"services":["can\'t be blank"]}', () => {
  it('matches by exact, case-sensitive name and stores the catalogue uuid', async () => {
    const ok = await sim.upsert(
      referralPayload({
        external_id: 'case-q12',
        services: [{ uuid: 'primero-service-id', name: 'Trauma counselling' }],
      }),
    );
    expect(ok.statusCode).toBe(200);
    const [referral] = await receivedReferrals(sim, 'case-q12');
    expect(referral?.services).toEqual([
      { uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8', name: 'Trauma counselling' },
    ]);

    for (const services of [
      [{ uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8', name: 'trauma counselling' }],
      [{ uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8' }],
      [{ name: 'Trauma Counseling' }],
    ]) {
      const bad = await sim.upsert(referralPayload({ external_id: 'case-q12-bad', services }));
      expect(bad.statusCode).toBe(422);
      expect(bad.json()).toStrictEqual({
        external_id: 'case-q12-bad',
        message: { services: ["can't be blank"] },
      });
    }
  });
});

describe('quirk 13: update_statuses is unauthenticated and non-transactional', () => {
  it('accepts a request without credentials and keeps the items before the first failure', async () => {
    const first = await createClient(sim, { refer_to_mosvy: referToMosvy });
    const second = await createClient(sim, { refer_to_mosvy: referToMosvy });
    const response = await sim.app.inject({
      method: 'PUT',
      url: '/api/v1/organizations/referrals/update_statuses',
      payload: {
        data: [
          {
            client_global_id: first.global_id,
            referral_id: first.referral_ids[0],
            referral_status: 'Accepted',
          },
          { client_global_id: second.global_id, referral_id: 999, referral_status: 'Accepted' },
          {
            client_global_id: second.global_id,
            referral_id: second.referral_ids[0],
            referral_status: 'Exited',
          },
        ],
      },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toStrictEqual({
      error: "Couldn't find Referral with 'id'=999",
      message: 'Record error. Please check OSCaR logs for details.',
    });
    const statusOf = async (globalId: string) =>
      (await sim.control('GET', `/_control/clients/${globalId}`)).json<{
        referrals: { referral_status: string }[];
      }>().referrals[0]?.referral_status;
    expect(await statusOf(first.global_id)).toBe('Accepted');
    expect(await statusOf(second.global_id)).toBe('Referred');
  });
});

describe('quirk 14: update_links needs a {"data": [...]} wrapper, skips unknown ids and does not touch updated_at', () => {
  it('500s on a bare array, ignores unknown global ids and does not re-surface the client', async () => {
    sim.clock.set('2025-08-01T10:00:00.000Z');
    const created = await createClient(sim);
    sim.clock.set('2025-08-05T10:00:00.000Z');
    const link = {
      global_id: created.global_id,
      external_id: 'case-q14',
      external_id_display: 'case-14',
      is_referred: false,
    };

    const bare = await sim.api('PUT', '/api/v1/organizations/clients/update_links', [link]);
    expect(bare.statusCode).toBe(500);
    expect(bare.headers['content-type']).not.toMatch(/json/);

    const ok = await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: '01HUNKNOWNUNKNOWNUNKNOWNXX', external_id: 'x' }, link],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toStrictEqual({ message: 'Record saved.' });
    const client = (await sim.control('GET', `/_control/clients/${created.global_id}`)).json<
      Record<string, unknown>
    >();
    expect(client).toMatchObject({
      external_id: 'case-q14',
      updated_at: '2025-08-01T10:00:00.000Z',
      synced_date: '2025-08-05',
    });
    expect(await sim.listClients('?since_date=2025-08-05 00:00:00')).toEqual([]);
  });
});

describe('quirk 15: tokens never rotate, last one week, at most 10 clients per user, and work as query parameters', () => {
  it('keeps one token valid across requests, echoes it, and accepts it in the query string', async () => {
    const auth = sim.auth;
    for (let request = 0; request < 3; request += 1) {
      const response = await sim.api('GET', '/api/v1/organizations/clients');
      expect(response.statusCode).toBe(200);
      expect(response.headers['access-token']).toBe(auth['access-token']);
      expect(response.headers.client).toBe(auth.client);
    }
    const query = new URLSearchParams(auth).toString();
    const viaQuery = await sim.app.inject({ method: 'GET', url: `/api/v1/organizations/clients?${query}` });
    expect(viaQuery.statusCode).toBe(200);
  });

  it('drops the oldest of eleven clients and expires tokens after a week', async () => {
    const first = sim.auth;
    for (let signIn = 0; signIn < 10; signIn += 1) {
      sim.clock.advance(1000);
      await sim.signIn();
    }
    expect((await sim.api('GET', '/api/v1/organizations/clients', undefined, first)).statusCode).toBe(401);
    expect((await sim.api('GET', '/api/v1/organizations/clients')).statusCode).toBe(200);
    sim.clock.advance(7 * 24 * hour);
    expect((await sim.api('GET', '/api/v1/organizations/clients')).statusCode).toBe(401);
  });
});

describe('quirk 16: nullable vs empty strings differ between the two shapes', () => {
  it('turns null into "" in the Shared shape and passes raw values in the Referred shape', async () => {
    const referred = await createClient(sim, { refer_to_mosvy: referToMosvy });
    const shared = await createClient(sim, { given_name: 'Shared' });
    let rows = await sim.listClients();
    expect(byGlobalId(rows, referred.global_id)).toMatchObject({
      external_id: null,
      external_id_display: null,
      mosvy_number: null,
      external_case_worker_name: null,
      external_case_worker_id: null,
    });
    expect(byGlobalId(rows, shared.global_id)).toMatchObject({
      external_id: '',
      external_id_display: '',
      mosvy_number: '',
      resource: null,
    });
    await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: shared.global_id, external_id: 'case-q16' }],
    });
    rows = await sim.listClients();
    expect(byGlobalId(rows, shared.global_id)).toMatchObject({
      external_id: 'case-q16',
      external_id_display: '',
      resource: 'primero',
    });
  });
});

describe('quirk 17: the server differs from the Swagger/OpenFn sample shape', () => {
  it('wraps in data and sends services as {program_name, enrollment_date, uuid, name[, referral_id, referral_status]}', async () => {
    const created = await createClient(sim, { refer_to_mosvy: referToMosvy });
    await sim.control('POST', `/_control/clients/${created.global_id}/enrollments`, {
      program_name: 'Family Support',
      services: ['Family support'],
      enrollment_date: '2025-07-01',
    });
    const response = await sim.api('GET', '/api/v1/organizations/clients');
    const body = response.json<unknown>();
    expect(Array.isArray(body)).toBe(false);
    const [row] = (body as { data: Record<string, unknown>[] }).data;
    for (const absent of ['protection_status', 'reason_for_exiting', 'risk_level'])
      expect(row).not.toHaveProperty(absent);
    expect(row?.services).toEqual([
      {
        program_name: 'Family Support',
        enrollment_date: '2025-07-01',
        uuid: 'cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f',
        name: 'Family support',
      },
      {
        program_name: null,
        enrollment_date: null,
        uuid: '1a1accbd-90a9-4c71-a077-2595322744cb',
        name: 'Kinship care',
        referral_id: created.referral_ids[0],
        referral_status: 'Referred',
      },
    ]);
  });
});

describe('quirk 18: service duplicates in the catalogue', () => {
  it('attaches both "Therapeutic interventions" rows and lists the service twice for one referral', async () => {
    const response = await sim.upsert(
      referralPayload({
        external_id: 'case-q18',
        services: [{ uuid: '', name: 'Therapeutic interventions' }],
      }),
    );
    expect(response.statusCode).toBe(200);
    const [referral] = await receivedReferrals(sim, 'case-q18');
    expect(referral?.services).toEqual([
      { uuid: '9a3b4c0e-c2bb-4ca6-bbf2-23b7ae933af4', name: 'Therapeutic interventions' },
      { uuid: '9a3b4c0e-c2bb-4ca6-bbf2-23b7ae933af4', name: 'Therapeutic interventions' },
    ]);
    const accepted = await decide(sim, referral?.id, 'cif');
    const row = byGlobalId(await sim.listClients(), String(accepted.client.global_id));
    const names = (row?.services as { name: string; referral_id: number }[]).map((service) => [
      service.name,
      service.referral_id,
    ]);
    expect(names).toEqual([
      ['Therapeutic interventions', referral?.id],
      ['Therapeutic interventions', referral?.id],
    ]);
  });

  it('gives "Not Specified" and "Other Service" the same uuid', async () => {
    await sim.upsert(referralPayload({ external_id: 'case-q18-a', services: [{ name: 'Not Specified' }] }));
    await sim.upsert(referralPayload({ external_id: 'case-q18-b', services: [{ name: 'Other Service' }] }));
    const [a] = await receivedReferrals(sim, 'case-q18-a');
    const [b] = await receivedReferrals(sim, 'case-q18-b');
    expect(a?.services).toEqual([{ uuid: 'f1a4e827-19f7-4f96-90f6-69e35f73d867', name: 'Not Specified' }]);
    expect(b?.services).toEqual([{ uuid: 'f1a4e827-19f7-4f96-90f6-69e35f73d867', name: 'Other Service' }]);
  });
});

describe('quirk 19: bad input causes 500s', () => {
  it('500s on an unparseable since_date, end_date without since_date and an unknown organization_name', async () => {
    for (const response of [
      await sim.api('GET', '/api/v1/organizations/clients?since_date=yesterday'),
      await sim.api('GET', '/api/v1/organizations/clients?since_date=2025-13-01'),
      await sim.api('GET', '/api/v1/organizations/clients?end_date=2025-08-01'),
      await sim.upsert(referralPayload({ organization_name: 'nosuchngo' })),
    ]) {
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).not.toMatch(/json/);
    }
  });
});

describe('quirk 20: repeat referrals for an existing client stay detached until the profile is opened', () => {
  it('keeps a repeat referral out of GET services until someone opens the client in OSCaR', async () => {
    const globalId = await acceptedReferral('case-q20');
    const repeat = await sim.upsert(
      referralPayload({
        external_id: 'case-q20',
        global_id: globalId,
        services: [{ name: 'School support' }],
      }),
    );
    expect(repeat.statusCode).toBe(200);
    const serviceNames = async () =>
      ((byGlobalId(await sim.listClients(), globalId)?.services ?? []) as { name: string }[]).map(
        (service) => service.name,
      );
    expect(await serviceNames()).toEqual(['Generalist counselling']);
    const opened = await sim.control('POST', `/_control/clients/${globalId}/open-profile`);
    expect(opened.json<{ attached_referral_ids: number[] }>().attached_referral_ids).toHaveLength(1);
    expect(await serviceNames()).toEqual(['Generalist counselling', 'School support']);
  });
});

describe("quirk 21: dates — date_of_referral is the server's today; DOBs and enrollment dates are YYYY-MM-DD", () => {
  it('ignores the payload date_of_referral and keeps odd production DOBs such as 22012-01-01', async () => {
    sim.clock.set('2025-08-04T23:30:00.000Z');
    const response = await sim.upsert(
      referralPayload({
        external_id: 'case-q21',
        date_of_referral: '2022-10-04',
        date_of_birth: '22012-01-01',
      }),
    );
    expect(response.statusCode).toBe(200);
    const [referral] = await receivedReferrals(sim, 'case-q21');
    expect(referral?.date_of_referral).toBe('2025-08-04');
    const accepted = await decide(sim, referral?.id, 'cif');
    const row = byGlobalId(await sim.listClients(), String(accepted.client.global_id));
    expect(row?.date_of_birth).toBe('22012-01-01');

    const client = await createClient(sim, { date_of_birth: '2014/09/08' });
    await sim.control('POST', `/_control/clients/${client.global_id}/enrollments`, {
      program_name: 'Counselling',
      services: ['Trauma counselling'],
    });
    await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: client.global_id, external_id: 'x' }],
    });
    const enrolled = byGlobalId(await sim.listClients(), client.global_id);
    expect(enrolled?.date_of_birth).toBe('2014-09-08');
    expect(enrolled?.services).toEqual([expect.objectContaining({ enrollment_date: '2025-08-04' })]);
  });
});
