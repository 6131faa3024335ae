import { describe, expect, it } from 'vitest';

import {
  asRecord,
  createPrimeroCase,
  oscarReferralsFor,
  primeroCaseByCaseId,
  referService,
  serviceRow,
} from '../src/scenario.ts';
import { useSystem } from '../src/system.ts';

describe('against Primero 2.11, where only Basic auth works for the sync user', () => {
  const system = useSystem({
    label: 'e2e_v211',
    primeroVersion: '2.11',
    env: { PRIMERO_AUTH: 'basic' },
  });

  it('carries a referral to OSCaR and the NGO’s acceptance back with PRIMERO_AUTH=basic', async () => {
    const primeroCase = await createPrimeroCase(system, { services: [{ subtype: ['counselling_trauma'] }] });
    const serviceId = primeroCase.serviceIds[0] ?? '';
    await referService(system, primeroCase, serviceId);
    let referral: Record<string, unknown> | undefined;
    await system.converge(async () => {
      referral = (await oscarReferralsFor(system, primeroCase.caseId))[0];
      return referral !== undefined;
    });
    const accepted = await system.oscarControl('POST', `/_control/referrals/${String(referral?.id)}/accept`, {
      organization: 'cif',
    });
    const client = asRecord(asRecord(accepted.body).client);
    await system.converge(
      async () =>
        serviceRow(await primeroCaseByCaseId(system, primeroCase.caseId), serviceId)
          ?.referral_status_edf41f2 === 'accepted_340953',
    );
    expect(await primeroCaseByCaseId(system, primeroCase.caseId)).toMatchObject({
      oscar_number: client.global_id,
    });
    const tokens = asRecord(asRecord((await system.primeroControl('GET', '/_control/stats')).body).requests)[
      'POST /api/v2/tokens'
    ];
    expect(tokens ?? 0).toBe(0);
  });
});
