import { createOscarClient, createPrimeroClient } from '@pos/clients';
import type { CutoverReport } from '@pos/cutover';
import { buildCutoverReport, primeFromOscar, renderCutoverReport } from '@pos/cutover';
import type { JointSeedSummary } from '@pos/joint-seed';
import { expectedFirstSync, injectTransport, loadMappingTablesSync, seedJointWorld } from '@pos/joint-seed';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { asArray, asRecord, createPrimeroCase, referService } from '../src/scenario.ts';
import { controlToken, System } from '../src/system.ts';

// The cut-over from the legacy job, as it will happen: two systems the legacy job has kept linked for years
// (seeded jointly, its leftovers included), the writers started first, the oscar-writer primed with what
// OSCaR already has, the cut-over report read, REFERRALS_CREATED_SINCE set to the cut-over instant — and
// then the first sync. It must write what the report said, no more, and only where the legacy job left
// something wrong; duplicate nothing; and leave nothing for a second sync to do.

const children = Number(process.env.CUTOVER_CHILDREN ?? 240);
const seed = Number(process.env.CUTOVER_SEED ?? 7);
/** The legacy job's last run: the whole seeded history lies before it. */
const cutover = new Date(Date.now() - 5 * 60_000).toISOString();
const tables = loadMappingTablesSync();
const writeRoutes = [
  'POST /api/v2/cases',
  'PATCH /api/v2/cases/:id',
  'PUT /api/v2/cases/:id',
  'PATCH /api/v2/cases/:id/referrals/:referralId',
  'POST /api/v2/cases/:id/referrals',
  'POST /api/v1/organizations/clients/upsert',
  'PUT /api/v1/organizations/clients/update_links',
  'PUT /api/v1/organizations/referrals/update_statuses',
];

type Json = Record<string, unknown>;
type Counts = Record<string, number>;

