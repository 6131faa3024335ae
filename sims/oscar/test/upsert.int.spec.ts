import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import {
  byGlobalId,
  createClient,
  decide,
  receivedReferrals,
  referralPayload,
  startSim,
  systemName,
} from './harness.ts';

/** docs/upstream/oscar.md §2.2: the upsert decision tree, branch by branch. */
let sim: Harness;

beforeEach(async () => {
  sim = await startSim();
  await sim.signIn();
});
afterEach(async () => {
  await sim.close();
});

const recordError = { message: 'Record error. Please check OSCaR logs for details.' };

async function clientOf(globalId: string): Promise<Record<string, unknown>> {
  return (await sim.control('GET', `/_control/clients/${globalId}`)).json<Record<string, unknown>>();
}

async function firstReferralAccepted(externalId: string, organization = 'cif'): Promise<string> {
  expect(
    (await sim.upsert(referralPayload({ external_id: externalId, organization_name: organization })))
      .statusCode,
  ).toBe(200);
  const [referral] = await receivedReferrals(sim, externalId);
  return String((await decide(sim, referral?.id, organization)).client.global_id);
}

describe('step 1: organization wrapper and tenant', () => {
  it('422s without the organization wrapper or with a blank organization_name', async () => {
    for (const body of [{}, { organization: 'cif' }, { organization: [] }, { ...referralPayload() }]) {
      const response = await sim.api('POST', '/api/v1/organizations/clients/upsert', body);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toStrictEqual(recordError);
    }
    for (const name of [undefined, '', '  ', null]) {
      const response = await sim.upsert(referralPayload({ organization_name: name }));
      expect(response.statusCode).toBe(422);
      expect(response.json()).toStrictEqual(recordError);
    }
  });

  it('500s (non-JSON) on an organization_name that is not a tenant, before minting anything', async () => {
    const response = await sim.upsert(referralPayload({ organization_name: 'CIF' }));
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(sim.store.identities.size).toBe(0);
  });

  it('accepts the path with and without a trailing slash', async () => {
    const a = await sim.api('POST', '/api/v1/organizations/clients/upsert', {
      organization: referralPayload({ external_id: 'a' }),
    });
    const b = await sim.api('POST', '/api/v1/organizations/clients/upsert/', {
      organization: referralPayload({ external_id: 'b' }),
    });
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
  });

  it('accepts a form-encoded body as Rails does', async () => {
    const form = new URLSearchParams({
      'organization[organization_name]': 'cif',
      'organization[external_id]': 'form-1',
      'organization[given_name]': 'Dara',
      'organization[family_name]': 'Sok',
      'organization[level_of_risk]': 'low',
      'organization[external_case_worker_name]': 'mgrpnh',
      'organization[external_case_worker_mobile]': '000000000',
      'organization[services][][name]': 'Kinship care',
    });
    const response = await sim.api('POST', '/api/v1/organizations/clients/upsert', form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.json()).toStrictEqual({ external_id: 'form-1', message: 'Record saved.' });
  });
});

