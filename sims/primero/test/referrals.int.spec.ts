import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { ErrorList, Harness } from './sim-harness.ts';
import { startHarness, uuid } from './sim-harness.ts';

/** The referral status machine (docs/upstream/primero.md §5.2) and the referral endpoints' side effects. */

let sim: Harness;
beforeEach(() => {
  sim = startHarness();
});
afterEach(async () => {
  await sim.close();
});

const serviceId = 'bbbbbbbb-0000-4000-8000-000000000001';

async function referredCase(): Promise<{ caseId: string; referralId: string }> {
  const record = await sim.createCase({
    module_id: 'primeromodule-cp',
    consent_for_services: true,
    disclosure_other_orgs: true,
    services_section: [
      {
        unique_id: serviceId,
        service_response_type: 'referral_to_oscar',
        service_type: 'counselling',
        service_subtype: ['counselling_trauma'],
        service_response_day_time: '2025-07-30T00:00:00.000Z',
      },
    ],
  });
  sim.advance(1000);
  const reply = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
    data: {
      transitioned_to: 'agency-cif-user',
      transitioned_to_agency: 'agency-cif',
      service: 'counselling',
      service_record_id: serviceId,
      notes: 'Trauma counselling please',
    },
  });
  expect(reply.status).toBe(200);
  return { caseId: String(record.id), referralId: reply.json<{ data: { id: string } }>().data.id };
}

async function patchStatus(caseId: string, referralId: string, data: Record<string, unknown>) {
  sim.advance(1000);
  return sim.patch(`/api/v2/cases/${caseId}/referrals/${referralId}`, { data });
}

async function caseData(caseId: string): Promise<Record<string, unknown>> {
  return (await sim.get(`/api/v2/cases/${caseId}`)).json<{ data: Record<string, unknown> }>().data;
}

describe('referral state machine', () => {
  const table: [string[], string][] = [
    [['accepted'], 'accepted'],
    [['rejected'], 'rejected'],
    [['accepted', 'done'], 'done'],
    [['done'], 'in_progress'],
    [['rejected', 'accepted'], 'rejected'],
    [['accepted', 'rejected'], 'accepted'],
    [['done', 'accepted', 'accepted'], 'accepted'],
    [['revoked'], 'in_progress'],
    [['in_progress'], 'in_progress'],
    [['Accepted'], 'in_progress'],
    [['rejected', 'done'], 'rejected'],
  ];
  it.each(table)('PATCH %j ends in %s, every call answering 200', async (steps, final) => {
    const { caseId, referralId } = await referredCase();
    let last: Record<string, unknown> = {};
    for (const status of steps) {
      const reply = await patchStatus(caseId, referralId, { status });
      expect(reply.status).toBe(200);
      last = reply.json<{ data: Record<string, unknown> }>().data;
    }
    expect(last.status).toBe(final);
    const listed = (await sim.get(`/api/v2/cases/${caseId}/referrals`)).json<{
      data: Record<string, unknown>[];
    }>().data;
    expect(listed[0]?.status).toBe(final);
  });

  it('revokes through DELETE from any status', async () => {
    const { caseId, referralId } = await referredCase();
    await patchStatus(caseId, referralId, { status: 'accepted' });
    await patchStatus(caseId, referralId, { status: 'done' });
    const revoked = await sim.del(`/api/v2/cases/${caseId}/referrals/${referralId}`);
    expect(revoked.json<{ data: Record<string, unknown> }>().data.status).toBe('revoked');
  });
});

