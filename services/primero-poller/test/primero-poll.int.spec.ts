import { createPrimeroClient } from '@pos/clients';
import type { MappingTables } from '@pos/mapping';
import {
  deadLetterMigrations,
  type DeadLetterPublisher,
  migrateSchema,
  outboxMigrations,
  type PollerStateDatabase,
  pollerStateMigrations,
  type RejectedRecord,
} from '@pos/messaging';
import { createDb, createLogger, createPool, loadMappingTables } from '@pos/runtime';
import { buildPrimeroSim } from '@pos/sim-primero';
import { checkLeaks, useTestDatabase } from '@pos/testkit';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CaseReadStore, createCaseReadStore } from '../src/adapters/case-reads.repository.ts';
import { type CaseReadsDatabase, migrateCaseReads } from '../src/adapters/case-reads.table.ts';
import { createOscarLinkStore } from '../src/adapters/oscar-links.repository.ts';
import { pollPrimero } from '../src/adapters/primero.poll.ts';

const schema = 'primero_poller';
const referralsRoute = 'GET /api/v2/cases/:id/referrals';
const listRoute = 'GET /api/v2/cases';
const syncAuth = `Basic ${Buffer.from('primero-sync:primero-sync-password').toString('base64')}`;

/**
 * The poll against the Primero simulator, counting what Primero answers (`GET /_control/stats`): a backfill
 * costs one list page and one referral fetch per referred case; re-reads of unchanged cases cost nothing
 * but the list request.
 */
