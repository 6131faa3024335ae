import type { EventEmitter } from 'node:events';

import type { CaseChanged } from '@pos/contracts';
import { buildCaseChanged } from '@pos/contracts/test-builders';
import { connectBroker, createDb, createLogger, createPool } from '@pos/runtime';
import { checkLeaks, eventually, management, useTestDatabase, useTestVhost } from '@pos/testkit';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';

import {
  type Consumer,
  consumerTopology,
  countUnpublished,
  eventsExchange,
  type Handlers,
  type InboxDatabase,
  inboxMigrations,
  insertOutbox,
  migrateSchema,
  newEventId,
  type OutboxDatabase,
  outboxMigrations,
  PermanentError,
  pruneInbox,
  pruneOutbox,
  type Relay,
  RetryableError,
  startConsumer,
  startRelay,
} from '../src/index.ts';

const logger = createLogger({ service: 'messaging-test', level: 'silent' });

function caseEvent(caseId: string, marker: string): CaseChanged {
  const event = buildCaseChanged();
  event.metadata.eventId = newEventId();
  event.metadata.correlationId = event.metadata.eventId;
  event.metadata.subject = `primero:${caseId}`;
  event.data.ids.caseId = caseId;
  event.data.ids.mosvyNumber = marker;
  return event;
}

/** A pool on the test database with a poller schema (outbox) and a writer schema (inbox) migrated. */
async function openSchemas(databaseUrl: string, name: string) {
  const pool = createPool(databaseUrl, { applicationName: name });
  const db = createDb<unknown>(pool);
  await migrateSchema(db, 'poller', outboxMigrations());
  await migrateSchema(db, 'writer', inboxMigrations());
  return {
    pool,
    outboxDb: (db as Kysely<OutboxDatabase>).withSchema('poller'),
    inboxDb: (db as Kysely<InboxDatabase>).withSchema('writer'),
  };
}

/** Resolves at the emitter's next `event`; rejects when it has not come within `timeoutMs`. */
function nextEvent(emitter: EventEmitter, event: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onEvent = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, onEvent);
  });
}