describe('referral side effects', () => {
  it('on create: marks the service, assigns the recipient, and embeds the changed case fields', async () => {
    const { caseId } = await referredCase();
    const stored = await caseData(caseId);
    expect(stored.assigned_user_names).toEqual(['agency-cif-user']);
    expect(stored.associated_user_names).toEqual(['primero-sync', 'agency-cif-user']);
    expect((stored.services_section as Record<string, unknown>[])[0]).toMatchObject({
      service_status_referred: true,
    });
    const referral = (await sim.get(`/api/v2/cases/${caseId}/referrals`)).json<{
      data: Record<string, unknown>[];
    }>().data[0];
    expect(referral).toEqual({
      id: expect.any(String) as string,
      type: 'Referral',
      status: 'in_progress',
      record_id: caseId,
      record_type: 'case',
      transitioned_to: 'agency-cif-user',
      transitioned_to_agency: 'agency-cif',
      notes: 'Trauma counselling please',
      transitioned_by: 'primero-sync',
      service: 'counselling',
      service_record_id: serviceId,
      remote: false,
      consent_overridden: false,
      consent_individual_transfer: false,
      created_at: new Date(sim.now()).toISOString(),
      record_access_denied: false,
      user_can_accept_or_reject: false,
    });
  });

  it('on accept: sets responded_at and embeds only id, enabled, last_updated_at of the untouched case', async () => {
    const { caseId, referralId } = await referredCase();
    const reply = await patchStatus(caseId, referralId, {
      status: 'accepted',
      id: referralId,
      type: 'Referral',
      record_id: caseId,
    });
    const data = reply.json<{ data: Record<string, unknown> }>().data;
    expect(data.responded_at).toBe(new Date(sim.now()).toISOString());
    expect(Object.keys(data.record as object)).toEqual(['id', 'enabled', 'last_updated_at']);
  });

  it('on reject: stores the reason and removes the recipient from assigned users', async () => {
    const { caseId, referralId } = await referredCase();
    const reply = await patchStatus(caseId, referralId, {
      status: 'rejected',
      rejected_reason: 'Out of catchment',
    });
    const data = reply.json<{ data: Record<string, unknown> }>().data;
    expect(data).toMatchObject({ status: 'rejected', rejected_reason: 'Out of catchment' });
    expect(data.record).toMatchObject({ assigned_user_names: [], associated_user_names: ['primero-sync'] });
  });

  it('on done: implements the service, copies the note, and recomputes the workflow', async () => {
    const { caseId, referralId } = await referredCase();
    expect((await caseData(caseId)).workflow).toBe('referral_to_oscar');
    await patchStatus(caseId, referralId, { status: 'accepted' });
    const reply = await patchStatus(caseId, referralId, {
      status: 'done',
      rejection_note: 'Service completed',
    });
    expect(reply.json<{ data: Record<string, unknown> }>().data.rejection_note).toBe('Service completed');
    const stored = await caseData(caseId);
    expect((stored.services_section as Record<string, unknown>[])[0]).toMatchObject({
      service_implemented: 'implemented',
      service_implemented_day_time: new Date(sim.now()).toISOString(),
      note_on_referral_from_provider: 'Service completed',
    });
    expect(stored.workflow).toBe('services_implemented');
    expect(stored.assigned_user_names).toEqual([]);
  });

  it('keeps a recipient assigned while another open referral goes to the same user', async () => {
    const { caseId, referralId } = await referredCase();
    await sim.post(`/api/v2/cases/${caseId}/referrals`, { data: { transitioned_to: 'agency-cif-user' } });
    await patchStatus(caseId, referralId, { status: 'rejected' });
    expect((await caseData(caseId)).assigned_user_names).toEqual(['agency-cif-user']);
  });

  it('bumps the case even when the referral is refused (the case is saved before validation)', async () => {
    const record = await sim.createCase({ module_id: 'primeromodule-cp' });
    sim.advance(5000);
    const refused = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { transitioned_to: 'agency-cif-user' },
    });
    expect(refused.status).toBe(422);
    expect((await caseData(String(record.id))).last_updated_at).toBe(new Date(sim.now()).toISOString());
  });
});