describe('pollPrimero: what it costs Primero', () => {
  const database = useTestDatabase('primero_poll');
  checkLeaks({ scope: 'file' });
  let sim: FastifyInstance;
  let pool: ReturnType<typeof createPool>;
  let db: Kysely<PollerStateDatabase>;
  let caseReads: CaseReadStore;
  let tables: MappingTables;
  const deadLetters: RejectedRecord[] = [];
  let poll: () => ReturnType<typeof pollPrimero>;

  beforeAll(async () => {
    sim = buildPrimeroSim({ controlToken: 'sim-control' });
    const baseUrl = await sim.listen({ host: '127.0.0.1', port: 0 });
    pool = createPool(database.url, { applicationName: 'primero-poll-spec' });
    await migrateSchema(createDb<unknown>(pool), schema, {
      ...outboxMigrations(),
      ...pollerStateMigrations(),
      ...deadLetterMigrations(),
    });
    await migrateCaseReads(createDb<unknown>(pool), schema);
    db = createDb<PollerStateDatabase>(pool).withSchema(schema);
    const ownTables = createDb<CaseReadsDatabase>(pool).withSchema(schema);
    caseReads = createCaseReadStore(ownTables);
    const oscarLinks = createOscarLinkStore(ownTables);
    tables = await loadMappingTables(new URL('../../../config/mappings', import.meta.url).pathname);
    const primero = createPrimeroClient({
      baseUrl,
      user: 'primero-sync',
      password: 'primero-sync-password',
      auth: 'basic',
      maxRequestsPerSecond: 500,
      pageSize: 1000,
    });
    const publisher: DeadLetterPublisher = {
      publish: async (record) => void deadLetters.push(record),
      close: async () => undefined,
    };
    const logger = createLogger({ service: 'primero-poller', level: 'silent' });
    poll = () =>
      pollPrimero(
        {
          db,
          schema,
          primero,
          caseReads,
          oscarLinks,
          tables,
          deadLetters: publisher,
          logger,
          // Long enough that every case stays inside the overlap for the whole spec.
          overlapMs: 3_600_000,
          now: () => new Date(),
        },
        new AbortController().signal,
      );
  });

  afterAll(async () => {
    await db?.destroy();
    await sim?.close();
  });

  async function requests(): Promise<Record<string, number>> {
    const response = await sim.inject({
      method: 'GET',
      url: '/_control/stats',
      headers: { 'x-control-token': 'sim-control' },
    });
    return response.json<{ requests: Record<string, number> }>().requests;
  }

  /** What Primero answered while `run` ran, by route. */
  async function counted(run: () => Promise<unknown>): Promise<Record<string, number>> {
    const before = await requests();
    await run();
    const after = await requests();
    return Object.fromEntries(
      Object.entries(after)
        .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  }

  async function api(method: 'GET' | 'PATCH', url: string, body: object = {}): Promise<unknown> {
    const headers = { authorization: syncAuth };
    const response =
      method === 'GET'
        ? await sim.inject({ method, url, headers })
        : await sim.inject({ method, url, headers, payload: body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ data: unknown }>().data;
  }

  const seeded = 300;
  const referred: Array<{ id: string; referralId: string }> = [];

  it('backfills a few hundred cases with one list page and one referral fetch per referred case', async () => {
    const seed = await sim.inject({
      method: 'POST',
      url: '/_control/seed',
      headers: { 'x-control-token': 'sim-control' },
      payload: { count: seeded, seed: 11 },
    });
    expect(seed.statusCode).toBe(200);
    const cases = (await api('GET', '/api/v2/cases?per=1000')) as Array<Record<string, unknown>>;
    const withReferrals = cases.filter((c) =>
      (c.services_section as Array<Record<string, unknown>> | undefined)?.some(
        (row) => row.service_response_type === 'referral_to_oscar',
      ),
    );
    expect(withReferrals.length).toBeGreaterThan(50);
    for (const c of withReferrals.slice(0, 3)) {
      const [referral] = (await api('GET', `/api/v2/cases/${String(c.id)}/referrals`)) as Array<{
        id: string;
      }>;
      referred.push({ id: String(c.id), referralId: String(referral?.id) });
    }

    let summary = { read: 0, emitted: 0, rejected: 0 };
    const cost = await counted(async () => void (summary = await poll()));
    expect(summary.read).toBe(seeded);
    expect(summary.emitted).toBeGreaterThanOrEqual(withReferrals.length);
    expect(cost).toStrictEqual({ [listRoute]: 1, [referralsRoute]: withReferrals.length });
    const perCase = Object.values(cost).reduce((a, b) => a + b, 0) / seeded;
    expect(perCase).toBeLessThanOrEqual(2.5);
  });

  it('re-reads the unchanged cases in the overlap with one list request per poll and no referral fetch', async () => {
    for (let i = 0; i < 4; i += 1) {
      let summary = { read: 0, emitted: 0, rejected: 0 };
      const cost = await counted(async () => void (summary = await poll()));
      expect(cost).toStrictEqual({ [listRoute]: 1 });
      expect(summary).toStrictEqual({ read: seeded, emitted: 0, rejected: 0 });
    }
  });

  it('fetches the referrals of a case again once it is saved, and only of that case', async () => {
    const [changed] = referred;
    await api('PATCH', `/api/v2/cases/${changed?.id ?? ''}`, { data: { risk_level: 'high' } });
    let summary = { read: 0, emitted: 0, rejected: 0 };
    const cost = await counted(async () => void (summary = await poll()));
    expect(cost).toStrictEqual({ [listRoute]: 1, [referralsRoute]: 1 });
    expect(summary.emitted).toBe(1);
    expect(await counted(poll)).toStrictEqual({ [listRoute]: 1 });
  });

  it('sees an acceptance (which does not bump last_updated_at) with the next save of the case', async () => {
    const [, accepted] = referred;
    const id = accepted?.id ?? '';
    await api('PATCH', `/api/v2/cases/${id}/referrals/${accepted?.referralId ?? ''}`, {
      data: { status: 'accepted' },
    });
    // Accepting alone leaves last_updated_at (Primero v2.5): the case is skipped, as documented.
    expect(await counted(poll)).toStrictEqual({ [listRoute]: 1 });

    // The primero-writer follows its acceptance with a PATCH of the case: that save carries it along.
    await api('PATCH', `/api/v2/cases/${id}`, { data: { oscar_number: '01EGG9DKEQNRB1G6T2JW1EZVVW' } });
    expect(await counted(poll)).toStrictEqual({ [listRoute]: 1, [referralsRoute]: 1 });
    const latest = await db
      .selectFrom('outbox')
      .select(['payload'])
      .where('subject', 'like', 'primero:%')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const data = (latest.payload as { data: { ids: { primeroRecordId: string }; services: unknown[] } }).data;
    expect(data.ids.primeroRecordId).toBe(id);
    expect(data.services).toStrictEqual([]);
  });

  it('reads a rejected case again once its dead letter is replayed (its rejection forgotten)', async () => {
    const handled = {
      recordId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      sourceId: '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f',
      lastUpdatedAt: new Date().toISOString(),
      mappingsVersion: tables.version,
      rejected: true,
    };
    await db
      .insertInto('rejected_records')
      .values({ source_id: handled.sourceId, code: 'INVALID_RECORD', reason: 'test', fingerprint: 'f' })
      .execute();
    await caseReads.save([handled]);
    expect((await caseReads.read([handled.recordId])).get(handled.recordId)).toMatchObject({
      rejected: true,
      rejectionOnRecord: true,
    });
    await db.deleteFrom('rejected_records').where('source_id', '=', handled.sourceId).execute();
    expect((await caseReads.read([handled.recordId])).get(handled.recordId)).toMatchObject({
      rejected: true,
      rejectionOnRecord: false,
    });
  });

  it('forgets cases older than the cursor, which no poll lists again', async () => {
    const old = {
      recordId: 'b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
      sourceId: 'old',
      lastUpdatedAt: '2020-01-01T00:00:00.000Z',
      mappingsVersion: tables.version,
      rejected: false,
    };
    await caseReads.save([old]);
    await poll();
    expect((await caseReads.read([old.recordId])).size).toBe(0);
    expect((await caseReads.read(referred.map((r) => r.id))).size).toBe(referred.length);
    expect(deadLetters).toStrictEqual([]);
  });

  it('refuses a second case with the OSCaR number a case already holds, until the first lets go of it', async () => {
    const [holder, , duplicate] = referred;
    const oscarNumber = '01JDQ8ZV3Y5K7M9N2P4R6T8W0X';
    await api('PATCH', `/api/v2/cases/${holder?.id ?? ''}`, { data: { oscar_number: oscarNumber } });
    await poll();
    await api('PATCH', `/api/v2/cases/${duplicate?.id ?? ''}`, { data: { oscar_number: oscarNumber } });
    await poll();
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ code: 'IDENTITY_CONFLICT' });
    expect(deadLetters[0]?.reason).toContain('oscar_number');
    expect(deadLetters[0]?.reason).toContain(oscarNumber);

    // The first case lets go (its number cleared in Primero); the duplicate, saved again, now maps.
    await api('PATCH', `/api/v2/cases/${holder?.id ?? ''}`, { data: { oscar_number: null } });
    await poll();
    await api('PATCH', `/api/v2/cases/${duplicate?.id ?? ''}`, { data: { risk_level: 'low' } });
    const summary = await poll();
    expect(summary.rejected).toBe(0);
    expect(deadLetters).toHaveLength(1);
  });
});