describe('outbox → relay → partitions → consumer with inbox, retry and dead letters', () => {
  const database = useTestDatabase('messaging');
  const vhost = useTestVhost('messaging');
  checkLeaks({ scope: 'file' });

  let pool: pg.Pool;
  let outboxDb: Kysely<OutboxDatabase>;
  let inboxDb: Kysely<InboxDatabase>;
  let broker: Awaited<ReturnType<typeof connectBroker>>;
  let relay: Relay;
  let consumer: Consumer | undefined;
  const topology = consumerTopology('test-writer', 'primero', 3);
  const seen: Array<{ subject: string; marker: string | null; attempt: number }> = [];
  let behaviour: (event: CaseChanged, attempt: number) => Promise<'applied' | 'skipped'> = async () =>
    'applied';

  const handlers: Handlers = {
    'primero.case.changed': async (event, ctx) => {
      seen.push({
        subject: event.metadata.subject,
        marker: event.data.ids.mosvyNumber,
        attempt: ctx.attempt,
      });
      return behaviour(event, ctx.attempt);
    },
  };

  const emit = async (events: CaseChanged[]) => {
    await outboxDb.transaction().execute((trx) =>
      insertOutbox(
        trx,
        'poller',
        events.map((event) => ({ route: 'primero.case.changed' as const, event })),
      ),
    );
  };

  beforeAll(async () => {
    ({ pool, outboxDb, inboxDb } = await openSchemas(database.url, 'messaging-test'));
    broker = await connectBroker(vhost.url, { logger, name: 'messaging-test' });
    consumer = await startConsumer({
      connection: broker.connection,
      db: inboxDb,
      topology,
      handlers,
      logger,
      service: 'test-writer',
      retryPolicy: { maxAttempts: 3, tiersMs: [100, 200], jitter: 0.2 },
      limits: { deliveryLimit: 10, maxLength: 10_000 },
    });
    relay = await startRelay({
      db: outboxDb,
      pool,
      schema: 'poller',
      connection: broker.connection,
      partitions: 3,
      logger,
      sweepIntervalMs: 200,
    });
  });

  afterAll(async () => {
    await relay?.close();
    await consumer?.stop();
    await broker?.close();
    await pool?.end();
  });

  beforeEach(() => {
    seen.length = 0;
    behaviour = async () => 'applied';
  });

  it('publishes every outbox row after its confirm, keeps per-case order, and erases payloads once sent', async () => {
    const cases = ['c-1', 'c-2', 'c-3', 'c-4'];
    const events = Array.from({ length: 24 }, (_, i) => caseEvent(cases[i % 4] ?? 'c-1', String(i)));
    await emit(events);
    await eventually(() => seen.length === 24);
    for (const caseId of cases) {
      const markers = seen.filter((s) => s.subject === `primero:${caseId}`).map((s) => Number(s.marker));
      expect(markers).toEqual([...markers].sort((a, b) => a - b));
      expect(markers).toHaveLength(6);
    }
    expect(await countUnpublished(outboxDb)).toBe(0);
    const rows = await outboxDb.selectFrom('outbox').select(['payload', 'published_at']).execute();
    expect(rows.every((row) => row.payload === null && row.published_at !== null)).toBe(true);
  });

  it('acknowledges a redelivered or replayed event without a second effect', async () => {
    const event = caseEvent('dup-1', 'once');
    await emit([event]);
    await eventually(() => seen.length === 1);
    const ch = await broker.connection.createConfirmChannel();
    ch.publish(eventsExchange, 'primero.case.changed.0', Buffer.from(JSON.stringify(event)), {
      messageId: event.metadata.eventId,
      type: 'primero.case.changed',
      headers: { 'x-subject': event.metadata.subject },
    });
    ch.publish(eventsExchange, 'primero.case.changed.1', Buffer.from(JSON.stringify(event)), {
      messageId: event.metadata.eventId,
      type: 'primero.case.changed',
      headers: { 'x-subject': event.metadata.subject },
    });
    ch.publish(eventsExchange, 'primero.case.changed.2', Buffer.from(JSON.stringify(event)), {
      messageId: event.metadata.eventId,
      type: 'primero.case.changed',
      headers: { 'x-subject': event.metadata.subject },
    });
    await ch.waitForConfirms();
    await ch.close();
    await eventually(async () => (consumer?.stats().duplicate ?? 0) >= 3);
    expect(seen).toHaveLength(1);
  });

  it('drops an event older than one already applied for the same case', async () => {
    const older = caseEvent('stale-1', 'old');
    const newer = caseEvent('stale-1', 'new');
    await emit([newer]);
    await eventually(() => seen.length === 1);
    await emit([older]);
    await eventually(async () => (consumer?.stats().stale ?? 0) >= 1);
    expect(seen.map((s) => s.marker)).toEqual(['new']);
  });

  it('retries a transient failure with backoff, then applies it', async () => {
    behaviour = async (_event, attempt) => {
      if (attempt === 1) throw new RetryableError('SERVER_ERROR', 'OSCaR answered 503');
      return 'applied';
    };
    await emit([caseEvent('retry-1', 'r')]);
    // The inbox row is written after the handler returns: wait for it, not for the handler.
    const inbox = () =>
      inboxDb.selectFrom('inbox').select('outcome').where('subject', '=', 'primero:retry-1').execute();
    await eventually(async () => (await inbox()).length > 0);
    expect(seen.map((s) => s.attempt)).toEqual([1, 2]);
    expect(await inbox()).toEqual([{ outcome: 'applied' }]);
  });

  it('dead-letters a permanent failure at once with the reason, attempts and original routing, while other cases flow', async () => {
    behaviour = async (event) => {
      if (event.data.ids.caseId === 'bad-1')
        throw new PermanentError(
          'UNKNOWN_PROVINCE',
          'case bad-1 location_current: province "26" is not in provinces.csv',
        );
      return 'applied';
    };
    await emit([caseEvent('bad-1', 'x'), caseEvent('good-1', 'y'), caseEvent('good-2', 'z')]);
    await eventually(() => seen.length === 3);
    await eventually(
      async () =>
        (await inboxDb.selectFrom('dead_letters').selectAll().where('case_id', '=', 'bad-1').execute())
          .length === 1,
    );
    const [dead] = await inboxDb
      .selectFrom('dead_letters')
      .selectAll()
      .where('case_id', '=', 'bad-1')
      .execute();
    expect(dead).toMatchObject({
      code: 'UNKNOWN_PROVINCE',
      attempts: 1,
      subject: 'primero:bad-1',
    });
    expect(dead?.original_queue).toMatch(/^test-writer\.p\d$/);
    expect(dead?.reason).toContain('provinces.csv');
    expect(dead?.original_routing_key).toMatch(/^primero\.case\.changed\.\d$/);

    const ch = await broker.connection.createChannel();
    let message: Awaited<ReturnType<typeof ch.get>> = false;
    await eventually(async () => {
      message = await ch.get(topology.deadQueue, { noAck: true });
      return message !== false;
    });
    await ch.close();
    const headers = (message as unknown as { properties: { headers: Record<string, unknown> } }).properties
      .headers;
    expect(headers).toMatchObject({
      'x-dead-code': 'UNKNOWN_PROVINCE',
      'x-attempts': 1,
      'x-case-id': 'bad-1',
      'x-service': 'test-writer',
    });
    expect(String(headers['x-original-routing-key'])).toMatch(/^primero\.case\.changed\.\d$/);
  });

  it('dead-letters after the last attempt when the failure keeps coming back', async () => {
    behaviour = async () => {
      throw new RetryableError('TIMEOUT', 'OSCaR did not answer in time');
    };
    await emit([caseEvent('flaky-1', 'f')]);
    await eventually(
      async () =>
        (await inboxDb.selectFrom('dead_letters').selectAll().where('case_id', '=', 'flaky-1').execute())
          .length === 1,
    );
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    const [dead] = await inboxDb
      .selectFrom('dead_letters')
      .selectAll()
      .where('case_id', '=', 'flaky-1')
      .execute();
    expect(dead?.reason).toContain('gave up after 3 attempts');
  });

  it('dead-letters a malformed event naming the field, without calling the handler', async () => {
    const event = caseEvent('malformed-1', 'm');
    Object.assign(event.data.ids, { caseId: 42 });
    const ch = await broker.connection.createConfirmChannel();
    ch.publish(eventsExchange, 'primero.case.changed.0', Buffer.from(JSON.stringify(event)), {
      messageId: event.metadata.eventId,
      type: 'primero.case.changed',
      headers: { 'x-subject': event.metadata.subject },
    });
    await ch.waitForConfirms();
    await ch.close();
    await eventually(
      async () =>
        (
          await inboxDb
            .selectFrom('dead_letters')
            .selectAll()
            .where('subject', '=', 'primero:malformed-1')
            .execute()
        ).length === 1,
    );
    const [dead] = await inboxDb
      .selectFrom('dead_letters')
      .selectAll()
      .where('subject', '=', 'primero:malformed-1')
      .execute();
    expect(dead?.code).toBe('INVALID');
    expect(dead?.reason).toContain('data.ids.caseId');
    expect(seen).toHaveLength(0);
  });

  it('keeps consuming and publishing after the broker drops the connection', async () => {
    const url = inject('amqpManagementUrl');
    const path = `/api/vhosts/${encodeURIComponent(vhost.name)}/connections`;
    let connections: Array<{ name: string }> = [];
    await eventually(
      async () => {
        connections = (await management(url, 'GET', path)) as Array<{ name: string }>;
        return connections.length > 0;
      },
      { timeoutMs: 30_000 },
    );
    // Listen for the drop before causing it: the reconnect can follow so fast that polling
    // isConnected() would miss the moment it was down.
    const dropped = nextEvent(broker.connection, 'disconnect', 10_000);
    for (const connection of connections) {
      await management(
        inject('amqpManagementUrl'),
        'DELETE',
        `/api/connections/${encodeURIComponent(connection.name)}`,
      );
    }
    await dropped;
    await eventually(() => broker.isConnected());
    await emit([caseEvent('after-restart', 'a')]);
    await eventually(() => seen.some((s) => s.subject === 'primero:after-restart'), {
      timeoutMs: 30_000,
    });
  });
});

