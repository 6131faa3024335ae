import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CreatedClient, Harness } from './harness.ts';
import { byGlobalId, createClient, decide, receivedReferrals, referralPayload, startSim } from './harness.ts';

/** docs/upstream/oscar.md §2.1: GET /api/v1/organizations/clients. */
let sim: Harness;
const minute = 60_000;

beforeEach(async () => {
  sim = await startSim();
  await sim.signIn();
});
afterEach(async () => {
  await sim.close();
});

const referToMosvy = {
  services: ['Kinship care'],
  reason: 'Needs family-based care',
  level_of_risk: 'medium',
};

describe('the Referred shape (group A, §2.1.1)', () => {
  it('has exactly the server keys in the server order, with values from the client, NGO and latest referral', async () => {
    const created = await createClient(sim, {
      case_workers: [
        { name: 'Dara Kim', mobile: '089 57 07 37' },
        { name: 'Sophea Meas', mobile: '0963052453' },
      ],
      mosvy_number: 'MSV-0098',
      reason_for_referral: 'Client reason',
      refer_to_mosvy: { services: ['Kinship care'], reason: 'First reason', level_of_risk: 'low' },
    });
    sim.clock.advance(minute);
    const second = await sim.control('POST', `/_control/clients/${created.global_id}/referrals`, {
      services: ['Trauma counselling'],
      reason: 'Latest reason',
      level_of_risk: 'no action',
    });
    const latestId = second.json<{ referral: { id: number } }>().referral.id;
    const [row] = await sim.listClients();
    expect(JSON.stringify(row)).toBe(
      JSON.stringify({
        slug: created.slug,
        global_id: created.global_id,
        external_id: null,
        external_id_display: null,
        mosvy_number: 'MSV-0098',
        given_name: 'Sokha',
        family_name: 'Chan',
        gender: 'female',
        date_of_birth: '2013-04-17',
        location_current_village_code: '12060102',
        address_current_village_code: '12060102',
        organization_id: 46,
        organization_name: 'cif',
        external_case_worker_name: null,
        external_case_worker_id: null,
        reason_for_referral: 'Latest reason',
        status: 'Accepted',
        case_worker_name: 'Dara Kim, Sophea Meas',
        case_worker_mobile: '089 57 07 37, 0963052453',
        is_referred: true,
        referral_consent_form: [
          `https://oscar-web-assets-production.s3.amazonaws.com/uploads/referral/consent_form/46${latestId}/consent.png`,
        ],
        organization_address_code: '120611',
        level_of_risk: 'no action',
        services: [
          {
            program_name: null,
            enrollment_date: null,
            uuid: '1a1accbd-90a9-4c71-a077-2595322744cb',
            name: 'Kinship care',
            referral_id: created.referral_ids[0],
            referral_status: 'Referred',
          },
          {
            program_name: null,
            enrollment_date: null,
            uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8',
            name: 'Trauma counselling',
            referral_id: latestId,
            referral_status: 'Referred',
          },
        ],
      }),
    );
  });
});

describe('the Shared shape (group B, §2.1.2)', () => {
  it('has exactly the server keys in the server order', async () => {
    const created = await createClient(sim, {
      case_worker: { name: 'Dara Kim', mobile: null },
      location_code: '806',
    });
    const [row] = await sim.listClients();
    expect(JSON.stringify(row)).toBe(
      JSON.stringify({
        given_name: 'Sokha',
        family_name: 'Chan',
        local_given_name: 'សុខា',
        local_family_name: 'ចាន់',
        gender: 'female',
        date_of_birth: '2013-04-17',
        global_id: created.global_id,
        slug: created.slug,
        external_id: '',
        external_id_display: '',
        status: 'Accepted',
        mosvy_number: '',
        location_current_village_code: '0806',
        case_worker_name: 'Dara Kim',
        case_worker_mobile: '',
        is_referred: false,
        organization_name: 'cif',
        organization_address_code: '120611',
        resource: null,
        services: [],
      }),
    );
  });

  it('lists services (program first, de-duplicated, then referral services) only once external_id is set', async () => {
    const created = await createClient(sim);
    for (const enrollment of [
      {
        program_name: 'Foster Care',
        services: ['Long term foster care', 'Emergency foster care'],
        enrollment_date: '2025-02-01',
      },
      { program_name: 'Foster Care', services: ['Long term foster care'], enrollment_date: '2024-06-29' },
      { program_name: 'Family Support', services: ['Family support'], enrollment_date: '2025-03-01' },
    ]) {
      await sim.control('POST', `/_control/clients/${created.global_id}/enrollments`, enrollment);
    }
    expect(byGlobalId(await sim.listClients(), created.global_id)).toMatchObject({
      services: [],
      status: 'Active',
    });
    await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: created.global_id, external_id: 'case-1', external_id_display: 'e-1' }],
    });
    const row = byGlobalId(await sim.listClients(), created.global_id);
    expect(row?.services).toEqual([
      {
        program_name: 'Foster Care',
        enrollment_date: '2024-06-29',
        uuid: '155c6b46-ac10-4226-b9fd-6e117111b08c',
        name: 'Emergency foster care',
      },
      {
        program_name: 'Foster Care',
        enrollment_date: '2024-06-29',
        uuid: '1843eb37-7ec8-4131-8fb9-857559ac379b',
        name: 'Long term foster care',
      },
      {
        program_name: 'Family Support',
        enrollment_date: '2025-03-01',
        uuid: 'cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f',
        name: 'Family support',
      },
    ]);
  });
});