describe(`cut-over from the legacy job: the first sync over ${children} children it kept`, () => {
  const system = new System({
    databaseUrl: inject('databaseUrl'),
    amqpUrl: inject('amqpUrl'),
    amqpManagementUrl: inject('amqpManagementUrl'),
    label: 'cutover',
    // The writers first: the oscar-writer is primed before the pollers start the first sync.
    services: ['primero-writer', 'oscar-writer'],
    env: {
      REFERRALS_CREATED_SINCE: cutover,
      PRIMERO_MAX_RPS: '1000',
      PRIMERO_MAX_CONCURRENCY: '8',
      OSCAR_MAX_RPS: '1000',
      OSCAR_MAX_CONCURRENCY: '4',
    },
  });
  let world: JointSeedSummary;
  let unprimed: CutoverReport;
  let report: CutoverReport;
  let firstSync: { primero: Counts; oscar: Counts };
  let before: WorldCounts;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    let t = Date.now();
    const lap = (name: string) => {
      timings[name] = (Date.now() - t) / 1000;
      t = Date.now();
    };
    // Seeded through the simulators' replay before anything polls: the pollers' first read must see it all.
    world = await seedJointWorld({
      primero: injectTransport(system.primero, controlToken),
      oscar: injectTransport(system.oscar, controlToken),
      children,
      seed,
      now: cutover,
      tables,
    });
    lap('seed');
    await system.start();
    lap('start writers');
    const clients = upstreamClients(system);
    const fromDatabase = { from: 'database', databaseUrl: system.databaseUrl } as const;
    const reportInput = { ...clients, tables, referralsCreatedSince: cutover, known: fromDatabase };
    unprimed = (await buildCutoverReport(reportInput)).report;
    await primeFromOscar({ oscar: clients.oscar, databaseUrl: system.databaseUrl });
    report = (await buildCutoverReport(reportInput)).report;
    console.log(`\n${renderCutoverReport(report, 3)}`);
    lap('report and prime');
    before = await worldCounts(system);
    const baseline = await requestsByRoute(system);
    await system.startService('primero-poller');
    await system.startService('oscar-poller');
    await system.settle(2_000, 60_000);
    lap('first sync');
    firstSync = difference(await requestsByRoute(system), baseline);
  }, 180_000);

  afterAll(async () => {
    console.log(`cut-over figures ${JSON.stringify({ world: world?.stories, firstSync, timings }, null, 2)}`);
    await system.stop();
  });

  it('reports, by kind, writes exactly for the leftovers the legacy job left', () => {
    const expected = expectedFirstSync(world.plan);
    expect(report.primed).toBe(true);
    expect(counts(report.changes)).toEqual(expected.changes);
    expect(report.attention['referral-before-cutover']?.count).toBe(expected.referralsBeforeCutover);
    expect(report.attention['dead-letter']).toBeUndefined();
    // Unprimed, the oscar-writer would send again every link and decision the legacy job already sent.
    expect(unprimed.primed).toBe(false);
    expect(unprimed.requests.oscar['PUT /api/v1/organizations/clients/update_links']).toBeGreaterThan(
      world.linkedPairs,
    );
  });

  it('makes the writes the report predicted, request for request, and no others', () => {
    expect(firstSync).toEqual({
      primero: nonZero(report.requests.primero),
      oscar: nonZero(report.requests.oscar),
    });
  });

  it('duplicates no case, client, referral or service row, and sends no referral from before the cut-over', async () => {
    const after = await worldCounts(system);
    expect(after.duplicates).toEqual({
      casesPerOscarNumber: 0,
      casesPerCaseId: 0,
      rowsPerUniqueId: 0,
      referralRowsPerOscarReferral: 0,
      enrolmentRowsPerService: 0,
      primeroReferralsPerRow: 0,
      clientsPerCase: 0,
      oscarReferralsPerCase: 0,
    });
    expect(after.primeroCases).toBe(before.primeroCases + (report.changes['case-created']?.count ?? 0));
    expect(after.oscarClients).toBe(before.oscarClients);
    expect(after.oscarReferrals).toBe(before.oscarReferrals);
    expect(await deadLetters(system)).toBe(0);
  });

  it('repairs what the legacy job left wrong', async () => {
    const cases = await primeroCases(system);
    const byGlobalId = new Map(cases.map((c) => [String(c.oscar_number), c]));
    const stories = world.plan.stories;
    for (const child of world.children) {
      const story = stories[child.index];
      if (story === undefined || child.globalId === null) continue;
      const record = byGlobalId.get(child.globalId);
      const rows = asArray(record?.services_section);
      const from = rows.filter((r) => r.service_response_type === 'referral_from_oscar');
      const what = `story ${child.index} (${child.kind})`;
      if (story.leftovers.includes('case-missing-stung-treng')) expect(record?.owned_by, what).toBe('mgrstg');
      if (story.leftovers.includes('pending-status-missing'))
        expect(
          from.every((r) => r.referral_status_edf41f2 === 'pending_310366'),
          what,
        ).toBe(true);
      if (story.leftovers.includes('risk-level-lost')) expect(record?.risk_level, what).toBe(story.oscarRisk);
      if (story.leftovers.includes('collapsed-referral-row'))
        expect(new Set(from.map((r) => r.oscar_referral_id_a4ac8a5)).size, what).toBe(2);
      if (story.leftovers.includes('enrolment-rows-missing'))
        expect(
          rows.some((r) => r.service_response_type === 'service_being_provided_by_oscar_partner_47618'),
          what,
        ).toBe(true);
      if (story.leftovers.includes('decision-missing-in-primero')) {
        expect(record?.oscar_number, what).toBe(child.globalId);
        const referrals = await primeroReferralsOf(system, String(record?.id));
        expect(referrals[0]?.status, what).toBe(story.decision);
      }
    }
    const linked = [...system.oscarStore.tenants.values()].flatMap((t) => [...t.clients.values()]);
    for (const child of world.children.filter((c) => c.leftovers.includes('link-missing-in-oscar')))
      expect(linked.find((c) => c.globalId === child.globalId)?.externalId).toBe(child.caseId);
  });

  it('leaves nothing for a second sync but what happens after the cut-over, and the report then predicts nothing', async () => {
    const baseline = await requestsByRoute(system);
    await system.settle(2_000, 30_000);
    expect(difference(await requestsByRoute(system), baseline)).toEqual({ primero: {}, oscar: {} });
    // MoSVY refers a child after the cut-over: that referral is the sync's, and goes out once.
    const child = await createPrimeroCase(system, { services: [{ subtype: ['counselling_trauma'] }] });
    await referService(system, child, child.serviceIds[0] ?? '');
    const beforeReferral = await requestsByRoute(system);
    await system.settle(2_000, 30_000);
    expect(difference(await requestsByRoute(system), beforeReferral).oscar).toEqual({
      'POST /api/v1/organizations/clients/upsert': 1,
    });
    const { report: again } = await buildCutoverReport({
      ...upstreamClients(system),
      tables,
      referralsCreatedSince: cutover,
      known: { from: 'database', databaseUrl: system.databaseUrl },
    });
    expect(again.changes).toEqual({});
    expect(again.requests).toEqual({ primero: {}, oscar: {} });
  });

  it('logs ids, never the names of the children', () => {
    const output = system.allOutput();
    for (const story of world.plan.stories)
      expect(output).not.toContain(`${story.person.givenName} ${story.person.familyName}`);
  });
});

function upstreamClients(system: System) {
  return {
    primero: createPrimeroClient({
      baseUrl: system.primeroUrl,
      user: 'primero-sync',
      password: 'primero-sync-password',
      auth: 'basic',
      maxRequestsPerSecond: 1000,
      maxConcurrency: 8,
    }),
    oscar: createOscarClient({
      baseUrl: system.oscarUrl,
      email: 'sync@oscar.test',
      password: 'oscar-sync-password',
      maxRequestsPerSecond: 1000,
    }),
  };
}