describe('relay safety', () => {
  const database = useTestDatabase('relay');
  const vhost = useTestVhost('relay');

  it('does not mark a row published when no queue is bound for its partition', async () => {
    const pool = createPool(database.url, { applicationName: 'relay-test' });
    const db = createDb<unknown>(pool);
    await migrateSchema(db, 'poller', outboxMigrations());
    const outboxDb = (db as Kysely<OutboxDatabase>).withSchema('poller');
    const broker = await connectBroker(vhost.url, { logger, name: 'relay-test' });
    const relay = await startRelay({
      db: outboxDb,
      pool,
      schema: 'poller',
      connection: broker.connection,
      partitions: 2,
      logger,
      sweepIntervalMs: 100,
    });
    try {
      await outboxDb
        .transaction()
        .execute((trx) =>
          insertOutbox(trx, 'poller', [
            { route: 'primero.case.changed', event: caseEvent('nobody-listens', 'n') },
          ]),
        );
      // A flush already under way may have read the outbox just before the row committed: flush until one sees it.
      let failure = '';
      await eventually(async () => {
        failure = await relay.flush().then(
          () => '',
          (error: unknown) => (error instanceof Error ? error.message : 'unknown'),
        );
        return failure !== '';
      });
      expect(failure).toMatch(/unroutable/);
      expect(await countUnpublished(outboxDb)).toBe(1);
    } finally {
      await relay.close();
      await broker.close();
      await pool.end();
    }
  });
});

