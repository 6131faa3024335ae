import { setTimeout as sleep } from 'node:timers/promises';

import type { Client as OscarClientRow, Referral as OscarReferralRow } from '@pos/sim-oscar';
import { type JsonObject, primeroSimState, type Referral as PrimeroReferralRow } from '@pos/sim-primero';
import { management } from '@pos/testkit';
import amqp from 'amqplib';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

import {
  type DeadLettered,
  generatedPerson,
  knownVillages,
  mappedSubtypes,
  ngos,
  oscarMalformations,
  primeroMalformations,
  seededRng,
  type ServiceName,
} from '../src/malformed-records.ts';
import {
  asArray,
  asRecord,
  createPrimeroCase,
  oscarClient,
  oscarReferralsFor,
  primeroCaseByCaseId,
  referService,
} from '../src/scenario.ts';
import { controlToken, usersPassword, useSystem } from '../src/system.ts';

type Json = Record<string, unknown>;

/** A record that must reach the other system, and how to tell that it did. */
interface MustSync {
  label: string;
  synced: () => boolean;
}

/** A record that must be dead-lettered by `service`, with a reason naming `id` and `field`. */
interface MustDeadLetter extends DeadLettered {
  label: string;
  id: string;
}

interface DeadLetterRow {
  schema: string;
  code: string;
  reason: string;
}

const provinceUsers: Record<string, string> = {
  '12': 'mgrpnh',
  '01': 'mgrbmc',
  '19': 'mgrstg',
  '08': 'mgrkdl',
  '17': 'mgrsrp',
  '02': 'mgrbtb',
};
const riskToOscar: Record<string, string> = {
  high: 'high',
  medium: 'medium',
  low: 'low',
  no_action: 'no action',
};
const squish = (text: string) => text.trim().replace(/\s+/g, ' ');

/**
 * "Prove nothing is lost": malformed input. Over a thousand malformed records (`../src/malformed-records.ts`,
 * one seeded generator), put straight into the simulators' state since the real APIs refuse most of these
 * shapes, arrive mixed with about two hundred good ones — Latin, Khmer and mixed-script names. Every bad
 * record must be dead-lettered once, by the service that can tell, with a reason naming its id and the
 * field and never its content; every good one must reach the other system; nothing may crash, hang or stay
 * queued. And a case's referrals fail one by one: OSCaR refusing one does not hold back the others or the link.
 */