/** The write routes each simulator has answered so far, by route. */
async function requestsByRoute(system: System): Promise<{ primero: Counts; oscar: Counts }> {
  const of = async (response: Promise<{ body: unknown }>) => {
    const requests = asRecord(asRecord((await response).body).requests);
    return Object.fromEntries(
      writeRoutes.filter((route) => route in requests).map((route) => [route, Number(requests[route])]),
    );
  };
  return {
    primero: await of(system.primeroControl('GET', '/_control/stats')),
    oscar: await of(system.oscarControl('GET', '/_control/stats')),
  };
}

function difference(
  after: { primero: Counts; oscar: Counts },
  before: { primero: Counts; oscar: Counts },
): { primero: Counts; oscar: Counts } {
  const minus = (a: Counts, b: Counts) =>
    nonZero(Object.fromEntries(Object.entries(a).map(([route, n]) => [route, n - (b[route] ?? 0)])));
  return { primero: minus(after.primero, before.primero), oscar: minus(after.oscar, before.oscar) };
}

function nonZero(counts: Readonly<Counts>): Counts {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n !== 0));
}

function counts(groups: CutoverReport['changes']): Counts {
  return Object.fromEntries(Object.entries(groups).map(([kind, group]) => [kind, group.count]));
}

async function primeroCases(system: System): Promise<Json[]> {
  return asArray(asRecord((await system.primeroControl('GET', '/_control/cases?limit=1000000')).body).data);
}

async function primeroReferralsOf(system: System, recordId: string): Promise<Json[]> {
  const response = await system.primeroControl('GET', `/_control/referrals?record_id=${recordId}`);
  return asArray(asRecord(response.body).data);
}

interface WorldCounts {
  primeroCases: number;
  oscarClients: number;
  oscarReferrals: number;
  duplicates: Record<string, number>;
}

/** Records in both simulators, and every way one of them could have been duplicated. */
async function worldCounts(system: System): Promise<WorldCounts> {
  const cases = await primeroCases(system);
  const surplus = (keys: readonly string[]) => keys.length - new Set(keys).size;
  const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? null));
  const rowsOf = (c: Json) => asArray(c.services_section);
  const withValue = (field: string) =>
    cases.flatMap((c) => (typeof c[field] === 'string' ? [text(c[field])] : []));
  let primeroReferralsPerRow = 0;
  for (const c of cases) {
    if (!rowsOf(c).some((r) => r.service_response_type === 'referral_to_oscar')) continue;
    const referrals = await primeroReferralsOf(system, String(c.id));
    primeroReferralsPerRow += surplus(referrals.map((r) => text(r.service_record_id)));
  }
  const clients = [...system.oscarStore.tenants.values()].flatMap((t) => [...t.clients.values()]);
  const referrals = [...system.oscarStore.tenants.values()].flatMap((t) => [...t.referrals.values()]);
  return {
    primeroCases: cases.length,
    oscarClients: clients.length,
    oscarReferrals: referrals.length,
    duplicates: {
      casesPerOscarNumber: surplus(withValue('oscar_number')),
      casesPerCaseId: surplus(withValue('case_id')),
      rowsPerUniqueId: cases.reduce((n, c) => n + surplus(rowsOf(c).map((r) => text(r.unique_id))), 0),
      referralRowsPerOscarReferral: cases.reduce(
        (n, c) =>
          n +
          surplus(
            rowsOf(c)
              .filter((r) => r.service_response_type === 'referral_from_oscar')
              .map((r) => `${text(r.oscar_referral_id_a4ac8a5)}/${text(r.service_subtype)}`),
          ),
        0,
      ),
      enrolmentRowsPerService: cases.reduce(
        (n, c) =>
          n +
          surplus(
            rowsOf(c)
              .filter((r) => r.service_response_type === 'service_being_provided_by_oscar_partner_47618')
              .map(
                (r) =>
                  `${text(r.service_type)}/${text(r.service_subtype)}/${text(r.service_implementing_agency)}`,
              ),
          ),
        0,
      ),
      primeroReferralsPerRow,
      clientsPerCase: surplus(
        clients.filter((c) => c.externalId).map((c) => `${c.organization}/${c.externalId ?? ''}`),
      ),
      // Each MoSVY case of the world was referred once: a second referral from MoSVY would be a re-send.
      oscarReferralsPerCase: surplus(
        referrals
          .filter((r) => r.referredFrom === system.oscarStore.externalSystem.name)
          .map((r) => `${r.organization}/${r.externalId ?? ''}`),
      ),
    },
  };
}

async function deadLetters(system: System): Promise<number> {
  const client = new pg.Client({ connectionString: system.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'select (select count(*) from primero_writer.dead_letters) + (select count(*) from oscar_writer.dead_letters) as n',
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