describe('step 2: a known global_id', () => {
  it('2b: creates a repeat referral (slug and referee from the client) when is_referred is true', async () => {
    const globalId = await firstReferralAccepted('case-2b');
    const client = await clientOf(globalId);
    const response = await sim.upsert(
      referralPayload({
        external_id: 'case-2b',
        global_id: globalId,
        services: [{ name: 'School support' }],
      }),
    );
    expect(response.json()).toStrictEqual({ external_id: 'case-2b', message: 'Record saved.' });
    const referrals = await receivedReferrals(sim, 'case-2b');
    expect(referrals).toHaveLength(2);
    expect(referrals[1]).toMatchObject({
      client_global_id: globalId,
      slug: client.slug,
      referee_id: client.referee_id,
      client_id: null,
      referral_status: 'Referred',
      services: [{ uuid: 'a5647de9-4849-4106-a85c-6dbc0ac0ba50', name: 'School support' }],
    });
  });

  it('2b: stores a sent Accepted/Exited/Referred status and records the external link; Active saves without a link', async () => {
    const globalId = await firstReferralAccepted('case-2b-status');
    const links = () => sim.store.externalSystemLinks.length;
    const before = links();
    await sim.upsert(
      referralPayload({ external_id: 'case-2b-status', global_id: globalId, referral_status: 'Exited' }),
    );
    expect(links()).toBe(before + 1);
    await sim.upsert(
      referralPayload({ external_id: 'case-2b-status', global_id: globalId, referral_status: 'Active' }),
    );
    expect(links()).toBe(before + 1);
    const statuses = (await receivedReferrals(sim, 'case-2b-status')).map(
      (referral) => referral.referral_status,
    );
    // The repeat referrals got Exited and Active; step 2c then set the latest *attached* received referral.
    expect(statuses.slice(1)).toEqual(['Exited', 'Active']);
  });

  it('2b: 422s with the referral errors and the sent external_id when the repeat referral is invalid', async () => {
    const globalId = await firstReferralAccepted('case-2b-invalid');
    const bogus = await sim.upsert(
      referralPayload({ external_id: 'sent-id', global_id: globalId, referral_status: 'Bogus' }),
    );
    expect(bogus.statusCode).toBe(422);
    expect(bogus.json()).toStrictEqual({
      external_id: 'sent-id',
      message: { referral_status: ['is not included in the list'] },
    });
    const noRisk = await sim.upsert(
      referralPayload({ external_id: 'sent-id', global_id: globalId, level_of_risk: 'no_action' }),
    );
    expect(noRisk.json()).toStrictEqual({
      external_id: 'sent-id',
      message: { level_of_risk: ['is not included in the list'] },
    });
    await sim.control('PATCH', `/_control/clients/${globalId}`, { referee_id: null });
    const noReferee = await sim.upsert(referralPayload({ external_id: 'sent-id', global_id: globalId }));
    expect(noReferee.json()).toStrictEqual({
      external_id: 'sent-id',
      message: { referee_id: ["can't be blank"] },
    });
  });

  it('2b: skips the repeat referral when the client is not in the organization_name NGO, and still updates the owner', async () => {
    const globalId = await firstReferralAccepted('case-2b-elsewhere');
    const response = await sim.upsert(
      referralPayload({
        external_id: 'case-2b-elsewhere',
        global_id: globalId,
        organization_name: 'mho',
        given_name: 'Renamed',
      }),
    );
    expect(response.statusCode).toBe(200);
    expect((await receivedReferrals(sim, 'case-2b-elsewhere')).length).toBe(1);
    expect(sim.store.tenants.get('mho')?.referrals.size).toBe(0);
    expect((await clientOf(globalId)).given_name).toBe('Renamed');
  });

  it('2c: overwrites the client from the payload; absent keys become null; external_id only when non-empty', async () => {
    const created = await createClient(sim, { mosvy_number: 'MSV-9', reason_for_referral: 'Kept?' });
    sim.clock.advance(60_000);
    const response = await sim.upsert({
      organization_name: 'cif',
      global_id: created.global_id,
      gender: 'male',
      external_id: '',
      external_case_worker_id: 42,
      location_current_village_code: '1070101',
    });
    expect(response.json()).toStrictEqual({ external_id: null, message: 'Record saved.' });
    const client = await clientOf(created.global_id);
    expect(client).toMatchObject({
      given_name: null,
      family_name: null,
      local_given_name: null,
      local_family_name: null,
      mosvy_number: null,
      reason_for_referral: null,
      date_of_birth: null,
      gender: 'male',
      external_id: null,
      synced_date: null,
      external_case_worker_id: '42',
      external_case_worker_name: null,
      location_code: '01070101',
      updated_at: '2025-08-02T09:01:00.000Z',
    });
    // Eligibility now hides the client: no names, no DOB.
    expect(byGlobalId(await sim.listClients(), created.global_id)).toBeUndefined();
  });

  it('2c: uses address_current_village_code before location_current_village_code, Ruby-style', async () => {
    const created = await createClient(sim);
    await sim.upsert(
      referralPayload({
        global_id: created.global_id,
        address_current_village_code: '80101',
        location_current_village_code: '01070101',
      }),
    );
    expect((await clientOf(created.global_id)).location_code).toBe('080101');
  });

  it('2c: 422s on client validation (gender blank or not in the list, no case worker) without saving', async () => {
    const created = await createClient(sim);
    for (const [gender, errors] of [
      ['', { gender: ["can't be blank"] }],
      ['Female', { gender: ['is not included in the list'] }],
    ] as const) {
      const response = await sim.upsert(
        referralPayload({ global_id: created.global_id, external_id: 'sent', gender, given_name: 'X' }),
      );
      expect(response.statusCode).toBe(422);
      expect(response.json()).toStrictEqual({ external_id: 'sent', message: errors });
    }
    expect((await clientOf(created.global_id)).given_name).toBe('Sokha');
    const noWorker = await createClient(sim, { case_worker: undefined, case_workers: [] });
    const response = await sim.upsert(
      referralPayload({ global_id: noWorker.global_id, external_id: 'sent' }),
    );
    expect(response.json()).toStrictEqual({ external_id: 'sent', message: { user_ids: ["can't be blank"] } });
  });

  it('2c: a sent referral_status sets the latest received and latest sent referral, answering with the client external_id', async () => {
    const globalId = await firstReferralAccepted('case-2c-status');
    const sent = await sim.control('POST', `/_control/clients/${globalId}/referrals`, {
      services: ['Kinship care'],
      reason: 'Back to MoSVY',
      level_of_risk: 'low',
    });
    expect(sent.statusCode).toBe(201);
    const response = await sim.upsert(
      referralPayload({
        external_id: 'other-id',
        global_id: globalId,
        is_referred: false,
        referral_status: 'Exited',
      }),
    );
    expect(response.json()).toStrictEqual({ external_id: 'other-id', message: 'Record saved.' });
    const client = await clientOf(globalId);
    const statuses = (client.referrals as { referred_from: string; referral_status: string }[]).map(
      (referral) => [referral.referred_from, referral.referral_status],
    );
    expect(statuses).toEqual([
      [systemName, 'Exited'],
      ['cif', 'Exited'],
    ]);
  });

  it('2c: an invalid referral_status 422s after the client update was committed', async () => {
    const globalId = await firstReferralAccepted('case-2c-bad');
    const response = await sim.upsert(
      referralPayload({
        external_id: '',
        global_id: globalId,
        is_referred: false,
        given_name: 'Committed',
        referral_status: 'Active',
      }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json()).toStrictEqual({
      external_id: 'case-2c-bad',
      message: "Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
    });
    expect((await clientOf(globalId)).given_name).toBe('Committed');
  });

  it('2c: a global identity whose client row is gone gives a 500', async () => {
    const created = await createClient(sim);
    await sim.control('DELETE', `/_control/clients/${created.global_id}?hard=true`);
    const response = await sim.upsert(referralPayload({ global_id: created.global_id }));
    expect(response.statusCode).toBe(500);
    const softDeleted = await createClient(sim);
    await sim.control('DELETE', `/_control/clients/${softDeleted.global_id}`);
    expect((await sim.upsert(referralPayload({ global_id: softDeleted.global_id }))).statusCode).toBe(500);
  });

  it('2c: a global identity not linked to any NGO yet falls through to step 3', async () => {
    await sim.upsert(referralPayload({ external_id: 'case-pending' }));
    const [pending] = await receivedReferrals(sim, 'case-pending');
    const globalId = String(pending?.client_global_id);
    const response = await sim.upsert(referralPayload({ external_id: 'case-new', global_id: globalId }));
    expect(response.json()).toStrictEqual({ external_id: 'case-new', message: 'Record saved.' });
    const [created] = await receivedReferrals(sim, 'case-new');
    expect(created?.client_global_id).toBe(globalId);
  });
});

describe('step 3: a new referral by external_id', () => {
  it('creates a pending referral with the fields built from the payload', async () => {
    sim.clock.set('2025-08-04T12:00:00.000Z');
    const response = await sim.upsert(
      referralPayload({
        external_id: 'case-3',
        external_case_worker_id: '17abc',
        reason_for_referral: '  ',
        referral_status: 'Accepted',
      }),
    );
    expect(response.json()).toStrictEqual({ external_id: 'case-3', message: 'Record saved.' });
    const [referral] = await receivedReferrals(sim, 'case-3');
    expect(referral).toMatchObject({
      organization: 'cif',
      client_id: null,
      slug: null,
      external_id: 'case-3',
      external_id_display: '6392077',
      mosvy_number: '',
      referred_to: 'cif',
      referred_from: systemName,
      ngo_name: systemName,
      client_name: 'Sreypov Heng',
      client_gender: 'female',
      client_date_of_birth: '2016-01-01',
      village_code: '01070101',
      referral_reason: 'N/A',
      name_of_referee: 'mgrpnh',
      referral_phone: '000000000',
      referee_email: 'caseworker@example.org',
      referee_id: 17,
      level_of_risk: 'medium',
      referral_status: 'Referred',
      consent_form: [],
      saved: false,
      date_of_referral: '2025-08-04',
      services: [{ uuid: '318d3ae6-979d-47e7-9d94-2bb978102078', name: 'Generalist counselling' }],
    });
    expect(referral?.client_global_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(sim.store.externalSystemLinks).toHaveLength(1);
  });

  it('422s with every failed validation, keyed by attribute, in the model order', async () => {
    const response = await sim.upsert({
      organization_name: 'cif',
      external_id: 'case-empty',
      level_of_risk: 'no action',
    });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toStrictEqual({
      external_id: 'case-empty',
      message: {
        client_name: ["can't be blank"],
        name_of_referee: ["can't be blank"],
        referral_phone: ["can't be blank"],
        services: ["can't be blank"],
      },
    });
    const noRisk = await sim.upsert(
      referralPayload({ external_id: 'case-no-risk', level_of_risk: undefined }),
    );
    expect(noRisk.json()).toStrictEqual({
      external_id: 'case-no-risk',
      message: { level_of_risk: ["can't be blank", 'is not included in the list'] },
    });
  });

  it('duplicates a pending referral (same global id), and refuses an accepted one', async () => {
    await sim.upsert(referralPayload({ external_id: 'case-dup' }));
    await sim.upsert(referralPayload({ external_id: 'case-dup', level_of_risk: 'high' }));
    const referrals = await receivedReferrals(sim, 'case-dup');
    expect(referrals.map((referral) => referral.level_of_risk)).toEqual(['medium', 'high']);
    expect(new Set(referrals.map((referral) => referral.client_global_id)).size).toBe(1);
    expect(sim.store.identities.size).toBe(2); // the second request's ULID was minted, then orphaned
    await decide(sim, referrals[1]?.id, 'cif');
    const refused = await sim.upsert(referralPayload({ external_id: 'case-dup' }));
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ message: 'Record was found.' });
  });

  it('answers "Record was found." with empty errors when a (not yet linked) global_id was sent', async () => {
    await firstReferralAccepted('case-found');
    const response = await sim.upsert(
      referralPayload({ external_id: 'case-found', global_id: '01HUNKNOWNUNKNOWNUNKNOWNXX' }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json()).toStrictEqual({
      external_id: 'case-found',
      message: 'Record was found.',
      errors: {},
    });
  });

  it('looks up external ids per NGO: the same case can be pending in two NGOs', async () => {
    await sim.upsert(referralPayload({ external_id: 'case-two-ngos' }));
    await sim.upsert(referralPayload({ external_id: 'case-two-ngos', organization_name: 'mho' }));
    const referrals = await receivedReferrals(sim, 'case-two-ngos');
    expect(referrals.map((referral) => [referral.organization, referral.id])).toEqual([
      ['cif', 1],
      ['mho', 1],
    ]);
    expect(referrals[0]?.client_global_id).not.toBe(referrals[1]?.client_global_id);
  });

  it('drops keys outside the whitelist (local names, resource, date_of_referral, nested objects)', async () => {
    await sim.upsert(
      referralPayload({
        external_id: 'case-whitelist',
        local_given_name: 'ស្រីពៅ',
        given_name: { nested: true },
        resource: 'Primero',
        case_worker_name: 'x',
      }),
    );
    const [referral] = await receivedReferrals(sim, 'case-whitelist');
    expect(referral?.client_name).toBe('Heng');
    const accepted = await decide(sim, referral?.id, 'cif');
    expect(accepted.client).toMatchObject({ given_name: null, family_name: 'Heng', local_given_name: '' });
  });
});