describe('malformed source records: ≥ 1,000 of them, on both sides, dead-lettered with reasons while the good ones sync', () => {
  const system = useSystem({
    label: 'e2e_malformed',
    // The scenario moves a few thousand records: the upstream limits of production would only make it slow.
    env: {
      PRIMERO_MAX_RPS: '2000',
      OSCAR_MAX_RPS: '2000',
      PRIMERO_MAX_CONCURRENCY: '8',
      OSCAR_MAX_CONCURRENCY: '8',
    },
  });
  const rng = seededRng(20_260_316);
  const primeroAuth = (user: string) => `Basic ${Buffer.from(`${user}:${usersPassword}`).toString('base64')}`;

  async function call(
    app: FastifyInstance,
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<Json> {
    const response = await app.inject({
      method,
      url,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${url} answered ${response.statusCode}: ${response.body.slice(0, 500)}`);
    return response.body === '' ? {} : asRecord(response.json());
  }
  const primeroApi = (method: 'POST' | 'PATCH', url: string, body: unknown, user = 'mgrpnh') =>
    call(system.primero, method, url, body, { authorization: primeroAuth(user) });
  const oscarControl = (method: 'GET' | 'POST' | 'PATCH', url: string, body?: unknown) =>
    call(system.oscar, method, url, body, { 'x-control-token': controlToken });

  // ---- reading the simulators' state directly (thousands of records: no API round trips) ----

  function oscarReferralsByCase(): Map<string, OscarReferralRow[]> {
    const byCase = new Map<string, OscarReferralRow[]>();
    for (const tenant of system.oscarStore.tenants.values()) {
      for (const referral of tenant.referrals.values()) {
        if (referral.externalId === null) continue;
        byCase.set(referral.externalId, [...(byCase.get(referral.externalId) ?? []), referral]);
      }
    }
    return byCase;
  }
  const primeroCasesOf = (globalId: string): JsonObject[] =>
    primeroSimState(system.primero)
      .cases.findBy('oscar_number', globalId)
      .map((stored) => stored.data);

  /** The stored OSCaR client an NGO made (in whichever NGO's tenant). */
  function oscarClientRow(globalId: string, organization?: string): OscarClientRow {
    const tenants = [...system.oscarStore.tenants.values()].filter(
      (tenant) => organization === undefined || tenant.organization.shortName === organization,
    );
    const client = tenants.map((tenant) => tenant.clientsByGlobalId.get(globalId)).find(Boolean);
    if (!client) throw new Error(`no OSCaR client ${globalId}`);
    return client;
  }

  // ---- good records ----

  /** A MoSVY worker registers a child and refers one service to an NGO, through the Primero API. */
  async function goodPrimeroCase(
    overrides: { oscarNumber?: string; organization?: string } = {},
  ): Promise<{ recordId: string; caseId: string; mustSync: MustSync }> {
    const person = generatedPerson(rng);
    const [type, subtype, serviceName] = rng.pick(mappedSubtypes);
    const organization = overrides.organization ?? rng.pick(ngos);
    const risk = rng.pick(Object.keys(riskToOscar));
    const serviceId = rng.uuid();
    const created = asRecord(
      (
        await primeroApi('POST', '/api/v2/cases', {
          data: {
            module_id: 'primeromodule-cp',
            name_first: person.given,
            name_last: person.family,
            sex: rng.pick(['female', 'male']),
            date_of_birth: person.dateOfBirth,
            location_current: rng.pick(knownVillages).replace(/^0/, ''),
            risk_level: risk,
            consent_for_services: true,
            disclosure_other_orgs: true,
            ...(overrides.oscarNumber === undefined ? {} : { oscar_number: overrides.oscarNumber }),
            services_section: [
              {
                unique_id: serviceId,
                service_response_type: 'referral_to_oscar',
                service_type: type,
                service_subtype: [subtype],
                service_implementing_agency: `agency-${organization}`,
                service_implementing_agency_individual: `agency-${organization}-user`,
              },
            ],
          },
        })
      ).data,
    );
    const recordId = String(created.id);
    const caseId = String(created.case_id);
    await primeroApi('POST', `/api/v2/cases/${recordId}/referrals`, {
      data: {
        transitioned_to: `agency-${organization}-user`,
        transitioned_to_agency: `agency-${organization}`,
        service: type,
        service_record_id: serviceId,
        notes: 'Please follow up',
      },
    });
    const clientName = squish(`${person.given} ${person.family}`);
    return {
      recordId,
      caseId,
      mustSync: {
        label: `Primero case ${caseId} (${person.given})`,
        synced: () =>
          (oscarReferrals.get(caseId) ?? []).some(
            (referral) =>
              referral.referredTo === organization &&
              referral.clientName === clientName &&
              referral.levelOfRisk === riskToOscar[risk] &&
              referral.services.some((service) => service.name === serviceName),
          ),
      },
    };
  }

  /** An NGO registers a child in OSCaR (its control API is the NGO's UI), referred to MoSVY or not. */
  async function goodOscarClient(options: {
    referred: boolean;
    organization?: string;
  }): Promise<{ globalId: string; slug: string; referralId: number | null; mustSync: MustSync }> {
    const person = generatedPerson(rng);
    const organization = options.organization ?? rng.pick(ngos);
    const village = rng.pick(knownVillages);
    const created = await oscarControl('POST', '/_control/clients', {
      organization,
      given_name: person.given,
      family_name: person.family,
      local_given_name: person.localGiven,
      local_family_name: person.localFamily,
      gender: rng.pick(['female', 'male']),
      date_of_birth: person.dateOfBirth,
      status: 'Accepted',
      location_code: village,
      ...(options.referred
        ? {
            refer_to_mosvy: {
              services: [rng.pick(mappedSubtypes)[2]],
              reason: 'Needs support',
              level_of_risk: rng.pick(['high', 'medium', 'low']),
            },
          }
        : {}),
    });
    const globalId = String(created.global_id);
    const display = (local: string, latin: string) => (local ? `${local} (${latin})` : latin);
    const expected = options.referred
      ? { name_first: person.given, name_last: person.family, owned_by: provinceUsers[village.slice(0, 2)] }
      : {
          name_first: display(person.localGiven, person.given),
          name_last: display(person.localFamily, person.family),
          owned_by: `agency-${organization}-user`,
        };
    return {
      globalId,
      slug: String(created.slug),
      referralId: asArray(created.referral_ids).length > 0 ? Number(asArray(created.referral_ids)[0]) : null,
      mustSync: {
        label: `OSCaR client ${globalId} (${person.given})`,
        synced: () =>
          primeroCasesOf(globalId).some(
            (found) =>
              found.name_first === expected.name_first &&
              found.name_last === expected.name_last &&
              found.owned_by === expected.owned_by &&
              found.date_of_birth === person.dateOfBirth,
          ),
      },
    };
  }

  // ---- malformed records: valid ones first, then broken in the simulators' state ----

  let primeroTemplate: { data: JsonObject; referral: PrimeroReferralRow } | undefined;

  /** A copy of a real Primero case and its referral (as Primero stores them) under fresh ids, then broken. */
  function insertPrimeroCase(change: (data: Json, referral: Json, caseId: string) => string[]): {
    recordId: string;
    caseId: string;
    secrets: string[];
  } {
    if (!primeroTemplate) throw new Error('no template case yet');
    const state = primeroSimState(system.primero);
    const recordId = rng.uuid();
    const caseId = rng.uuid();
    const serviceId = rng.uuid();
    const now = new Date(state.now()).toISOString();
    const data = structuredClone(primeroTemplate.data) as Json;
    Object.assign(data, {
      case_id: caseId,
      case_id_display: caseId.slice(-7),
      short_id: caseId.slice(-7),
      created_at: now,
      last_updated_at: now,
    });
    const [row] = asArray(data.services_section);
    data.services_section = [{ ...row, unique_id: serviceId }];
    const referral: Json = {
      ...primeroTemplate.referral,
      id: rng.uuid(),
      record_id: recordId,
      service_record_id: serviceId,
      created_at: now,
    };
    const secrets = change(data, referral, caseId);
    state.cases.insert(recordId, rng.uuid(), data as JsonObject);
    state.referrals.add(referral as unknown as PrimeroReferralRow);
    return { recordId, caseId, secrets };
  }

  let oscarReferrals = new Map<string, OscarReferralRow[]>();

  async function deadLetters(): Promise<DeadLetterRow[]> {
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      const selects = ['primero_poller', 'oscar_poller', 'primero_writer', 'oscar_writer'].map(
        (schema) => `select '${schema}' as schema, code, reason from ${schema}.dead_letters`,
      );
      const { rows } = await client.query<DeadLetterRow>(selects.join(' union all '));
      return rows;
    } finally {
      await client.end();
    }
  }

  it('isolates an OSCaR refusal per referral: the case’s other referral and its link go out, the event is dead-lettered naming the refused one', async () => {
    const until = async (check: () => Promise<boolean>, poller: 'primero-poller' | 'oscar-poller') => {
      for (let i = 0; i < 150; i += 1) {
        await system.poll(poller);
        if (await check()) return;
        await sleep(200);
      }
      throw new Error(`condition not met polling ${poller}`);
    };
    const primeroCase = await createPrimeroCase(system, {
      services: [
        { subtype: ['counselling_generalist'] },
        { subtype: ['training_education_life_skills'], type: 'training_education' },
        { subtype: ['family_support_family_support'], type: 'family_support' },
      ],
    });
    const [first = '', refused = '', valid = ''] = primeroCase.serviceIds;
    // The NGO accepts a first referral: the case is linked to its OSCaR client, which Primero learns of.
    await referService(system, primeroCase, first);
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
    const globalId = String(accepted.global_id);
    await until(
      async () => (await primeroCaseByCaseId(system, primeroCase.caseId))?.oscar_number === globalId,
      'oscar-poller',
    );

    // Before Primero is polled again, MoSVY refers two more services to the same NGO, one of which the NGO's
    // catalogue lacks: OSCaR refuses that upsert (422, services can't be blank) and takes the other.
    const catalogue = system.oscarStore.catalogue;
    system.oscarStore.catalogue = catalogue.filter((service) => service.name !== 'Life skills');
    try {
      const refusedReferral = await referService(system, primeroCase, refused, {
        type: 'training_education',
      });
      const validReferral = await referService(system, primeroCase, valid, { type: 'family_support' });
      const deadLetter = async () => {
        const client = new pg.Client({ connectionString: system.databaseUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{
            code: string;
            reason: string;
            event_id: string;
            attempts: number;
          }>('select code, reason, event_id, attempts from oscar_writer.dead_letters where case_id = $1', [
            primeroCase.caseId,
          ]);
          return rows;
        } finally {
          await client.end();
        }
      };
      await until(async () => (await deadLetter()).length > 0, 'primero-poller');

      const referrals = await oscarReferralsFor(system, primeroCase.caseId);
      expect(referrals.map((r) => asArray(r.services)[0]?.name).sort()).toEqual([
        'Family support',
        'Generalist counselling',
      ]);
      expect(referrals.map((r) => r.client_global_id)).toEqual([globalId, globalId]);
      const [letter, ...more] = await deadLetter();
      expect(more).toEqual([]);
      expect(letter).toMatchObject({ code: 'VALIDATION', attempts: 1 });
      expect(letter?.reason).toContain(`Primero case ${primeroCase.caseId} referral ${refusedReferral}`);
      expect(letter?.reason).toContain('services');
      expect(letter?.reason).not.toContain(validReferral);
      // In the same event: the valid referral and the link went out before it was dead-lettered.
      const lines = system.service('oscar-writer').logs();
      const eventId = lines.find(
        (line) => line.msg === 'dead-lettered' && line.caseId === primeroCase.caseId,
      )?.eventId;
      expect(eventId).toBe(letter?.event_id);
      expect(
        lines.some(
          (line) =>
            line.eventId === eventId &&
            line.msg === 'referral sent to OSCaR' &&
            line.referralKey === validReferral,
        ),
      ).toBe(true);
      expect(
        lines.some(
          (line) =>
            line.eventId === eventId && line.msg === 'link sent to OSCaR' && line.globalId === globalId,
        ),
      ).toBe(true);
      expect((await oscarClient(system, globalId)).external_id).toBe(primeroCase.caseId);
    } finally {
      system.oscarStore.catalogue = catalogue;
    }
  });

  it('dead-letters every malformed record once, naming its id and field but never its content, and syncs the rest', async () => {
    const started = Date.now();
    const mustSync: MustSync[] = [];
    const mustDeadLetter: MustDeadLetter[] = [];
    const secrets: string[] = [];
    const schemaOf: Record<ServiceName, string> = {
      'primero-poller': 'primero_poller',
      'oscar-poller': 'oscar_poller',
      'primero-writer': 'primero_writer',
      'oscar-writer': 'oscar_writer',
    };

    // Phase 1: OSCaR clients whose Primero cases will get a duplicate (someone types the same OSCaR number
    // into a second Primero case), and the template every inserted Primero case is copied from.
    const linked: Array<Awaited<ReturnType<typeof goodOscarClient>>> = [];
    for (let i = 0; i < 10; i += 1)
      linked.push(await goodOscarClient({ referred: false, organization: 'cif' }));
    const template = await goodPrimeroCase({ organization: 'cif' });
    mustSync.push(template.mustSync, ...linked.map((client) => client.mustSync));
    const state = primeroSimState(system.primero);
    const storedTemplate = state.cases.get(template.recordId);
    const [templateReferral] = state.referrals.forCase(template.recordId);
    if (!storedTemplate || !templateReferral) throw new Error('the template case was not stored');
    primeroTemplate = { data: storedTemplate.data, referral: templateReferral };
    await system.converge(() => linked.every((client) => primeroCasesOf(client.globalId).length === 1));
    // The Primero poller reads those cases first, as it would have long before anyone made a duplicate.
    await system.poll('primero-poller');

    // Phase 2: about 200 good records, and the malformed ones interleaved with them.
    const plan: Array<() => Promise<void>> = [];
    for (let i = 0; i < 95; i += 1) {
      plan.push(async () => void mustSync.push((await goodPrimeroCase()).mustSync));
      plan.push(
        async () => void mustSync.push((await goodOscarClient({ referred: rng.chance(0.5) })).mustSync),
      );
    }
    for (const malformation of primeroMalformations) {
      for (let index = 0; index < malformation.count; index += 1) {
        plan.push(async () => {
          const inserted = insertPrimeroCase((data, referral, caseId) =>
            malformation.apply(data, referral, { caseId, rng, index }),
          );
          secrets.push(...inserted.secrets);
          if (malformation.expect.kind !== 'dead-lettered') return;
          mustDeadLetter.push({
            ...malformation.expect,
            label: `Primero ${malformation.name} #${index}`,
            id: malformation.namedBy === 'id' ? inserted.recordId : inserted.caseId,
          });
        });
      }
    }
    for (const malformation of oscarMalformations) {
      for (let index = 0; index < malformation.count; index += 1) {
        plan.push(async () => {
          const created = await goodOscarClient({ referred: malformation.referred });
          const client = oscarClientRow(created.globalId);
          const listedAs: Json = {};
          secrets.push(
            ...malformation.apply(client, listedAs, { rng, index, referralId: created.referralId }),
          );
          if (Object.keys(listedAs).length > 0) client.listedAs = listedAs;
          if (malformation.expect.kind !== 'dead-lettered') return;
          mustDeadLetter.push({
            ...malformation.expect,
            label: `OSCaR ${malformation.name} #${index}`,
            id: malformation.namedBy === 'slug' ? created.slug : created.globalId,
          });
        });
      }
    }
    // What the mapping repairs by design: Primero subtypes it does not know go as "Not Specified" …
    for (let index = 0; index < 20; index += 1) {
      plan.push(async () => {
        const inserted = insertPrimeroCase((data) => {
          const [row] = asArray(data.services_section);
          if (row) row.service_subtype = [`subtype_nobody_knows_${index}`];
          return [];
        });
        mustSync.push({
          label: `Primero case ${inserted.caseId} with an unknown subtype`,
          synced: () =>
            (oscarReferrals.get(inserted.caseId) ?? []).some((referral) =>
              referral.services.some((service) => service.name === 'Not Specified'),
            ),
        });
      });
    }
    // … OSCaR's 11-digit years lose their first digit, impossible dates are left out, unknown services
    // become "other" with their name kept.
    for (const [kind, count] of [
      ['11-digit year', 20],
      ['impossible date', 15],
      ['unknown service', 15],
    ] as const) {
      for (let index = 0; index < count; index += 1) {
        plan.push(async () => {
          const created = await goodOscarClient({ referred: kind === 'unknown service' });
          const client = oscarClientRow(created.globalId);
          const dob = client.dateOfBirth ?? '2012-01-01';
          if (kind === '11-digit year') client.dateOfBirth = `2${dob}`;
          if (kind === 'impossible date') client.dateOfBirth = `${dob.slice(0, 4)}-02-30`;
          const serviceName = `Unlisted help ${index}`;
          if (kind === 'unknown service') {
            client.listedAs = {
              services: [
                {
                  program_name: null,
                  enrollment_date: null,
                  uuid: rng.uuid(),
                  name: serviceName,
                  referral_id: created.referralId,
                  referral_status: 'Referred',
                },
              ],
            };
          }
          mustSync.push({
            label: `OSCaR client ${created.globalId} with ${kind}`,
            synced: () => {
              const [found] = primeroCasesOf(created.globalId);
              if (!found) return false;
              if (kind === '11-digit year') return found.date_of_birth === dob;
              if (kind === 'impossible date') return found.date_of_birth === undefined;
              return asArray(found.services_section).some(
                (row) => row.service_type === 'other' && row.service_type_details_text === serviceName,
              );
            },
          });
        });
      }
    }
    // Duplicate ids: two NGOs' clients with one global_id (the one listed first is followed, the other is
    // dead-lettered); a second Primero case with an OSCaR number that a case already carries.
    for (let index = 0; index < 10; index += 1) {
      plan.push(async () => {
        const first = await goodOscarClient({ referred: false, organization: 'cif' });
        const second = await goodOscarClient({ referred: false, organization: 'mho' });
        const tenant = system.oscarStore.tenants.get('mho');
        const client = oscarClientRow(second.globalId, 'mho');
        tenant?.clientsByGlobalId.delete(second.globalId);
        client.globalId = first.globalId;
        tenant?.clientsByGlobalId.set(first.globalId, client);
        mustSync.push(first.mustSync, {
          label: `one Primero case for ${first.globalId}, listed by two NGOs`,
          synced: () => primeroCasesOf(first.globalId).length === 1,
        });
        mustDeadLetter.push({
          kind: 'dead-lettered',
          service: 'oscar-poller',
          field: 'global_id',
          label: `OSCaR global_id ${first.globalId} in two NGOs #${index}`,
          id: first.globalId,
        });
      });
      const holder = linked[index];
      plan.push(async () => {
        if (!holder) return;
        const duplicate = await goodPrimeroCase({ oscarNumber: holder.globalId, organization: 'cif' });
        mustDeadLetter.push({
          kind: 'dead-lettered',
          service: 'primero-poller',
          field: 'oscar_number',
          label: `Primero oscar_number ${holder.globalId} on a second case #${index}`,
          id: duplicate.caseId,
        });
      });
    }
    // Interleaved: good and bad records arrive mixed, as they would over a day.
    for (let i = plan.length - 1; i > 0; i -= 1) {
      const j = rng.int(0, i);
      [plan[i], plan[j]] = [plan[j] as () => Promise<void>, plan[i] as () => Promise<void>];
    }
    for (const step of plan) await step();
    const generated = Date.now();
    expect(mustDeadLetter.length).toBeGreaterThanOrEqual(1000);
    expect(mustSync.length).toBeGreaterThanOrEqual(200);

    let rows: DeadLetterRow[] = [];
    const missing = () => {
      const unsynced = mustSync.filter((record) => !record.synced());
      const notDeadLettered = mustDeadLetter.filter(
        (record) =>
          !rows.some(
            (row) =>
              row.schema === schemaOf[record.service] &&
              row.reason.includes(record.id) &&
              row.reason.includes(record.field),
          ),
      );
      return { unsynced, notDeadLettered };
    };
    try {
      await system.converge(async () => {
        oscarReferrals = oscarReferralsByCase();
        rows = await deadLetters();
        const { unsynced, notDeadLettered } = missing();
        return unsynced.length === 0 && notDeadLettered.length === 0;
      }, 75_000);
    } catch (error) {
      const { unsynced, notDeadLettered } = missing();
      const sample = (items: Array<{ label: string }>) => items.slice(0, 8).map((item) => item.label);
      throw new Error(
        `${unsynced.length} good records did not sync (${sample(unsynced).join('; ')}), ` +
          `${notDeadLettered.length} malformed ones were not dead-lettered as expected ` +
          `(${sample(notDeadLettered).join('; ')}); reasons seen: ${[...new Set(rows.map((r) => `${r.schema} ${r.code}`))].join(', ')}`,
        { cause: error },
      );
    }
    const converged = Date.now();

    // Each reason names the field, never the value: no names, dates or long text, and nothing huge.
    for (const row of rows) {
      expect(row.reason.length, row.reason.slice(0, 200)).toBeLessThan(2_000);
      expect(row.reason).not.toContain('HUGE-');
      for (const secret of secrets) expect(row.reason, `${row.schema} ${row.code}`).not.toContain(secret);
    }
    // Each malformed record is dead-lettered once, not once per poll.
    await system.settle();
    const settled = (await deadLetters()).length;
    await system.pollBoth();
    await system.pollBoth();
    expect((await deadLetters()).length).toBe(settled);

    // Nothing stuck: both outboxes published, no retry waiting, every work queue empty.
    const db = new pg.Client({ connectionString: system.databaseUrl });
    await db.connect();
    try {
      const { rows: pending } = await db.query<{ n: string }>(
        `select (select count(*) from primero_poller.outbox where published_at is null)
              + (select count(*) from oscar_poller.outbox where published_at is null)
              + (select count(*) from primero_writer.retries)
              + (select count(*) from oscar_writer.retries) as n`,
      );
      expect(Number(pending[0]?.n)).toBe(0);
    } finally {
      await db.end();
    }
    const connection = await amqp.connect(system.amqpUrl);
    try {
      const channel = await connection.createChannel();
      const queues = (await management(
        system.amqpManagementUrl,
        'GET',
        `/api/queues/${encodeURIComponent(system.vhostName)}`,
      )) as Array<{ name: string }>;
      const work = queues.filter((queue) => !queue.name.endsWith('.dead'));
      expect(work.length).toBeGreaterThan(0);
      for (const queue of work) {
        const { messageCount } = await channel.checkQueue(queue.name);
        expect(messageCount, queue.name).toBe(0);
      }
      // Every poller dead letter has its notice on `<poller>.dead`, with the same reason and no content.
      for (const [service, schema] of [
        ['primero-poller', 'primero_poller'],
        ['oscar-poller', 'oscar_poller'],
      ] as const) {
        const reasons = new Set(rows.filter((row) => row.schema === schema).map((row) => row.reason));
        let notices = 0;
        for (;;) {
          const message = await channel.get(`${service}.dead`, { noAck: true });
          if (message === false) break;
          notices += 1;
          const headers = message.properties.headers as Record<string, unknown>;
          expect(reasons.has(String(headers['x-dead-reason']))).toBe(true);
          const body = message.content.toString('utf8');
          expect(body).not.toContain('HUGE-');
          for (const secret of secrets) expect(body).not.toContain(secret);
        }
        expect(notices).toBe(rows.filter((row) => row.schema === schema).length);
      }
    } finally {
      await connection.close();
    }

    // No service crashed or hung: each process is still up and ready.
    for (const [name, service] of system.services) {
      expect(service.child.exitCode, name).toBeNull();
      const ready = await fetch(`${service.baseUrl}/health/ready`);
      expect(ready.status, name).toBe(200);
    }
    console.info(
      `malformed: ${mustDeadLetter.length} dead-lettered as expected, ${mustSync.length} synced, ` +
        `${rows.length} dead letters; generated in ${generated - started} ms, converged in ${converged - generated} ms`,
    );
  });
});
