import type { ReferralDecision } from '@pos/contracts';
import { buildReferralDecision } from '@pos/contracts/test-builders';
import { connectBroker, createDb, createLogger, createPool } from '@pos/runtime';
import { checkLeaks, eventually, useTestDatabase, useTestVhost } from '@pos/testkit';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  type Consumer,
  consumerTopology,
  type Handlers,
  type InboxDatabase,
  inboxMigrations,
  migrateSchema,
  newEventId,
  partitionedRoutingKey,
  partitionOf,
  RetryableError,
  retryBacklog,
  scheduleRetry,
  startConsumer,
  startRetryPump,
} from '../src/index.ts';

// What lost updates under faults: retries that waited in the broker and were dropped when they could not
// be routed back, a decision on one referral taken as "stale" because another referral of the same case
// was applied meanwhile, and restarts of our own servers spending a message's attempts.

const logger = createLogger({ service: 'no-loss-test', level: 'silent' });

function decision(caseId: string, oscarReferralId: number): ReferralDecision {
  const event = buildReferralDecision();
  event.metadata.eventId = newEventId();
  event.metadata.correlationId = event.metadata.eventId;
  event.metadata.subject = `oscar:${caseId}`;
  event.data.referral.caseId = caseId;
  event.data.referral.oscarReferralId = oscarReferralId;
  return event;
}

