import { randomBytes } from 'node:crypto';

import type { CaseChanged } from '@pos/contracts';
import { buildCaseChanged } from '@pos/contracts/test-builders';
import {
  type Consumer,
  consumerTopology,
  type DeadLetterAdminDatabase,
  deadLetterMigrations,
  deadLetterOperations,
  type Handlers,
  inboxMigrations,
  migrateSchema,
  newEventId,
  outboxMigrations,
  partitionedRoutingKey,
  partitionOf,
  payloadCipher,
  PermanentError,
  type PollerStateDatabase,
  pollerStateMigrations,
  recordDeadLetter,
  registerDeadLetterRoutes,
  startConsumer,
} from '@pos/messaging';
import { connectBroker, createDb, createLogger, createPool } from '@pos/runtime';
import { checkLeaks, eventually, testAdminToken, useTestDatabase, useTestVhost } from '@pos/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The admin HTTP API over a service's dead letters, against real Postgres and RabbitMQ: a writer's consumer
// dead-letters events, the routes list, show, replay and discard them with the library `pnpm dlq` runs,
// and a call without the bearer token changes nothing.

const logger = createLogger({ service: 'dead-letter-routes-test', level: 'silent' });
const cipher = payloadCipher(randomBytes(32).toString('base64'));
const auth = { authorization: `Bearer ${testAdminToken}` };

/** These waits are for many messages at once: longer, and asked less often. */
const settled = (check: () => Promise<boolean> | boolean) =>
  eventually(check, { timeoutMs: 30_000, intervalMs: 100 });