describe('retention', () => {
  const database = useTestDatabase('retention');

  it('prunes published outbox rows and inbox rows past their retention, and nothing else', async () => {
    const { pool, outboxDb, inboxDb } = await openSchemas(database.url, 'retention-test');
    try {
      const now = new Date('2026-11-29T12:00:00.000Z');
      const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600_000);
      const row = (published: Date | null) => ({
        event_id: newEventId(),
        route: 'primero.case.changed',
        subject: 'primero:x',
        payload: published ? null : '{}',
        headers: '{}',
        published_at: published,
      });
      await outboxDb
        .insertInto('outbox')
        .values([row(daysAgo(8)), row(daysAgo(6)), row(null)])
        .execute();
      await inboxDb
        .insertInto('inbox')
        .values([
          { event_id: newEventId(), route: 'r', subject: 's', outcome: 'applied', processed_at: daysAgo(31) },
          { event_id: newEventId(), route: 'r', subject: 's', outcome: 'applied', processed_at: daysAgo(29) },
        ])
        .execute();
      expect(await pruneOutbox(outboxDb, now)).toBe(1);
      expect(await pruneInbox(inboxDb, now)).toBe(1);
      expect(await outboxDb.selectFrom('outbox').select('id').execute()).toHaveLength(2);
      expect(await countUnpublished(outboxDb)).toBe(1);
    } finally {
      await pool.end();
    }
  });
});