describe('location and organization codes', () => {
  it('pads input codes by length and emits the most specific code, "" when none', async () => {
    const cases: [unknown, string][] = [
      ['1', '01'],
      ['12', '12'],
      ['101', '0101'],
      ['10101', '010101'],
      ['1070101', '01070101'],
      [12060102, '12060102'],
      [null, ''],
      ['99999999', '99999999'],
    ];
    const created: CreatedClient[] = [];
    for (const [code] of cases) created.push(await createClient(sim, { location_code: code }));
    const rows = await sim.listClients();
    cases.forEach(([, expected], index) => {
      expect(byGlobalId(rows, created[index]?.global_id ?? '')?.location_current_village_code).toBe(expected);
    });
  });

  it('derives organization_address_code: commune, else district, else first district of the province, else ""', async () => {
    const expectations: [string, string][] = [
      ['cif', '120611'],
      ['gpc', '1205'],
      ['eao', '1701'],
      ['wmo', ''],
    ];
    for (const [organization] of expectations) await createClient(sim, { organization });
    const rows = await sim.listClients();
    for (const [organization, code] of expectations) {
      expect(rows.find((row) => row.organization_name === organization)?.organization_address_code).toBe(
        code,
      );
    }
  });
});

describe('updated_at refresh', () => {
  it('re-surfaces a client in since_date polls when a referral is created or updated or an enrolment changes', async () => {
    sim.clock.set('2025-08-01T10:00:00.000Z');
    const created = await createClient(sim, { refer_to_mosvy: referToMosvy });
    sim.clock.set('2025-08-03T10:00:00.000Z');
    const since = '?since_date=2025-08-03 00:00:00';
    expect(await sim.listClients(since)).toEqual([]);

    await sim.app.inject({
      method: 'PUT',
      url: '/api/v1/organizations/referrals/update_statuses',
      payload: {
        data: [
          {
            client_global_id: created.global_id,
            referral_id: created.referral_ids[0],
            referral_status: 'Accepted',
          },
        ],
      },
    });
    expect((await sim.listClients(since)).map((row) => row.global_id)).toEqual([created.global_id]);

    sim.clock.set('2025-08-05T10:00:00.000Z');
    const later = '?since_date=2025-08-05 00:00:00';
    // Setting the same status again changes nothing, so nothing is touched.
    await sim.app.inject({
      method: 'PUT',
      url: '/api/v1/organizations/referrals/update_statuses',
      payload: {
        data: [
          {
            client_global_id: created.global_id,
            referral_id: created.referral_ids[0],
            referral_status: 'Accepted',
          },
        ],
      },
    });
    expect(await sim.listClients(later)).toEqual([]);
    await sim.control('POST', `/_control/clients/${created.global_id}/enrollments`, {
      program_name: 'Kinship Care',
      services: ['Kinship care'],
    });
    expect(await sim.listClients(later)).toHaveLength(1);
  });
});

describe('historical mode (end_date)', () => {
  it('lists clients created between since_date and end_date, created_at ascending, all in the Shared shape', async () => {
    const times = [
      '2025-07-01T10:00:00.000Z',
      '2025-07-15T10:00:00.000Z',
      '2025-07-31T10:00:00.000Z',
      '2025-08-01T10:00:00.000Z',
    ];
    const created: CreatedClient[] = [];
    for (const time of times) {
      sim.clock.set(time);
      created.push(await createClient(sim, { refer_to_mosvy: referToMosvy }));
    }
    sim.clock.set('2025-08-02T10:00:00.000Z');
    await sim.control('PATCH', `/_control/clients/${created[0]?.global_id ?? ''}`, { given_name: 'Touched' });
    const rows = await sim.listClients('?since_date=2025-07-01&end_date=2025-07-31');
    expect(rows.map((row) => row.global_id)).toEqual([created[0]?.global_id, created[1]?.global_id]);
    for (const row of rows) expect(row).toHaveProperty('resource');
  });
});

describe('tenants', () => {
  it('lists only integrated NGOs, and soft-deleted clients only in group B', async () => {
    const referred = await createClient(sim, { refer_to_mosvy: referToMosvy });
    const other = await createClient(sim, { organization: 'mho' });
    await sim.control('PATCH', '/_control/organizations/mho', { integrated: false });
    expect((await sim.listClients()).map((row) => row.global_id)).toEqual([referred.global_id]);
    await sim.control('DELETE', `/_control/clients/${referred.global_id}`);
    const [row] = await sim.listClients();
    expect(row).toMatchObject({ global_id: referred.global_id, resource: null });
    expect(other.organization).toBe('mho');
  });

  it('reports is_referred for any referral exchanged with MoSVY, either direction', async () => {
    await sim.upsert(referralPayload({ external_id: 'case-in' }));
    const [referral] = await receivedReferrals(sim, 'case-in');
    const accepted = await decide(sim, referral?.id, 'cif');
    const plain = await createClient(sim);
    const rows = await sim.listClients();
    expect(byGlobalId(rows, String(accepted.client.global_id))).toMatchObject({
      is_referred: true,
      resource: 'primero',
    });
    expect(byGlobalId(rows, plain.global_id)).toMatchObject({ is_referred: false });
  });
});
