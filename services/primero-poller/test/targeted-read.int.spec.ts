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

import { createCaseReadStore } from '../src/adapters/case-reads.repository.ts';
import { type CaseReadsDatabase, migrateCaseReads } from '../src/adapters/case-reads.table.ts';
import { createOscarLinkStore } from '../src/adapters/oscar-links.repository.ts';
import { pollPrimero, type PrimeroPollDeps, readCases } from '../src/adapters/primero.poll.ts';

const schema = 'primero_poller';
const getRoute = 'GET /api/v2/cases/:id';
const referralsRoute = 'GET /api/v2/cases/:id/referrals';
const listRoute = 'GET /api/v2/cases';
const syncAuth = `Basic ${Buffer.from('primero-sync:primero-sync-password').toString('base64')}`;

/**
 * Targeted reads (a webhook notice's case) against the Primero simulator and Postgres: the same path as a
 * poll — re-read skip, fingerprints, outbox — costing one case read (and its referrals when it changed).
 */
describe('readCases: the targeted read of a noticed case', () => {
  const database = useTestDatabase('primero_targeted_read');
  checkLeaks({ scope: 'file' });
  let sim: FastifyInstance;
  let pool: ReturnType<typeof createPool>;
  let db: Kysely<PollerStateDatabase>;
  let tables: MappingTables;
  let deps: PrimeroPollDeps;
  const deadLetters: RejectedRecord[] = [];
  const signal = new AbortController().signal;
  let referred = '';

  beforeAll(async () => {
    sim = buildPrimeroSim({ controlToken: 'sim-control' });
    const baseUrl = await sim.listen({ host: '127.0.0.1', port: 0 });
    pool = createPool(database.url, { applicationName: 'targeted-read-spec' });
    await migrateSchema(createDb<unknown>(pool), schema, {
      ...outboxMigrations(),
      ...pollerStateMigrations(),
      ...deadLetterMigrations(),
    });
    await migrateCaseReads(createDb<unknown>(pool), schema);
    db = createDb<PollerStateDatabase>(pool).withSchema(schema);
    const ownTables = createDb<CaseReadsDatabase>(pool).withSchema(schema);
    tables = await loadMappingTables(new URL('../../../config/mappings', import.meta.url).pathname);
    const publisher: DeadLetterPublisher = {
      publish: async (record) => void deadLetters.push(record),
      close: async () => undefined,
    };
    deps = {
      db,
      schema,
      primero: createPrimeroClient({
        baseUrl,
        user: 'primero-sync',
        password: 'primero-sync-password',
        auth: 'basic',
        maxRequestsPerSecond: 500,
      }),
      caseReads: createCaseReadStore(ownTables),
      oscarLinks: createOscarLinkStore(ownTables),
      tables,
      deadLetters: publisher,
      logger: createLogger({ service: 'primero-poller', level: 'silent' }),
      overlapMs: 3_600_000,
      now: () => new Date(),
    };
    const seed = await sim.inject({
      method: 'POST',
      url: '/_control/seed',
      headers: { 'x-control-token': 'sim-control' },
      payload: { count: 40, seed: 7 },
    });
    expect(seed.statusCode).toBe(200);
    const cases = (await api('GET', '/api/v2/cases?per=1000')) as Array<Record<string, unknown>>;
    referred = String(
      cases.find((c) =>
        (c.services_section as Array<Record<string, unknown>> | undefined)?.some(
          (row) => row.service_response_type === 'referral_to_oscar',
        ),
      )?.id,
    );
    // The backfill: every case handled once, as in a running sync.
    await pollPrimero(deps, signal);
  });

  afterAll(async () => {
    await db?.destroy();
    await sim?.close();
  });

  async function api(method: 'GET' | 'PATCH', url: string, body: object = {}): Promise<unknown> {
    const headers = { authorization: syncAuth };
    const response =
      method === 'GET'
        ? await sim.inject({ method, url, headers })
        : await sim.inject({ method, url, headers, payload: body });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ data: unknown }>().data;
  }

  async function counted(run: () => Promise<unknown>): Promise<Record<string, number>> {
    const stats = async () =>
      (
        await sim.inject({
          method: 'GET',
          url: '/_control/stats',
          headers: { 'x-control-token': 'sim-control' },
        })
      ).json<{ requests: Record<string, number> }>().requests;
    const before = await stats();
    await run();
    const after = await stats();
    return Object.fromEntries(
      Object.entries(after)
        .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
  }

  const outboxRows = async () =>
    Number(
      (
        await db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a notice for a case unchanged since it was handled costs one case read and emits nothing', async () => {
    const rows = await outboxRows();
    let outcomes = new Map<string, string>();
    const cost = await counted(async () => void (outcomes = await readCases(deps, [referred], signal)));
    expect(cost).toStrictEqual({ [getRoute]: 1 });
    expect(outcomes).toEqual(new Map([[referred, 'unchanged']]));
    expect(await outboxRows()).toBe(rows);
  });

  it('a changed case is read with its referrals, its event written to the outbox, and the poll then skips it', async () => {
    await api('PATCH', `/api/v2/cases/${referred}`, { data: { risk_level: 'high' } });
    const rows = await outboxRows();
    let outcomes = new Map<string, string>();
    const cost = await counted(async () => void (outcomes = await readCases(deps, [referred], signal)));
    expect(cost).toStrictEqual({ [getRoute]: 1, [referralsRoute]: 1 });
    expect(outcomes).toEqual(new Map([[referred, 'changed']]));
    expect(await outboxRows()).toBe(rows + 1);
    // The safety poll lists it again at the same last_updated_at: no referral fetch, no event.
    let summary = { read: 0, emitted: 0, rejected: 0 };
    expect(await counted(async () => void (summary = await pollPrimero(deps, signal)))).toStrictEqual({
      [listRoute]: 1,
    });
    expect(summary.emitted).toBe(0);
  });

  it('an echo — a save that changes nothing the sync maps — is read and emits nothing', async () => {
    // As the mark_synced PATCH does: last_updated_at moves, the mapped content does not.
    await api('PATCH', `/api/v2/cases/${referred}`, { data: {} });
    const rows = await outboxRows();
    expect(await readCases(deps, [referred], signal)).toEqual(new Map([[referred, 'unchanged']]));
    expect(await outboxRows()).toBe(rows);
  });

  it('a case Primero does not have is not_found, beside a found one in the same round', async () => {
    const missing = '0b8f3f4e-7c1d-4d5e-9a3b-2f1e0d9c8b7a';
    expect(await readCases(deps, [missing, referred], signal)).toEqual(
      new Map([
        [missing, 'not_found'],
        [referred, 'unchanged'],
      ]),
    );
    expect(deadLetters).toStrictEqual([]);
  });
});
