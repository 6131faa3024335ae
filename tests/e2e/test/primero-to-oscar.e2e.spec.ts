import { describe, expect, it } from 'vitest';

import {
  asArray,
  asRecord,
  createPrimeroCase,
  oscarReferralsFor,
  primeroCaseByCaseId,
  primeroReferrals,
  referService,
  serviceRow,
} from '../src/scenario.ts';
import { useSystem } from '../src/system.ts';

describe('Primero → OSCaR referrals and the NGO’s decisions', () => {
  const system = useSystem({
    label: 'e2e_p2o',
  });

  it('S1 first Primero referral reaches OSCaR with the exact payload', async () => {
    const primeroCase = await createPrimeroCase(system, { services: [{ subtype: ['counselling_trauma'] }] });
    const [serviceId = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, serviceId, { notes: 'Needs trauma counselling after the flood' });

    let referrals: Array<Record<string, unknown>> = [];
    await system.converge(async () => {
      referrals = await oscarReferralsFor(system, primeroCase.caseId);
      return referrals.length > 0;
    });
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({
      external_id: primeroCase.caseId,
      external_id_display: primeroCase.caseIdDisplay,
      referred_to: 'cif',
      referred_from: 'MoSVY External System',
      ngo_name: 'MoSVY External System',
      referral_reason: 'Needs trauma counselling after the flood',
      name_of_referee: 'mgrpnh',
      level_of_risk: 'medium',
      referral_status: 'Referred',
      services: [{ uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8', name: 'Trauma counselling' }],
    });
    expect(typeof referrals[0]?.referral_phone).toBe('string');
    expect(String(referrals[0]?.referral_phone)).not.toBe('');

    // Sent once: more polls do not post it again (OSCaR would duplicate a pending referral).
    await system.settle();
    expect(await oscarReferralsFor(system, primeroCase.caseId)).toHaveLength(1);
  });

  it('S2 NGO accepts: Primero referral accepted, service status, oscar_referral_id, oscar_number/oscar_short_id on the case', async () => {
    const primeroCase = await createPrimeroCase(system, { services: [{ subtype: ['counselling_family'] }] });
    const [serviceId = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, serviceId);
    let referral: Record<string, unknown> | undefined;
    await system.converge(async () => {
      referral = (await oscarReferralsFor(system, primeroCase.caseId))[0];
      return referral !== undefined;
    });
    const accepted = await system.oscarControl('POST', `/_control/referrals/${String(referral?.id)}/accept`, {
      organization: 'cif',
    });
    expect(accepted.status).toBe(200);
    const client = asRecord(asRecord(accepted.body).client);

    await system.converge(async () => {
      const stored = await primeroCaseByCaseId(system, primeroCase.caseId);
      return serviceRow(stored, serviceId)?.referral_status_edf41f2 === 'accepted_340953';
    });
    const stored = await primeroCaseByCaseId(system, primeroCase.caseId);
    expect(serviceRow(stored, serviceId)).toMatchObject({
      referral_status_edf41f2: 'accepted_340953',
      oscar_referral_id_a4ac8a5: String(referral?.id),
    });
    expect(stored).toMatchObject({ oscar_number: client.global_id, oscar_short_id: client.slug });
    const [primeroReferral] = await primeroReferrals(system, primeroCase.id);
    expect(primeroReferral).toMatchObject({ status: 'accepted', record_type: 'case' });

    // Flow 0 as intended: OSCaR's ids reach the linked Primero case on later changes too.
    await system.oscarControl('PATCH', `/_control/clients/${String(client.global_id)}`, {
      mosvy_number: 'MSV-4471',
    });
    await system.converge(
      async () => (await primeroCaseByCaseId(system, primeroCase.caseId))?.mosvy_number === 'MSV-4471',
    );
    expect(await primeroCaseByCaseId(system, primeroCase.caseId)).toMatchObject({
      oscar_number: client.global_id,
      oscar_short_id: client.slug,
      owned_by: 'mgrpnh',
    });
  });

  it('S3 NGO rejects: Primero referral rejected and the service marked rejected', async () => {
    const primeroCase = await createPrimeroCase(system, {
      services: [{ subtype: ['legal_support_representation'], type: 'legal_support' }],
    });
    const [serviceId = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, serviceId, { type: 'legal_support' });
    let referral: Record<string, unknown> | undefined;
    await system.converge(async () => {
      referral = (await oscarReferralsFor(system, primeroCase.caseId))[0];
      return referral !== undefined;
    });
    expect(referral?.services).toEqual([expect.objectContaining({ name: 'Legal representation' })]);
    const rejected = await system.oscarControl('POST', `/_control/referrals/${String(referral?.id)}/reject`, {
      organization: 'cif',
    });
    expect(rejected.status).toBe(200);
    await system.converge(async () => {
      const stored = await primeroCaseByCaseId(system, primeroCase.caseId);
      return serviceRow(stored, serviceId)?.referral_status_edf41f2 === 'rejected_936484';
    });
    const [primeroReferral] = await primeroReferrals(system, primeroCase.id);
    expect(primeroReferral).toMatchObject({ status: 'rejected' });
  });

  it('S4 second Primero referral lands on the same OSCaR client', async () => {
    const primeroCase = await createPrimeroCase(system, {
      services: [
        { subtype: ['counselling_generalist'] },
        { subtype: ['family_support_family_support'], type: 'family_support' },
      ],
    });
    const [first = '', second = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, first);
    let firstReferral: Record<string, unknown> | undefined;
    await system.converge(async () => {
      firstReferral = (await oscarReferralsFor(system, primeroCase.caseId))[0];
      return firstReferral !== undefined;
    });
    const accepted = asRecord(
      (
        await system.oscarControl('POST', `/_control/referrals/${String(firstReferral?.id)}/accept`, {
          organization: 'cif',
        })
      ).body,
    ).client as Record<string, unknown>;
    await system.converge(
      async () =>
        (await primeroCaseByCaseId(system, primeroCase.caseId))?.oscar_number === accepted.global_id,
    );

    await referService(system, primeroCase, second, { type: 'family_support' });
    let referrals: Array<Record<string, unknown>> = [];
    await system.converge(async () => {
      referrals = await oscarReferralsFor(system, primeroCase.caseId);
      return referrals.length === 2;
    });
    expect(referrals.map((r) => r.client_global_id)).toEqual([accepted.global_id, accepted.global_id]);
    expect(referrals.map((r) => asArray(r.services)[0]?.name).sort()).toEqual([
      'Family support',
      'Generalist counselling',
    ]);
    const secondReferral = referrals.find((r) => r.id !== firstReferral?.id);
    const attached = await system.oscarControl(
      'POST',
      `/_control/referrals/${String(secondReferral?.id)}/accept`,
      { organization: 'cif' },
    );
    expect(asRecord(asRecord(attached.body).client).global_id).toBe(accepted.global_id);
  });

  it('S4 a second referral made after the NGO accepted but before Primero knows the global_id waits for it, then lands on the same client', async () => {
    const primeroCase = await createPrimeroCase(system, {
      services: [
        { subtype: ['counselling_generalist'] },
        { subtype: ['training_education_life_skills'], type: 'training_education' },
      ],
    });
    const [first = '', second = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, first);
    const until = async (
      check: () => Promise<boolean>,
      poller: 'primero-poller' | 'oscar-poller' | 'both',
    ) => {
      for (let i = 0; i < 150; i += 1) {
        if (poller === 'both') await system.pollBoth();
        else await system.poll(poller);
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error('condition not met');
    };
    await until(
      async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1,
      'primero-poller',
    );
    const [firstReferral] = await oscarReferralsFor(system, primeroCase.caseId);
    const accepted = asRecord(
      asRecord(
        (
          await system.oscarControl('POST', `/_control/referrals/${String(firstReferral?.id)}/accept`, {
            organization: 'cif',
          })
        ).body,
      ).client,
    );

    // Only Primero is polled: OSCaR refuses the second referral without the client's global_id ("Record was found.").
    await referService(system, primeroCase, second, { type: 'training_education' });
    await until(
      async () =>
        system
          .service('oscar-writer')
          .logs()
          .some((line) => line.msg === 'referral waits for the OSCaR global_id of its case'),
      'primero-poller',
    );
    expect(await oscarReferralsFor(system, primeroCase.caseId)).toHaveLength(1);

    // Once OSCaR's ids reach Primero, the waiting referral goes out with the global_id.
    await until(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 2, 'both');
    const referrals = await oscarReferralsFor(system, primeroCase.caseId);
    expect(referrals.map((r) => r.client_global_id)).toEqual([accepted.global_id, accepted.global_id]);
  });

  it('S5 missing subtype → Not Specified', async () => {
    const primeroCase = await createPrimeroCase(system, {
      services: [{ subtype: undefined, type: 'other' }],
    });
    const [serviceId = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, serviceId, { type: 'other' });
    let referrals: Array<Record<string, unknown>> = [];
    await system.converge(async () => {
      referrals = await oscarReferralsFor(system, primeroCase.caseId);
      return referrals.length > 0;
    });
    expect(referrals[0]?.services).toEqual([
      { uuid: 'f1a4e827-19f7-4f96-90f6-69e35f73d867', name: 'Not Specified' },
    ]);
  });

  it('ignores internal Primero referrals and cases never referred to OSCaR', async () => {
    const internal = await createPrimeroCase(system, {
      services: [
        { subtype: ['counselling_trauma'], responseType: 'service_provision', agency: 'agency-mosvy' },
      ],
    });
    await referService(system, internal, internal.serviceIds[0] ?? '', { agency: 'agency-cif' }).catch(
      () => undefined,
    );
    const unreferred = await createPrimeroCase(system, { services: [{ subtype: ['counselling_trauma'] }] });
    await system.settle();
    expect(await oscarReferralsFor(system, internal.caseId)).toEqual([]);
    expect(await oscarReferralsFor(system, unreferred.caseId)).toEqual([]);
  });
});
