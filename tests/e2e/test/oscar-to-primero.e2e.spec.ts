import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';

import {
  asArray,
  asRecord,
  createPrimeroCase,
  oscarClient,
  oscarReferralsFor,
  primeroCasesByOscarNumber,
  referService,
} from '../src/scenario.ts';
import { useSystem } from '../src/system.ts';

type Json = Record<string, unknown>;

describe('OSCaR → Primero: NGO referrals, shared cases, and MoSVY’s decisions', () => {
  const system = useSystem({
    label: 'e2e_o2p',
  });

  async function ngoCreatesClient(
    body: Json,
  ): Promise<{ globalId: string; slug: string; referralIds: number[] }> {
    const response = await system.oscarControl('POST', '/_control/clients', {
      organization: 'cif',
      given_name: 'Vanna',
      family_name: 'Sok',
      local_given_name: 'វណ្ណា',
      local_family_name: 'សុខ',
      gender: 'male',
      date_of_birth: '2013-09-03',
      status: 'Accepted',
      case_worker: { name: 'Dara Kim', mobile: '012345678' },
      ...body,
    });
    expect(response.status).toBe(201);
    const created = asRecord(response.body);
    return {
      globalId: String(created.global_id),
      slug: String(created.slug),
      referralIds: asArray(created.referral_ids).map(Number),
    };
  }

  async function primeroCaseFor(globalId: string): Promise<Json> {
    let found: Json[] = [];
    await system.converge(async () => {
      found = await primeroCasesByOscarNumber(system, globalId);
      return found.length > 0;
    });
    expect(found).toHaveLength(1);
    return found[0] ?? {};
  }

  it('S6 NGO refers a child to MoSVY: new Primero case, province owner, names, age, location without leading zeros, services pending', async () => {
    const client = await ngoCreatesClient({
      location_code: '01070101',
      refer_to_mosvy: {
        services: ['Trauma counselling'],
        reason: 'Child at risk at home',
        level_of_risk: 'high',
      },
    });
    const stored = await primeroCaseFor(client.globalId);
    expect(stored).toMatchObject({
      oscar_number: client.globalId,
      oscar_short_id: client.slug,
      owned_by: 'mgrbmc',
      name_first: 'Vanna',
      name_last: 'Sok',
      sex: 'male',
      date_of_birth: '2013-09-03',
      location_current: '1070101',
      protection_status: 'oscar_referral',
      interview_subject: 'other',
      risk_level: 'high',
      consent_for_services: true,
      disclosure_other_orgs: true,
      module_id: 'primeromodule-cp',
    });
    expect(typeof stored.age).toBe('number');
    const rows = asArray(stored.services_section);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      service_response_type: 'referral_from_oscar',
      service_type: 'counselling',
      service_subtype: ['counselling_trauma'],
      referral_status_edf41f2: 'pending_310366',
      oscar_referral_id_a4ac8a5: String(client.referralIds[0]),
      oscar_referring_organization: 'agency-cif',
    });
  });

  it('S7 MoSVY decides in Primero: OSCaR referral Accepted, then another Exited', async () => {
    const accepted = await ngoCreatesClient({
      location_code: '12060102',
      refer_to_mosvy: { services: ['Kinship care'], reason: 'Needs kinship care', level_of_risk: 'medium' },
    });
    const rejected = await ngoCreatesClient({
      location_code: '12060102',
      given_name: 'Bopha',
      refer_to_mosvy: { services: ['School support'], reason: 'Needs school support', level_of_risk: 'low' },
    });
    for (const [client, status] of [
      [accepted, 'accepted_340953'],
      [rejected, 'rejected_936484'],
    ] as const) {
      const stored = await primeroCaseFor(client.globalId);
      const row = asArray(stored.services_section)[0] ?? {};
      const patch = await system.primeroApi('PATCH', `/api/v2/cases/${String(stored.id)}`, {
        data: { services_section: [{ unique_id: row.unique_id, referral_status_edf41f2: status }] },
      });
      expect(patch.status).toBe(200);
    }
    const statusOf = async (client: { referralIds: number[] }) =>
      asRecord(
        (await system.oscarControl('GET', `/_control/referrals/${client.referralIds[0]}?organization=cif`))
          .body,
      ).referral_status;
    await system.converge(
      async () => (await statusOf(accepted)) === 'Accepted' && (await statusOf(rejected)) === 'Exited',
    );
  });

  it('S8 update_links gives OSCaR the Primero ids', async () => {
    const client = await ngoCreatesClient({ location_code: '12010203' });
    const stored = await primeroCaseFor(client.globalId);
    await system.converge(
      async () => (await oscarClient(system, client.globalId)).external_id === stored.case_id,
    );
    expect(await oscarClient(system, client.globalId)).toMatchObject({
      external_id: stored.case_id,
      external_id_display: stored.case_id_display,
    });
  });

  it('S9 non-referred NGO client: agency-user owner, names "<Khmer> (<Latin>)", enrolment rows', async () => {
    const client = await ngoCreatesClient({ organization: 'mho', location_code: '08080906' });
    const enrolled = await system.oscarControl('POST', `/_control/clients/${client.globalId}/enrollments`, {
      program_name: 'Family Support',
      services: ['Family support'],
      enrollment_date: '2026-01-15',
    });
    expect(enrolled.status).toBeLessThan(300);
    const stored = await primeroCaseFor(client.globalId);
    expect(stored).toMatchObject({
      owned_by: 'agency-mho-user',
      name_first: 'វណ្ណា (Vanna)',
      name_last: 'សុខ (Sok)',
    });
    expect(stored.protection_status).toBeUndefined();
    await system.converge(
      async () =>
        asArray((await primeroCasesByOscarNumber(system, client.globalId))[0]?.services_section).length === 1,
    );
    const [row] = asArray((await primeroCasesByOscarNumber(system, client.globalId))[0]?.services_section);
    expect(row).toMatchObject({
      service_response_type: 'service_being_provided_by_oscar_partner_47618',
      service_type: 'family_support',
      service_subtype: ['family_support_family_support'],
      service_response_day_time: '2026-01-15T00:00:00.000Z',
    });
    expect(row?.referral_status_edf41f2).toBeUndefined();
  });

  it('S10 later OSCaR edits do not overwrite create-only fields', async () => {
    const client = await ngoCreatesClient({ location_code: '12010203' });
    const before = await primeroCaseFor(client.globalId);
    const edited = await system.oscarControl('PATCH', `/_control/clients/${client.globalId}`, {
      given_name: 'Renamed',
      date_of_birth: '2012-01-01',
      location_code: '02020202',
      mosvy_number: 'MSV-7781',
    });
    expect(edited.status).toBe(200);
    await system.converge(
      async () => (await primeroCasesByOscarNumber(system, client.globalId))[0]?.mosvy_number === 'MSV-7781',
    );
    const after = (await primeroCasesByOscarNumber(system, client.globalId))[0];
    expect(after).toMatchObject({
      name_first: before.name_first,
      date_of_birth: before.date_of_birth,
      location_current: before.location_current,
      owned_by: before.owned_by,
    });
  });

  it('maps again only the clients OSCaR lists changed since the last poll', async () => {
    const poll = async () => {
      const response = await fetch(`${system.service('oscar-poller').baseUrl}/admin/poll`, {
        method: 'POST',
        headers: system.adminHeaders(),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { read: number; emitted: number; unchanged: number };
    };
    const client = await ngoCreatesClient({ location_code: '12010203' });
    // Once the sync has settled (its own update_links change OSCaR's clients too), a poll finds every client
    // listed exactly as it committed them: all skipped before mapping, nothing emitted.
    await system.converge(async () => {
      const quiet = await poll();
      return quiet.read > 0 && quiet.unchanged === quiet.read && quiet.emitted === 0;
    });
    // An edit makes that client new to the poller: mapped again, emitted, synced; the others stay skipped.
    await system.oscarControl('PATCH', `/_control/clients/${client.globalId}`, { mosvy_number: 'MSV-9911' });
    // Polled here alone (converge would poll first, and that poll would be the one to see the edit).
    let edited = await poll();
    for (let tries = 0; edited.emitted === 0 && tries < 40; tries += 1) edited = await poll();
    expect(edited.unchanged).toBeGreaterThan(0);
    expect(edited.unchanged).toBeLessThan(edited.read);
    await system.converge(
      async () => (await primeroCasesByOscarNumber(system, client.globalId))[0]?.mosvy_number === 'MSV-9911',
    );
  });

  it('S11 second OSCaR referral adds a row, existing rows intact', async () => {
    const client = await ngoCreatesClient({
      location_code: '12010203',
      refer_to_mosvy: { services: ['Trauma counselling'], reason: 'First referral', level_of_risk: 'medium' },
    });
    const first = await primeroCaseFor(client.globalId);
    const firstRow = asArray(first.services_section)[0] ?? {};
    // MoSVY accepts the first one, then the NGO refers again for the same service kind.
    await system.primeroApi('PATCH', `/api/v2/cases/${String(first.id)}`, {
      data: {
        services_section: [{ unique_id: firstRow.unique_id, referral_status_edf41f2: 'accepted_340953' }],
      },
    });
    const again = await system.oscarControl('POST', `/_control/clients/${client.globalId}/referrals`, {
      services: ['Trauma counselling'],
      reason: 'Second referral',
      level_of_risk: 'high',
    });
    expect(again.status).toBeLessThan(300);
    await system.converge(
      async () =>
        asArray((await primeroCasesByOscarNumber(system, client.globalId))[0]?.services_section).length === 2,
    );
    const rows = asArray((await primeroCasesByOscarNumber(system, client.globalId))[0]?.services_section);
    expect(rows.find((row) => row.unique_id === firstRow.unique_id)).toMatchObject({
      referral_status_edf41f2: 'accepted_340953',
    });
    expect(rows.find((row) => row.unique_id !== firstRow.unique_id)).toMatchObject({
      service_response_type: 'referral_from_oscar',
      referral_status_edf41f2: 'pending_310366',
    });
  });

  it('S12 Stung Treng gets mgrstg; an unknown province dead-letters while the others continue', async () => {
    const stungTreng = await ngoCreatesClient({
      location_code: '19020304',
      refer_to_mosvy: { services: ['Family support'], reason: 'Stung Treng child', level_of_risk: 'low' },
    });
    const unknown = await ngoCreatesClient({
      location_code: '26010101',
      refer_to_mosvy: { services: ['Family support'], reason: 'Unknown province', level_of_risk: 'low' },
    });
    const after = await ngoCreatesClient({
      location_code: '12010203',
      refer_to_mosvy: { services: ['Family support'], reason: 'After the bad one', level_of_risk: 'low' },
    });
    expect((await primeroCaseFor(stungTreng.globalId)).owned_by).toBe('mgrstg');
    expect((await primeroCaseFor(after.globalId)).owned_by).toBe('mgrpnh');
    expect(await primeroCasesByOscarNumber(system, unknown.globalId)).toEqual([]);
    const deadLetters = system
      .service('primero-writer')
      .logs()
      .filter((line) => line.msg === 'dead-lettered');
    expect(
      deadLetters.some(
        (line) => line.globalId === unknown.globalId && String(line.reason).includes('provinces.csv'),
      ),
    ).toBe(true);
  });

  it('S16 malformed source records dead-letter with reasons while the rest flow', async () => {
    const before = await ngoCreatesClient({ location_code: '12010203', given_name: 'Rathana' });
    // A record no OSCaR UI would produce: a client whose global_id is blank.
    const broken = await ngoCreatesClient({ location_code: '12010203', given_name: 'Sophea' });
    for (const tenant of system.oscarStore.tenants.values()) {
      const client = tenant.clientsByGlobalId.get(broken.globalId);
      if (client) client.globalId = '';
    }
    // An NGO tenant that agencies.csv does not list, and a Primero referral to an agency it does not list.
    const unlisted = await ngoCreatesClient({ organization: 'demo', location_code: '12010203' });
    const primeroCase = await createPrimeroCase(system, {
      services: [
        { subtype: ['counselling_trauma'], agency: 'agency-nowhere' },
        { subtype: ['counselling_family'] },
      ],
    });
    await referService(system, primeroCase, primeroCase.serviceIds[0] ?? '', { agency: 'agency-cif' });
    await referService(system, primeroCase, primeroCase.serviceIds[1] ?? '');
    const after = await ngoCreatesClient({ location_code: '12010203', given_name: 'Kosal' });

    await primeroCaseFor(before.globalId);
    await primeroCaseFor(after.globalId);
    await system.converge(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1);
    const [sent] = await oscarReferralsFor(system, primeroCase.caseId);
    expect(sent?.services).toEqual([expect.objectContaining({ name: 'Family counselling / mediation' })]);

    const logs = (name: 'oscar-poller' | 'primero-writer' | 'oscar-writer') => system.service(name).logs();
    await system.converge(
      () =>
        logs('oscar-poller').some((line) => line.msg === 'record rejected' && line.code === 'MISSING_KEY') &&
        logs('primero-writer').some(
          (line) =>
            line.msg === 'dead-lettered' &&
            line.globalId === unlisted.globalId &&
            String(line.reason).includes('agencies.csv'),
        ) &&
        logs('oscar-writer').some(
          (line) =>
            line.msg === 'dead-lettered' &&
            line.caseId === primeroCase.caseId &&
            String(line.reason).includes('agencies.csv'),
        ),
    );
    expect(await primeroCasesByOscarNumber(system, unlisted.globalId)).toEqual([]);

    // The poller's dead letter carries the reason and the record's id, not its content.
    const connection = await amqp.connect(system.amqpUrl);
    try {
      const channel = await connection.createChannel();
      const message = await channel.get('oscar-poller.dead', { noAck: true });
      expect(message).not.toBe(false);
      if (message) {
        const headers = message.properties.headers as Record<string, unknown>;
        expect(headers['x-dead-code']).toBe('MISSING_KEY');
        expect(String(headers['x-dead-reason'])).toContain('global_id');
        expect(message.content.toString()).not.toContain('Sophea');
      }
    } finally {
      await connection.close();
    }
  });
});