describe('referral checks', () => {
  it('allows consent_overridden and skips the recipient check for remote referrals', async () => {
    const record = await sim.createCase({ module_id: 'primeromodule-cp' });
    const overridden = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { transitioned_to: 'agency-cif-user', consent_overridden: true },
    });
    expect(overridden.status).toBe(200);
    const remote = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { remote: true, transitioned_to_remote: 'OSCaR CIF', consent_overridden: true },
    });
    expect(remote.status).toBe(200);
    expect(remote.json<{ data: Record<string, unknown> }>().data).toMatchObject({
      remote: true,
      user_can_accept_or_reject: false,
    });
    expect(remote.json<{ data: Record<string, unknown> }>().data).not.toHaveProperty('transitioned_to');
  });

  it('needs transitioned_to unless remote, and refuses a consent-less module', async () => {
    const record = await sim.createCase({ consent_for_services: true, disclosure_other_orgs: true });
    const reply = await sim.post(`/api/v2/cases/${String(record.id)}/referrals`, {
      data: { notes: 'no recipient' },
    });
    expect(reply.status).toBe(422);
    expect(reply.json<ErrorList>().errors.map((e) => [e.detail, e.message])).toEqual([
      ['transitioned_to', ["can't be blank"]],
      ['consent', ['transition.errors.consent']],
    ]);
  });

  it('answers 404 for an unknown referral or case, and 500 for a missing data param in v2.5', async () => {
    const { caseId } = await referredCase();
    const unknown = await sim.patch(`/api/v2/cases/${caseId}/referrals/${uuid(5)}`, {
      data: { status: 'accepted' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json<ErrorList>().errors[0]?.detail).toBe(`Couldn't find Referral with 'id'=${uuid(5)}`);
    const noCase = await sim.get(`/api/v2/cases/${uuid(6)}/referrals`);
    expect(noCase.status).toBe(404);
    const noData = await sim.post(`/api/v2/cases/${caseId}/referrals`, { data: {} });
    expect(noData.status).toBe(500);
  });
});

describe('bulk referrals (POST /api/v2/cases/referrals)', () => {
  const consenting = {
    module_id: 'primeromodule-cp',
    consent_for_services: true,
    disclosure_other_orgs: true,
  };

  it('refers every case and answers a data array', async () => {
    const a = await sim.createCase(consenting);
    const b = await sim.createCase(consenting);
    const reply = await sim.post('/api/v2/cases/referrals', {
      data: { ids: [a.id, b.id], transitioned_to: 'agency-cif-user', notes: 'bulk' },
    });
    expect(reply.status).toBe(200);
    const data = reply.json<{ data: Record<string, unknown>[] }>().data;
    expect(data.map((r) => r.record_id)).toEqual([a.id, b.id]);
    expect(data[0]?.record).toMatchObject({ id: a.id });
  });

  it('answers {"data":[]} without ids, 404 before anything for an unknown id, and keeps earlier referrals on a 422', async () => {
    expect(
      (await sim.post('/api/v2/cases/referrals', { data: { transitioned_to: 'agency-cif-user' } })).json(),
    ).toEqual({ data: [] });
    const a = await sim.createCase(consenting);
    const missing = await sim.post('/api/v2/cases/referrals', {
      data: { ids: [a.id, uuid(8)], transitioned_to: 'agency-cif-user' },
    });
    expect(missing.status).toBe(404);
    expect(
      (await sim.get(`/api/v2/cases/${String(a.id)}/referrals`)).json<{ data: unknown[] }>().data,
    ).toHaveLength(0);

    const noConsent = await sim.createCase({ module_id: 'primeromodule-cp' });
    const partial = await sim.post('/api/v2/cases/referrals', {
      data: { ids: [a.id, noConsent.id], transitioned_to: 'agency-cif-user' },
    });
    expect(partial.status).toBe(422);
    expect(
      (await sim.get(`/api/v2/cases/${String(a.id)}/referrals`)).json<{ data: unknown[] }>().data,
    ).toHaveLength(1);
  });
});