describe('admin HTTP API over dead letters', () => {
  const database = useTestDatabase('dl_routes');
  const vhost = useTestVhost('dl_routes');
  checkLeaks({ scope: 'file' });

  let pool: pg.Pool;
  let writerDb: Kysely<DeadLetterAdminDatabase>;
  let pollerDb: Kysely<DeadLetterAdminDatabase>;
  let broker: Awaited<ReturnType<typeof connectBroker>>;
  let consumer: Consumer | undefined;
  let writerApp: FastifyInstance;
  let pollerApp: FastifyInstance;
  const topology = consumerTopology('routes-writer', 'primero', 4);
  let failing = true;
  const applied: Array<{ caseId: string; marker: number }> = [];

  const handlers: Handlers = {
    'primero.case.changed': async (event: CaseChanged) => {
      if (failing) {
        throw new PermanentError(
          'UNKNOWN_PROVINCE',
          `case ${event.data.ids.caseId ?? '?'}: location.province not in provinces.csv`,
        );
      }
      applied.push({ caseId: event.data.ids.caseId ?? '?', marker: Number(event.data.ids.mosvyNumber) });
      return 'applied';
    },
  };

  /** Everything a call could change: the dead letters, the actions recorded, the retries queued. */
  const snapshot = async () => ({
    deadLetters: await writerDb.selectFrom('dead_letters').selectAll().orderBy('id').execute(),
    actions: await writerDb.selectFrom('dead_letter_actions').selectAll().orderBy('id').execute(),
    retries: await writerDb.selectFrom('retries').selectAll().orderBy('id').execute(),
    pollerDeadLetters: await pollerDb.selectFrom('dead_letters').selectAll().orderBy('id').execute(),
    cursor: await pollerDb.selectFrom('cursor').selectAll().execute(),
    rejected: await pollerDb.selectFrom('rejected_records').selectAll().execute(),
  });

  const publish = async (events: Array<{ caseId: string; marker: number }>) => {
    const ch = await broker.connection.createConfirmChannel();
    for (const { caseId, marker } of events) {
      const event = buildCaseChanged();
      event.metadata.eventId = newEventId();
      event.metadata.subject = `primero:${caseId}`;
      event.data.ids.caseId = caseId;
      event.data.ids.mosvyNumber = String(marker);
      event.data.person.givenName = 'Sokha';
      ch.publish(
        'sync.events',
        partitionedRoutingKey(
          'primero.case.changed',
          partitionOf(event.metadata.subject, topology.partitions),
        ),
        Buffer.from(JSON.stringify(event)),
        {
          persistent: true,
          messageId: event.metadata.eventId,
          type: 'primero.case.changed',
          headers: { 'x-subject': event.metadata.subject },
        },
      );
    }
    await ch.waitForConfirms();
    await ch.close();
  };

  beforeAll(async () => {
    pool = createPool(database.url, { applicationName: 'dead-letter-routes-test' });
    await migrateSchema(createDb<unknown>(pool), 'writer', inboxMigrations());
    await migrateSchema(createDb<unknown>(pool), 'poller', {
      ...outboxMigrations(),
      ...pollerStateMigrations(),
      ...deadLetterMigrations(),
    });
    writerDb = createDb<DeadLetterAdminDatabase>(pool).withSchema('writer');
    pollerDb = createDb<DeadLetterAdminDatabase>(pool).withSchema('poller');
    broker = await connectBroker(vhost.url, { logger, name: 'dead-letter-routes-test' });
    consumer = await startConsumer({
      connection: broker.connection,
      db: createDb(pool).withSchema('writer'),
      topology,
      handlers,
      logger,
      service: 'primero-writer',
      cipher,
      mappingVersion: '2026-12-02.1',
    });
    writerApp = Fastify();
    registerDeadLetterRoutes(writerApp, {
      service: 'primero-writer',
      adminToken: testAdminToken,
      deadLetters: deadLetterOperations(writerDb, cipher),
    });
    pollerApp = Fastify();
    registerDeadLetterRoutes(pollerApp, {
      service: 'primero-poller',
      adminToken: testAdminToken,
      deadLetters: deadLetterOperations(pollerDb, null),
    });

    // Case a has three events, b one, c one: all dead-lettered (the province is not in the table yet).
    await publish([
      { caseId: 'case-aaaa001', marker: 0 },
      { caseId: 'case-bbbb002', marker: 0 },
      { caseId: 'case-aaaa001', marker: 1 },
      { caseId: 'case-cccc003', marker: 0 },
      { caseId: 'case-aaaa001', marker: 2 },
    ]);
    await settled(async () => (await writerDb.selectFrom('dead_letters').selectAll().execute()).length === 5);
    // A poller's rejected record: the cursor has moved past it since.
    await recordDeadLetter(
      pollerDb,
      {
        service: 'primero-poller',
        kind: 'record',
        eventId: null,
        route: 'primero.case.changed',
        subject: 'primero:case-rrrr004',
        caseId: 'case-rrrr004',
        globalId: null,
        code: 'UNKNOWN_AGENCY',
        reason: 'case case-rrrr004: owned_by_agency_id not in agencies.csv',
        attempts: 1,
        firstFailedAt: null,
        mappingVersion: '2026-12-02.1',
        originalRoutingKey: null,
        originalQueue: 'primero-poller',
        headers: {},
        sourceUpdatedAt: '2026-12-01T10:00:00.000Z',
      },
      null,
    );
    await pollerDb
      .insertInto('cursor')
      .values({ name: 'cases', value: '2026-12-02T09:00:00.000Z', updated_at: new Date() })
      .execute();
    await createDb<PollerStateDatabase>(pool)
      .withSchema('poller')
      .insertInto('rejected_records')
      .values({
        source_id: 'case-rrrr004',
        code: 'UNKNOWN_AGENCY',
        reason: 'x',
        fingerprint: 'f',
        last_seen: new Date(),
      })
      .execute();
  });

  afterAll(async () => {
    await writerApp?.close();
    await pollerApp?.close();
    await consumer?.stop();
    await broker?.close();
    await pool?.end();
  });

  const openIdsOf = async (caseId: string) =>
    (
      await writerDb
        .selectFrom('dead_letters')
        .select('id')
        .where('case_id', '=', caseId)
        .orderBy('id')
        .execute()
    ).map((row) => String(row.id));

  it('answers 401 to every route without the bearer token or with another, and nothing happens', async () => {
    const before = await snapshot();
    const [first] = await openIdsOf('case-aaaa001');
    const calls = [
      { method: 'GET', url: '/admin/dead-letters' },
      { method: 'GET', url: `/admin/dead-letters/${first}?payload=true` },
      { method: 'POST', url: '/admin/dead-letters/replay', payload: { all: true } },
      { method: 'POST', url: '/admin/dead-letters/discard', payload: { all: true, reason: 'no' } },
    ] as const;
    for (const app of [writerApp, pollerApp]) {
      for (const call of calls) {
        for (const headers of [{}, { authorization: 'Bearer not-the-admin-token-at-all' }]) {
          const response = await app.inject({ ...call, headers });
          expect(response.statusCode, `${call.method} ${call.url}`).toBe(401);
          expect(response.body).not.toContain('Sokha');
          expect(response.body).not.toContain('case-aaaa001');
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await snapshot()).toEqual(before);
    expect(applied).toHaveLength(0);
  });

  it('lists with the filters of pnpm dlq list: case (or its display id), global id, code, age', async () => {
    const list = async (query: string) => {
      const response = await writerApp.inject({
        method: 'GET',
        url: `/admin/dead-letters${query}`,
        headers: auth,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json<{ count: number; deadLetters: Array<Record<string, unknown>> }>();
    };
    const all = await list('');
    expect(all.count).toBe(5);
    expect(all.deadLetters[0]).toMatchObject({
      ref: expect.stringMatching(/^primero-writer\/\d+$/) as unknown,
      service: 'primero-writer',
      kind: 'event',
      code: 'UNKNOWN_PROVINCE',
      route: 'primero.case.changed',
      mappingVersion: '2026-12-02.1',
      replayable: true,
    });
    expect(JSON.stringify(all)).not.toContain('Sokha');
    expect((await list('?case=case-aaaa001')).count).toBe(3);
    expect((await list('?case=aaaa001')).count).toBe(3);
    expect((await list('?code=UNKNOWN_PROVINCE&limit=2')).count).toBe(2);
    expect((await list('?code=UNKNOWN_AGENCY')).count).toBe(0);
    expect((await list('?global=01J2B6M9N4P7Q8R3S5T6V7W8XY')).count).toBe(0);
    expect((await list('?newerThan=1h')).count).toBe(5);
    expect((await list('?olderThan=1h')).count).toBe(0);

    for (const [query, error] of [
      ['?olderThan=yesterday', 'olderThan: must look like 30m, 2h or 7d'],
      ['?caseId=case-aaaa001', 'Unrecognized key'],
      ['?state=gone', 'state'],
      ['?limit=0', 'limit'],
    ] as const) {
      const response = await writerApp.inject({
        method: 'GET',
        url: `/admin/dead-letters${query}`,
        headers: auth,
      });
      expect(response.statusCode, query).toBe(400);
      expect(response.json<{ error: string }>().error).toContain(error);
    }
  });

  it('shows one dead letter, its event only with ?payload=true', async () => {
    const [first] = await openIdsOf('case-bbbb002');
    const plain = await writerApp.inject({
      method: 'GET',
      url: `/admin/dead-letters/${first}`,
      headers: auth,
    });
    expect(plain.statusCode).toBe(200);
    const detail = plain.json<Record<string, unknown>>();
    expect(detail).toMatchObject({ ref: `primero-writer/${first}`, caseId: 'case-bbbb002', actions: [] });
    expect(detail).not.toHaveProperty('payload');
    expect(plain.body).not.toContain('Sokha');

    const withPayload = await writerApp.inject({
      method: 'GET',
      url: `/admin/dead-letters/${encodeURIComponent(`primero-writer/${first}`)}?payload=true`,
      headers: auth,
    });
    expect(withPayload.statusCode).toBe(200);
    expect(JSON.stringify(withPayload.json<{ payload: unknown }>().payload)).toContain('Sokha');

    for (const url of [
      '/admin/dead-letters/999999',
      `/admin/dead-letters/${encodeURIComponent(`oscar-writer/${first}`)}`,
    ]) {
      const missing = await writerApp.inject({ method: 'GET', url, headers: auth });
      expect(missing.statusCode, url).toBe(404);
    }
  });

  it('refuses, changing nothing, to replay an event sealed with another DEAD_LETTER_KEY (a rotated key)', async () => {
    const rotated = Fastify();
    registerDeadLetterRoutes(rotated, {
      service: 'primero-writer',
      adminToken: testAdminToken,
      deadLetters: deadLetterOperations(writerDb, payloadCipher(randomBytes(32).toString('hex'))),
    });
    try {
      const [b] = await openIdsOf('case-bbbb002');
      const before = await snapshot();
      const shown = await rotated.inject({
        method: 'GET',
        url: `/admin/dead-letters/${b}?payload=true`,
        headers: auth,
      });
      expect(shown.statusCode).toBe(200);
      expect(shown.json()).toMatchObject({ payload: null });
      const replayed = await rotated.inject({
        method: 'POST',
        url: '/admin/dead-letters/replay',
        headers: auth,
        payload: { id: b },
      });
      expect(replayed.statusCode).toBe(200);
      expect(replayed.json()).toMatchObject({
        count: 1,
        outcomes: [
          { outcome: 'not-replayable', why: expect.stringContaining('another DEAD_LETTER_KEY') as unknown },
        ],
      });
      const { actions: _actions, ...unchanged } = await snapshot();
      const { actions: _before, ...was } = before;
      expect(unchanged).toEqual(was);
    } finally {
      await rotated.close();
    }
  });

  it('replays a case in its order through the retries table, records who did it, and a second replay has no effect', async () => {
    // No selection: refused, nothing happens.
    const before = await snapshot();
    const refused = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: {},
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ error: string }>().error).toContain('"all": true');
    const typo = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { caseId: 'case-aaaa001' },
    });
    expect(typo.statusCode).toBe(400);
    expect(await snapshot()).toEqual(before);

    const dry = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { case: 'case-aaaa001', dryRun: true },
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, count: 3 });
    expect(dry.json<{ outcomes: Array<{ outcome: string }> }>().outcomes.map((o) => o.outcome)).toEqual([
      'would-queue',
      'would-queue',
      'would-queue',
    ]);
    expect(await snapshot()).toEqual(before);

    failing = false; // the province is in the table now
    const replayed = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { case: 'case-aaaa001', actor: 'sokunthea' },
    });
    expect(replayed.statusCode).toBe(200);
    const ids = await openIdsOf('case-aaaa001');
    expect(replayed.json()).toEqual({
      service: 'primero-writer',
      dryRun: false,
      count: 3,
      outcomes: ids.map((id) => ({ ref: `primero-writer/${id}`, id, outcome: 'queued' })),
    });
    await settled(() => applied.length === 3);
    expect(applied).toEqual([0, 1, 2].map((marker) => ({ caseId: 'case-aaaa001', marker })));

    // One by id, the actor from the header.
    const [b] = await openIdsOf('case-bbbb002');
    const one = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: { ...auth, 'x-actor': 'console:dara' },
      payload: { id: `primero-writer/${b}` },
    });
    expect(one.json()).toMatchObject({ count: 1, outcomes: [{ outcome: 'queued' }] });
    await settled(() => applied.length === 4);

    const actions = await writerDb
      .selectFrom('dead_letter_actions')
      .select(['dead_letter_id', 'action', 'actor', 'outcome'])
      .where('outcome', '=', 'queued')
      .orderBy('id')
      .execute();
    expect(actions).toEqual([
      ...ids.map((id) => ({
        dead_letter_id: id,
        action: 'replay',
        actor: 'api:sokunthea',
        outcome: 'queued',
      })),
      { dead_letter_id: b, action: 'replay', actor: 'api:console:dara', outcome: 'queued' },
    ]);
    const listed = await writerApp.inject({
      method: 'GET',
      url: '/admin/dead-letters?state=replayed',
      headers: auth,
    });
    expect(listed.json()).toMatchObject({ count: 4 });

    // Again: nothing is open for the case any more, so nothing is sent and nothing recorded.
    const afterFirst = await snapshot();
    const again = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { case: 'case-aaaa001' },
    });
    expect(again.json()).toMatchObject({ count: 0, outcomes: [] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(applied).toHaveLength(4);
    expect(await snapshot()).toEqual(afterFirst);
  });

  it('discards with a required reason, recorded; a discarded dead letter is no longer open', async () => {
    const [c] = await openIdsOf('case-cccc003');
    const before = await snapshot();
    for (const payload of [{ id: c }, { id: c, reason: '   ' }]) {
      const refused = await writerApp.inject({
        method: 'POST',
        url: '/admin/dead-letters/discard',
        headers: auth,
        payload,
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json<{ error: string }>().error).toContain('reason');
    }
    expect(await snapshot()).toEqual(before);

    const discarded = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/discard',
      headers: auth,
      payload: { id: c, reason: 'created again by hand in OSCaR' },
    });
    expect(discarded.statusCode).toBe(200);
    expect(discarded.json()).toEqual({
      service: 'primero-writer',
      count: 1,
      discarded: [`primero-writer/${c}`],
    });
    const shown = await writerApp.inject({
      method: 'GET',
      url: `/admin/dead-letters/${c}?payload=true`,
      headers: auth,
    });
    expect(shown.json()).toMatchObject({
      discardedAt: expect.any(String) as unknown,
      payload: null,
      actions: [
        {
          action: 'discard',
          actor: 'api:admin-token',
          outcome: 'discarded',
          detail: 'created again by hand in OSCaR',
        },
      ],
    });
    const open = await writerApp.inject({ method: 'GET', url: '/admin/dead-letters', headers: auth });
    expect(open.json()).toMatchObject({ count: 0 });

    const again = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/discard',
      headers: auth,
      payload: { id: c, reason: 'twice' },
    });
    expect(again.json()).toMatchObject({ count: 0 });
    const replay = await writerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { id: c },
    });
    expect(replay.json()).toMatchObject({ count: 0 });
    expect(applied).toHaveLength(4);
  });

  it("replays a poller's rejected record by reading it again: the rejection forgotten, the cursor back", async () => {
    const listed = await pollerApp.inject({
      method: 'GET',
      url: '/admin/dead-letters?code=UNKNOWN_AGENCY',
      headers: auth,
    });
    expect(listed.json()).toMatchObject({
      count: 1,
      deadLetters: [
        { ref: expect.stringMatching(/^primero-poller\//) as unknown, kind: 'record', replayable: true },
      ],
    });
    const replayed = await pollerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { case: 'rrrr004' },
    });
    expect(replayed.json()).toMatchObject({ count: 1, outcomes: [{ outcome: 'reread' }] });
    expect(await pollerDb.selectFrom('cursor').select('value').execute()).toEqual([
      { value: '2026-12-01T10:00:00.000Z' },
    ]);
    expect(await pollerDb.selectFrom('rejected_records').selectAll().execute()).toEqual([]);
    const again = await pollerApp.inject({
      method: 'POST',
      url: '/admin/dead-letters/replay',
      headers: auth,
      payload: { all: true },
    });
    expect(again.json()).toMatchObject({ count: 0 });
  });
});