describe('several writer replicas', () => {
  const database = useTestDatabase('replicas');
  const vhost = useTestVhost('replicas');

  it('keeps per-case order: one active consumer per partition, the other replica takes over when it stops', async () => {
    const { pool, outboxDb, inboxDb } = await openSchemas(database.url, 'replicas-test');
    const broker = await connectBroker(vhost.url, { logger, name: 'replicas-test' });
    const topology = consumerTopology('replica-writer', 'primero', 2);
    const seen: Array<{ replica: string; subject: string; marker: number }> = [];
    const replica = (name: string) =>
      startConsumer({
        connection: broker.connection,
        db: inboxDb,
        topology,
        logger,
        service: name,
        handlers: {
          'primero.case.changed': async (event) => {
            await new Promise((resolve) => setTimeout(resolve, 2));
            seen.push({
              replica: name,
              subject: event.metadata.subject,
              marker: Number(event.data.ids.mosvyNumber),
            });
            return 'applied';
          },
        },
      });
    const first = await replica('a');
    const second = await replica('b');
    const relay = await startRelay({
      db: outboxDb,
      pool,
      schema: 'poller',
      connection: broker.connection,
      partitions: 2,
      logger,
      sweepIntervalMs: 100,
    });
    const emit = (events: CaseChanged[]) =>
      outboxDb.transaction().execute((trx) =>
        insertOutbox(
          trx,
          'poller',
          events.map((event) => ({ route: 'primero.case.changed' as const, event })),
        ),
      );
    try {
      const cases = ['r-1', 'r-2', 'r-3', 'r-4', 'r-5', 'r-6'];
      await emit(
        Array.from({ length: 60 }, (_, i) => caseEvent(cases[i % cases.length] ?? 'r-1', String(i))),
      );
      await eventually(() => seen.length === 60);
      for (const caseId of cases) {
        const handled = seen.filter((s) => s.subject === `primero:${caseId}`);
        expect(handled.map((s) => s.marker)).toEqual([...handled.map((s) => s.marker)].sort((a, b) => a - b));
        expect(new Set(handled.map((s) => s.replica)).size).toBe(1);
      }
      // The active replica stops; the other takes its partitions over, still in order.
      const active = seen[0]?.replica === 'a' ? first : second;
      await active.stop();
      seen.length = 0;
      await emit(
        Array.from({ length: 20 }, (_, i) => caseEvent(cases[i % cases.length] ?? 'r-1', String(100 + i))),
      );
      await eventually(() => seen.length === 20);
      for (const caseId of cases) {
        const handled = seen.filter((s) => s.subject === `primero:${caseId}`).map((s) => s.marker);
        expect(handled).toEqual([...handled].sort((a, b) => a - b));
      }
    } finally {
      await relay.close();
      await first.stop();
      await second.stop();
      await broker.close();
      await pool.end();
    }
  });
});

describe('when the writer’s own bookkeeping fails', () => {
  const database = useTestDatabase('bookkeeping');
  const vhost = useTestVhost('bookkeeping');

  it('returns the message to the queue instead of losing it, and the broker dead-letters it at the delivery limit', async () => {
    const pool = createPool(database.url, { applicationName: 'bookkeeping-test' });
    // A schema without the inbox tables: every bookkeeping query fails.
    const brokenDb = createDb<InboxDatabase>(pool).withSchema('missing');
    const broker = await connectBroker(vhost.url, { logger, name: 'bookkeeping-test' });
    const topology = consumerTopology('broken-writer', 'primero', 1);
    let handled = 0;
    const consumer = await startConsumer({
      connection: broker.connection,
      db: brokenDb,
      topology,
      logger,
      service: 'broken-writer',
      limits: { deliveryLimit: 3, maxLength: 1_000 },
      poisonDeliveryCount: 100,
      handlers: {
        'primero.case.changed': async () => {
          handled += 1;
          return 'applied';
        },
      },
    });
    try {
      const event = caseEvent('kept-1', 'k');
      const ch = await broker.connection.createConfirmChannel();
      ch.publish(eventsExchange, 'primero.case.changed.0', Buffer.from(JSON.stringify(event)), {
        messageId: event.metadata.eventId,
        type: 'primero.case.changed',
        headers: { 'x-subject': event.metadata.subject },
      });
      await ch.waitForConfirms();
      let dead: Awaited<ReturnType<typeof ch.get>> = false;
      await eventually(
        async () => {
          dead = await ch.get(topology.deadQueue, { noAck: true });
          return dead !== false;
        },
        { timeoutMs: 30_000 },
      );
      await ch.close();
      const deadMessage = dead as unknown as { properties: { messageId: string } };
      expect(deadMessage.properties.messageId).toBe(event.metadata.eventId);
      expect(handled).toBe(0);
    } finally {
      await consumer.stop();
      await broker.close();
      await pool.end();
    }
  });
});