describe('nothing is lost on the way through the writer', () => {
  const database = useTestDatabase('no-loss');
  const vhost = useTestVhost('no-loss');
  checkLeaks({ scope: 'file' });

  let pool: pg.Pool;
  let db: Kysely<InboxDatabase>;
  let broker: Awaited<ReturnType<typeof connectBroker>>;
  let consumer: Consumer | undefined;
  const topology = consumerTopology('loss-writer', 'oscar', 2);
  const seen: Array<{ referral: number | null; attempt: number }> = [];
  let behaviour: (event: ReferralDecision, attempt: number) => Promise<'applied'> = async () => 'applied';

  const handlers: Handlers = {
    'oscar.referral.decided': async (event, ctx) => {
      seen.push({ referral: event.data.referral.oscarReferralId, attempt: ctx.attempt });
      return behaviour(event, ctx.attempt);
    },
  };

  const publish = async (events: ReferralDecision[]) => {
    const ch = await broker.connection.createConfirmChannel();
    for (const event of events) {
      const key = partitionedRoutingKey(
        'oscar.referral.decided',
        partitionOf(event.metadata.subject, topology.partitions),
      );
      ch.publish('sync.events', key, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        messageId: event.metadata.eventId,
        type: 'oscar.referral.decided',
        headers: { 'x-subject': event.metadata.subject },
      });
    }
    await ch.waitForConfirms();
    await ch.close();
  };

  beforeAll(async () => {
    pool = createPool(database.url, { applicationName: 'no-loss-test' });
    await migrateSchema(createDb<unknown>(pool), 'writer', inboxMigrations());
    db = createDb<InboxDatabase>(pool).withSchema('writer');
    broker = await connectBroker(vhost.url, { logger, name: 'no-loss-test' });
    consumer = await startConsumer({
      connection: broker.connection,
      db,
      topology,
      handlers,
      logger,
      service: 'loss-writer',
      retryPolicy: { maxAttempts: 4, tiersMs: [200, 400], jitter: 0 },
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await broker?.close();
    await pool?.end();
  });

  it('applies a decision on one referral after a retry, although a later decision on another referral of the same case was applied meanwhile', async () => {
    seen.length = 0;
    behaviour = async (event, attempt) => {
      if (event.data.referral.oscarReferralId === 101 && attempt === 1) {
        throw new RetryableError('SERVER_ERROR', 'Primero answered 503');
      }
      return 'applied';
    };
    await publish([decision('case-a', 101), decision('case-a', 102)]);
    // Inbox rows are written after the handler returns: wait for both, not for the handler.
    const inboxRows = () =>
      db.selectFrom('inbox').select('outcome').where('subject', '=', 'oscar:case-a').execute();
    await eventually(async () => (await inboxRows()).length === 2);
    expect(seen).toEqual([
      { referral: 101, attempt: 1 },
      { referral: 102, attempt: 1 },
      { referral: 101, attempt: 2 },
    ]);
    expect((await inboxRows()).map((o) => o.outcome).sort()).toEqual(['applied', 'applied']);
  });

  it('still drops an older decision on the same referral once a newer one was applied', async () => {
    seen.length = 0;
    behaviour = async () => 'applied';
    const older = decision('case-b', 201);
    const newer = decision('case-b', 201);
    await publish([newer]);
    // Applied means recorded: the inbox row (and the high-water mark with it) follows the handler.
    await eventually(
      async () =>
        (await db.selectFrom('inbox').select('outcome').where('subject', '=', 'oscar:case-b').execute())
          .length === 1,
    );
    await publish([older]);
    await eventually(async () => (consumer?.stats().stale ?? 0) >= 1);
    expect(seen).toEqual([{ referral: 201, attempt: 1 }]);
  });

  it('spends no attempt and schedules no retry when our own database fails while handling, and handles the message again', async () => {
    seen.length = 0;
    let failures = 0;
    behaviour = async () => {
      if (failures < 3) {
        failures += 1;
        throw Object.assign(new Error('terminating connection due to administrator command'), {
          code: '57P01',
        });
      }
      return 'applied';
    };
    const retriedBefore = consumer?.stats().retried ?? 0;
    await publish([decision('case-c', 301)]);
    await eventually(() => seen.length === 4);
    expect(seen.map((s) => s.attempt)).toEqual([1, 1, 1, 1]);
    expect(consumer?.stats().retried ?? 0).toBe(retriedBefore);
    expect((await retryBacklog(db)).waiting).toBe(0);
  });

  it('keeps a due retry in Postgres while its partition queue cannot be routed to, and delivers it once it can', async () => {
    const lonely = consumerTopology('lonely-writer', 'oscar', 1);
    const queue = lonely.partitionQueues[0] ?? 'lonely-writer.p0';
    const ch = await broker.connection.createChannel();
    await ch.assertExchange(lonely.requeueExchange, 'direct', { durable: true });
    await scheduleRetry(db, {
      eventId: newEventId(),
      queue,
      content: Buffer.from('{"retried":true}'),
      properties: { headers: { 'x-attempt': 2 }, messageId: 'm-1' },
      attempt: 2,
      dueAt: new Date(Date.now() - 1_000),
    });
    const stopping = new AbortController();
    const pump = startRetryPump({
      db,
      connection: broker.connection,
      topology: lonely,
      logger,
      signal: stopping.signal,
      sweepIntervalMs: 100,
    });
    try {
      // No queue is bound: the publish comes back unroutable and the row stays.
      await expect(pump.flush()).rejects.toThrow(/unroutable/);
      expect((await retryBacklog(db)).waiting).toBe(1);

      await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await ch.bindQueue(queue, lonely.requeueExchange, queue);
      await eventually(async () => (await retryBacklog(db)).waiting === 0);
      const message = await ch.get(queue, { noAck: true });
      expect(message && message.content.toString()).toBe('{"retried":true}');
      expect(message && (message.properties.headers as Record<string, unknown>)['x-attempt']).toBe(2);
    } finally {
      stopping.abort();
      await pump.close();
      await ch.deleteQueue(queue).catch(() => undefined);
      await ch.close();
    }
  });

  it('keeps a scheduled retry across a stop of the writer and delivers it to the next one', async () => {
    seen.length = 0;
    let calls = 0;
    behaviour = async () => {
      calls += 1;
      if (calls === 1) throw new RetryableError('SERVER_ERROR', 'Primero answered 503');
      return 'applied';
    };
    await publish([decision('case-d', 401)]);
    await eventually(async () => (await retryBacklog(db)).waiting === 1);
    await consumer?.stop();
    consumer = await startConsumer({
      connection: broker.connection,
      db,
      topology,
      handlers,
      logger,
      service: 'loss-writer',
      retryPolicy: { maxAttempts: 4, tiersMs: [200, 400], jitter: 0 },
    });
    await eventually(() => seen.length === 2);
    expect(seen).toEqual([
      { referral: 401, attempt: 1 },
      { referral: 401, attempt: 2 },
    ]);
    expect((await retryBacklog(db)).waiting).toBe(0);
  });

  it('brings a retry waiting in the long backoff forward once the upstream answers again', async () => {
    // Its own source, so the other consumer of this file (bound to oscar.*) never sees these messages.
    const quick = consumerTopology('expedite-writer', 'primero', 1);
    const handled: Array<{ referral: number | null; attempt: number }> = [];
    const expediting = await startConsumer({
      connection: broker.connection,
      db,
      topology: quick,
      logger,
      service: 'expedite-writer',
      // One long tier: without the upstream answering again, the retry would wait ten minutes.
      retryPolicy: { maxAttempts: 4, tiersMs: [600_000], jitter: 0 },
      handlers: {
        'primero.referral.decided': async (event, ctx) => {
          handled.push({ referral: event.data.referral.oscarReferralId, attempt: ctx.attempt });
          if (event.data.referral.oscarReferralId === 501 && ctx.attempt === 1) {
            throw new RetryableError('SERVER_ERROR', 'Primero answered 503');
          }
          return 'applied';
        },
      },
    });
    try {
      const ch = await broker.connection.createConfirmChannel();
      const send = (event: ReferralDecision) =>
        ch.publish('sync.events', 'primero.referral.decided.0', Buffer.from(JSON.stringify(event)), {
          persistent: true,
          messageId: event.metadata.eventId,
          type: 'primero.referral.decided',
          headers: { 'x-subject': event.metadata.subject },
        });
      send(decision('case-e', 501));
      await ch.waitForConfirms();
      await eventually(
        async () =>
          (await db.selectFrom('retries').where('queue', '=', 'expedite-writer.p0').select('id').execute())
            .length === 1,
      );
      send(decision('case-f', 502));
      await ch.waitForConfirms();
      await ch.close();
      await eventually(() => handled.some((h) => h.referral === 501 && h.attempt === 2), {
        timeoutMs: 10_000,
      });
    } finally {
      await expediting.stop();
    }
  });

  it('ends its waits at once when the shutdown signal aborts', async () => {
    const stopping = new AbortController();
    const pump = startRetryPump({
      db,
      connection: broker.connection,
      topology,
      logger,
      signal: stopping.signal,
      sweepIntervalMs: 60_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    stopping.abort();
    await pump.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
