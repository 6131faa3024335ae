import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { byGlobalId, createClient, decide, receivedReferrals, referralPayload, startSim } from './harness.ts';

/** docs/upstream/oscar.md §3: the end-to-end flows as the legacy integration drives them. */
let sim: Harness;

beforeEach(async () => {
  sim = await startSim();
  await sim.signIn();
});
afterEach(async () => {
  await sim.close();
});

describe('flow A: Primero → OSCaR referral', () => {
  it('upsert → pending referral → NGO accepts → GET (group B) → repeat referral with global_id', async () => {
    const caseId = 'aac935f2-5e01-450b-8575-423915a04e68';
    const first = await sim.upsert(
      referralPayload({
        external_id: caseId,
        external_id_display: '5a04e68',
        mosvy_number: 'MSV-7',
        external_case_worker_id: '12',
      }),
    );
    expect(first.json()).toStrictEqual({ external_id: caseId, message: 'Record saved.' });
    const [pending] = await receivedReferrals(sim, caseId);
    expect(pending).toMatchObject({ referral_status: 'Referred', saved: false, client_id: null });
    expect(await sim.listClients()).toEqual([]);

    sim.clock.advance(3_600_000);
    const accepted = await decide(sim, pending?.id, 'cif');
    expect(accepted.created).toBe(true);
    expect(accepted.client).toMatchObject({
      global_id: pending?.client_global_id,
      external_id: caseId,
      external_id_display: '5a04e68',
      mosvy_number: 'MSV-7',
      external_case_worker_name: 'mgrpnh',
      external_case_worker_id: '12',
      status: 'Accepted',
    });
    expect(String(accepted.client.slug)).toMatch(/^[a-z]{4}-\d+$/);
    expect(accepted.referral).toMatchObject({ referral_status: 'Accepted', saved: true });

    const [row] = await sim.listClients('?since_date=2025-08-02 00:00:00');
    expect(row).toMatchObject({
      global_id: pending?.client_global_id,
      slug: accepted.client.slug,
      resource: 'primero',
      is_referred: true,
      external_id: caseId,
      status: 'Accepted',
      services: [
        {
          program_name: null,
          enrollment_date: null,
          uuid: '318d3ae6-979d-47e7-9d94-2bb978102078',
          name: 'Generalist counselling',
          referral_id: pending?.id,
          referral_status: 'Accepted',
        },
      ],
    });
    expect(row).not.toHaveProperty('organization_id');

    const repeat = await sim.upsert(
      referralPayload({
        external_id: caseId,
        global_id: row?.global_id,
        services: [{ name: 'Kinship care' }],
      }),
    );
    expect(repeat.statusCode).toBe(200);
    const referrals = await receivedReferrals(sim, caseId);
    expect(referrals).toHaveLength(2);
    const again = await decide(sim, referrals[1]?.id, 'cif');
    expect(again.created).toBe(false);
    const names = (
      (byGlobalId(await sim.listClients(), String(row?.global_id))?.services ?? []) as { name: string }[]
    ).map((service) => service.name);
    expect(names).toEqual(['Generalist counselling', 'Kinship care']);
  });

  it('the NGO rejecting takes the case in and exits it', async () => {
    await sim.upsert(referralPayload({ external_id: 'case-rejected' }));
    const [pending] = await receivedReferrals(sim, 'case-rejected');
    const rejected = await decide(sim, pending?.id, 'cif', 'reject');
    expect(rejected.client.status).toBe('Exited');
    expect(rejected.referral.referral_status).toBe('Exited');
    const [row] = await sim.listClients();
    expect(row).toMatchObject({
      status: 'Exited',
      services: [expect.objectContaining({ referral_status: 'Exited' })],
    });
  });
});

describe('flow B: OSCaR → Primero referral', () => {
  it('NGO refers → GET (group A) → update_links → update_statuses', async () => {
    const created = await createClient(sim, {
      refer_to_mosvy: { services: ['Family support'], reason: 'Violence at home', level_of_risk: 'high' },
    });
    const [row] = await sim.listClients();
    expect(row).toMatchObject({
      global_id: created.global_id,
      organization_id: 46,
      is_referred: true,
      level_of_risk: 'high',
      reason_for_referral: 'Violence at home',
      services: [
        { name: 'Family support', referral_id: created.referral_ids[0], referral_status: 'Referred' },
      ],
    });
    expect((row?.referral_consent_form as string[]).length).toBe(1);

    const links = await sim.api('PUT', '/api/v1/organizations/clients/update_links/', {
      data: [
        {
          global_id: created.global_id,
          external_id: 'primero-case',
          external_id_display: 'ry-case',
          is_referred: false,
        },
      ],
    });
    expect(links.statusCode).toBe(200);
    const statuses = await sim.api('PUT', '/api/v1/organizations/referrals/update_statuses/', {
      data: [
        {
          client_global_id: created.global_id,
          referral_id: created.referral_ids[0],
          referral_status: 'Accepted',
          external_id: 'primero-case',
          external_id_display: 'ry-case',
        },
      ],
    });
    expect(statuses.json()).toStrictEqual({ message: 'Record saved.' });
    const [after] = await sim.listClients();
    expect(after).toMatchObject({
      external_id: 'primero-case',
      external_id_display: 'ry-case',
      services: [expect.objectContaining({ referral_status: 'Accepted' })],
    });
  });
});

describe('flow C: duplicate prevention', () => {
  it('lists every eligible shared client (group B, is_referred false, no services, resource null) and links it back', async () => {
    const created = await createClient(sim, { organization: 'holt', given_name: 'Kosal' });
    await sim.control('POST', `/_control/clients/${created.global_id}/enrollments`, {
      program_name: 'Education Support',
      services: ['School support'],
    });
    const [row] = await sim.listClients();
    expect(row).toMatchObject({
      organization_name: 'holt',
      is_referred: false,
      services: [],
      resource: null,
      status: 'Active',
    });
    await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: created.global_id, external_id: 'view-only-case', external_id_display: 'ly-case' }],
    });
    const [linked] = await sim.listClients();
    expect(linked).toMatchObject({
      resource: 'primero',
      services: [expect.objectContaining({ name: 'School support' })],
    });
  });
});
