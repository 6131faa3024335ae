import amqp from 'amqplib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import {
  asArray,
  asRecord,
  createPrimeroCase,
  oscarReferralsFor,
  primeroCaseByCaseId,
  primeroCasesByOscarNumber,
  referService,
} from '../src/scenario.ts';
import { System } from '../src/system.ts';

describe('identity, steady state, duplicates, token expiry and privacy', () => {
  let system: System;

  beforeAll(async () => {
    system = await new System({
      databaseUrl: inject('databaseUrl'),
      amqpUrl: inject('amqpUrl'),
      amqpManagementUrl: inject('amqpManagementUrl'),
      label: 'e2e_resilience',
      // Short-lived Primero tokens: every scenario here outlives a few of them (S17).
      primeroJwtTtlSeconds: 4,
    }).start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function ngoClient(body: Record<string, unknown>) {
    const response = await system.oscarControl('POST', '/_control/clients', {
      organization: 'cif',
      given_name: 'Chenda',
      family_name: 'Meas',
      local_given_name: 'ចិន្តា',
      local_family_name: 'មាស',
      gender: 'female',
      date_of_birth: '2012-05-17',
      status: 'Accepted',
      location_code: '12010203',
      case_worker: { name: 'Rithy Keo', mobile: '097111222' },
      ...body,
    });
    expect(response.status).toBe(201);
    return String(asRecord(response.body).global_id);
  }

  it('S13 a case_id duplicated in Primero dead-letters instead of updating "the first hit"', async () => {
    const globalId = await ngoClient({});
    let original: Record<string, unknown> | undefined;
    await system.converge(async () => {
      original = (await primeroCasesByOscarNumber(system, globalId))[0];
      return original !== undefined;
    });
    const caseId = String(original?.case_id);
    // The link reaches OSCaR, so the next change is looked up by case_id.
    await system.converge(async () => {
      const client = asRecord((await system.oscarControl('GET', `/_control/clients/${globalId}`)).body);
      return client.external_id === caseId;
    });
    const duplicate = await system.primeroApi('POST', '/api/v2/cases', {
      data: { module_id: 'primeromodule-cp', case_id: caseId, name_first: 'Other', sex: 'male' },
    });
    expect(duplicate.status).toBe(200);
    await system.oscarControl('PATCH', `/_control/clients/${globalId}`, { mosvy_number: 'MSV-DUP-1' });
    await system.converge(() =>
      system
        .service('primero-writer')
        .logs()
        .some(
          (line) =>
            line.msg === 'dead-lettered' && line.code === 'AMBIGUOUS_IDENTITY' && line.caseId === caseId,
        ),
    );
    const cases = asArray(
      asRecord((await system.primeroControl('GET', `/_control/cases?case_id=${caseId}`)).body).data,
    );
    expect(cases).toHaveLength(2);
    expect(cases.every((c) => c.mosvy_number !== 'MSV-DUP-1')).toBe(true);
  });

  it('S17 Primero token expiry mid-run: nothing is lost', async () => {
    const first = await createPrimeroCase(system, {
      services: [{ subtype: ['counselling_abuse_survivors'] }],
    });
    await referService(system, first, first.serviceIds[0] ?? '');
    await system.converge(async () => (await oscarReferralsFor(system, first.caseId)).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const second = await createPrimeroCase(system, {
      services: [{ subtype: ['drug_alcohol_counselling'], type: 'drug_alcohol' }],
    });
    await referService(system, second, second.serviceIds[0] ?? '', { type: 'drug_alcohol' });
    const globalId = await ngoClient({
      given_name: 'Kosal',
      refer_to_mosvy: { services: ['Life skills'], reason: 'After expiry', level_of_risk: 'low' },
    });
    await system.converge(
      async () =>
        (await oscarReferralsFor(system, second.caseId)).length === 1 &&
        (await primeroCasesByOscarNumber(system, globalId)).length === 1,
    );
  });

  it('S15 the same event delivered twice causes no duplicate effect', async () => {
    const connection = await amqp.connect(system.amqpUrl);
    try {
      const channel = await connection.createConfirmChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, 'sync.events', 'oscar.case.changed.*');
      const globalId = await ngoClient({ given_name: 'Piseth' });
      let captured: amqp.GetMessage | false = false;
      await system.converge(async () => {
        captured = await channel.get(queue, { noAck: true });
        return (
          captured !== false &&
          asRecord(asRecord(asRecord(JSON.parse(captured.content.toString()) as unknown).data).ids)
            .oscarGlobalId === globalId
        );
      });
      await system.converge(async () => (await primeroCasesByOscarNumber(system, globalId)).length === 1);
      expect(
        String(asRecord((captured as unknown as amqp.GetMessage).properties.headers).traceparent),
      ).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await system.settle();
      const before = await system.writes();
      const message = captured as unknown as amqp.GetMessage;
      for (let i = 0; i < 2; i += 1) {
        channel.publish('sync.events', message.fields.routingKey, message.content, {
          messageId: String(message.properties.messageId),
          type: String(message.properties.type),
          headers: message.properties.headers as Record<string, unknown>,
          persistent: true,
        });
      }
      await channel.waitForConfirms();
      await system.settle();
      expect(await primeroCasesByOscarNumber(system, globalId)).toHaveLength(1);
      expect((await system.writes()).total).toBe(before.total);
      const status = asRecord((await system.adminStatus('primero-writer')).consumer);
      expect(Number(status.duplicate ?? 0)).toBeGreaterThanOrEqual(2);
    } finally {
      await connection.close();
    }
  });

  it('S14 steady state: zero writes over 5 poll cycles after convergence', async () => {
    const start = await system.writes();
    // Traffic both ways: NGO clients (referred, enrolled, plain) and MoSVY referrals, one of them accepted.
    const referred = await ngoClient({
      given_name: 'Dara',
      refer_to_mosvy: { services: ['Family support'], reason: 'Steady', level_of_risk: 'low' },
    });
    const enrolled = await ngoClient({ given_name: 'Vibol' });
    await system.oscarControl('POST', `/_control/clients/${enrolled}/enrollments`, {
      program_name: 'Education',
      services: ['School support'],
    });
    const plain = await ngoClient({ given_name: 'Sokunthea', organization: 'holt' });
    const mosvyCases = await Promise.all([
      createPrimeroCase(system, {
        services: [{ subtype: ['training_education_life_skills'], type: 'training_education' }],
      }),
      createPrimeroCase(system, {
        services: [
          { subtype: ['medical_support_access_care'], type: 'medical_support', agency: 'agency-mho' },
        ],
      }),
    ]);
    for (const [index, primeroCase] of mosvyCases.entries()) {
      await referService(system, primeroCase, primeroCase.serviceIds[0] ?? '', {
        agency: index === 0 ? 'agency-cif' : 'agency-mho',
        type: index === 0 ? 'training_education' : 'medical_support',
      });
    }
    await system.converge(async () => {
      const referrals = await Promise.all(mosvyCases.map((c) => oscarReferralsFor(system, c.caseId)));
      const clients = await Promise.all(
        [referred, enrolled, plain].map((g) => primeroCasesByOscarNumber(system, g)),
      );
      return referrals.every((r) => r.length === 1) && clients.every((c) => c.length === 1);
    });
    const [first] = await oscarReferralsFor(system, mosvyCases[0]?.caseId ?? '');
    await system.oscarControl('POST', `/_control/referrals/${String(first?.id)}/accept`, {
      organization: 'cif',
    });
    await system.settle(2_000, 90_000);
    const before = await system.writes();
    expect(before.primero).toBeGreaterThan(start.primero);
    expect(before.oscar).toBeGreaterThan(start.oscar);

    for (let cycle = 0; cycle < 5; cycle += 1) {
      await system.pollBoth();
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(await system.writes()).toEqual(before);
  });

  it('a writer killed without warning loses nothing: its queued events are applied once after restart', async () => {
    await system.kill('oscar-writer');
    const cases: Array<Awaited<ReturnType<typeof createPrimeroCase>>> = [];
    for (const subtype of ['counselling_generalist', 'counselling_family', 'counselling_trauma']) {
      const primeroCase = await createPrimeroCase(system, { services: [{ subtype: [subtype] }] });
      await referService(system, primeroCase, primeroCase.serviceIds[0] ?? '');
      cases.push(primeroCase);
    }
    await system.pollBoth();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const primeroCase of cases) expect(await oscarReferralsFor(system, primeroCase.caseId)).toEqual([]);
    await system.startService('oscar-writer');
    await system.converge(async () => {
      const referrals = await Promise.all(cases.map((c) => oscarReferralsFor(system, c.caseId)));
      return referrals.every((r) => r.length >= 1);
    });
    await system.settle();
    for (const primeroCase of cases)
      expect(await oscarReferralsFor(system, primeroCase.caseId)).toHaveLength(1);
  });

  it('a transient OSCaR outage is retried with backoff, then the referral lands once', async () => {
    const faults = await system.oscarControl('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 503,
      paths: 'clients/upsert',
    });
    expect(faults.status).toBe(200);
    const primeroCase = await createPrimeroCase(system, {
      services: [{ subtype: ['legal_support_advocacy_services'], type: 'legal_support' }],
    });
    await referService(system, primeroCase, primeroCase.serviceIds[0] ?? '', { type: 'legal_support' });
    await system.converge(() =>
      system
        .service('oscar-writer')
        .logs()
        .some(
          (line) =>
            line.msg === 'retry scheduled' &&
            line.code === 'SERVER_ERROR' &&
            line.subject === `primero:${primeroCase.caseId}`,
        ),
    );
    expect(await oscarReferralsFor(system, primeroCase.caseId)).toEqual([]);
    await system.oscarControl('DELETE', '/_control/faults');
    await system.converge(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1);
    await system.settle();
    expect(await oscarReferralsFor(system, primeroCase.caseId)).toHaveLength(1);
  });

  it('never logs names, birth dates, locations, notes or phone numbers', async () => {
    const primeroCase = await createPrimeroCase(system, {
      services: [{ subtype: ['counselling_trauma'] }],
      person: {
        name_first: 'Sreymom',
        name_last: 'Phan',
        date_of_birth: '2011-11-21',
        location_current: '17030405',
      },
    });
    await referService(system, primeroCase, primeroCase.serviceIds[0] ?? '', {
      notes: 'Witnessed violence at home',
    });
    const globalId = await ngoClient({
      given_name: 'Visal',
      family_name: 'Touch',
      local_given_name: 'វិសាល',
      date_of_birth: '2010-02-14',
      location_code: '03040506',
      case_worker: { name: 'Channary Nget', mobile: '089570737' },
      refer_to_mosvy: {
        services: ['Rescue Services'],
        reason: 'Trafficking survivor',
        level_of_risk: 'high',
      },
    });
    await system.converge(
      async () =>
        (await oscarReferralsFor(system, primeroCase.caseId)).length === 1 &&
        (await primeroCasesByOscarNumber(system, globalId)).length === 1,
    );
    expect(await primeroCaseByCaseId(system, primeroCase.caseId)).toBeDefined();
    const output = system.allOutput();
    expect(output.length).toBeGreaterThan(0);
    for (const secret of [
      'Sreymom',
      'Phan',
      '2011-11-21',
      '17030405',
      'Witnessed violence',
      'Visal',
      'Touch',
      'វិសាល',
      '2010-02-14',
      '03040506',
      '3040506',
      'Channary',
      '089570737',
      'Trafficking survivor',
      'Chenda',
      '097111222',
    ]) {
      expect(output, `service logs contain "${secret}"`).not.toContain(secret);
    }
  });

  it('records seeded while the sync runs reach the other system', async () => {
    const listClients = async () => {
      const signIn = await fetch(new URL('/api/v1/admin_auth/sign_in', system.oscarUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'sync@oscar.test', password: 'oscar-sync-password' }),
      });
      await signIn.body?.cancel();
      const headers = {
        'access-token': signIn.headers.get('access-token') ?? '',
        client: signIn.headers.get('client') ?? '',
        uid: signIn.headers.get('uid') ?? '',
      };
      const response = await fetch(new URL('/api/v1/organizations/clients', system.oscarUrl), { headers });
      return asArray(asRecord(await response.json()).data).map((c) => String(c.global_id));
    };
    const before = new Set(await listClients());
    const seeded = await system.oscarControl('POST', '/_control/seed', {
      count: 12,
      seed: 99,
      linked: false,
    });
    expect(seeded.status).toBe(200);
    const fresh = (await listClients()).filter((globalId) => !before.has(globalId));
    expect(fresh.length).toBeGreaterThan(5);
    await system.converge(async () => {
      const found = await Promise.all(fresh.map((globalId) => primeroCasesByOscarNumber(system, globalId)));
      return found.every((cases) => cases.length === 1);
    }, 60_000);
  });
});
