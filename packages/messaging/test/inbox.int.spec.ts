import type { CaseChanged } from '@pos/contracts';
import { buildCaseChanged } from '@pos/contracts/test-builders';
import { connectBroker, createDb, createLogger, createPool } from '@pos/runtime';
import { checkLeaks, eventually, useTestDatabase, useTestVhost } from '@pos/testkit';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordInbox } from '../src/inbox.repository.ts';
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
  startConsumer,
} from '../src/index.ts';

// The inbox's bookkeeping against real Postgres: what `recordInbox` does to the high-water mark, and how
// many statements the consumer sends per message (each one a round trip the writer waits for).

const logger = createLogger({ service: 'inbox-test', level: 'silent' });

function caseEvent(caseId: string, eventId = newEventId()): CaseChanged {
  const event = buildCaseChanged();
  event.metadata.eventId = eventId;
  event.metadata.correlationId = eventId;
  event.metadata.subject = `primero:${caseId}`;
  event.data.ids.caseId = caseId;
  return event;
}

const touchesInbox = (text: string) => /\b(inbox|subject_progress)\b/.test(text);

/**
 * Counts the statements a pool's clients send that touch the inbox tables, with the `begin` and `commit`
 * of any transaction holding one of them; the retry pump's statements and transactions are left out.
 */
function countInboxStatements(pool: pg.Pool) {
  const statements: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    let transaction: string[] | null = null;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      const text = (typeof first === 'string' ? first : String((first as { text?: unknown }).text))
        .trim()
        .toLowerCase();
      if (text === 'begin') transaction = [text];
      else if (transaction) {
        transaction.push(text);
        if (text === 'commit' || text === 'rollback') {
          if (transaction.some(touchesInbox)) statements.push(...transaction);
          transaction = null;
        }
      } else if (touchesInbox(text) && !text.startsWith('delete')) {
        // (the consumer's hourly pruning of old inbox rows is not per message)
        statements.push(text);
      }
      return query(...args);
    };
  });
  return {
    /** The statements' first words since the last call. */
    take: () => statements.splice(0).map((text) => text.split(/\s/)[0] ?? ''),
  };
}

describe('the inbox', () => {
  const database = useTestDatabase('inbox');
  const vhost = useTestVhost('inbox');
  checkLeaks({ scope: 'file' });

  let pool: pg.Pool;
  let consumerPool: pg.Pool;
  let db: Kysely<InboxDatabase>;
  let broker: Awaited<ReturnType<typeof connectBroker>>;
  let consumer: Consumer | undefined;
  let counted: ReturnType<typeof countInboxStatements>;
  const topology = consumerTopology('inbox-writer', 'primero', 2);
  const handled: string[] = [];

  const handlers: Handlers = {
    'primero.case.changed': async (event) => {
      handled.push(event.metadata.eventId);
      return 'applied';
    },
  };

  const publish = async (event: CaseChanged) => {
    const ch = await broker.connection.createConfirmChannel();
    const key = partitionedRoutingKey(
      'primero.case.changed',
      partitionOf(event.metadata.subject, topology.partitions),
    );
    ch.publish('sync.events', key, Buffer.from(JSON.stringify(event)), {
      persistent: true,
      messageId: event.metadata.eventId,
      type: 'primero.case.changed',
      headers: { 'x-subject': event.metadata.subject },
    });
    await ch.waitForConfirms();
    await ch.close();
  };

  const progressOf = async (subject: string) =>
    (
      await db
        .selectFrom('subject_progress')
        .select('last_event_id')
        .where('subject', '=', subject)
        .executeTakeFirst()
    )?.last_event_id ?? null;

  const outcomeOf = async (eventId: string) =>
    (await db.selectFrom('inbox').select('outcome').where('event_id', '=', eventId).executeTakeFirst())
      ?.outcome ?? null;

  beforeAll(async () => {
    pool = createPool(database.url, { applicationName: 'inbox-test' });
    await migrateSchema(createDb<unknown>(pool), 'writer', inboxMigrations());
    db = createDb<InboxDatabase>(pool).withSchema('writer');
    consumerPool = createPool(database.url, { applicationName: 'inbox-test-consumer' });
    counted = countInboxStatements(consumerPool);
    broker = await connectBroker(vhost.url, { logger, name: 'inbox-test' });
    consumer = await startConsumer({
      connection: broker.connection,
      db: createDb<InboxDatabase>(consumerPool).withSchema('writer'),
      topology,
      handlers,
      logger,
      service: 'inbox-writer',
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await broker?.close();
    await consumerPool?.end();
    await pool?.end();
  });

  const entry = (eventId: string, subject: string, advance: boolean) => ({
    eventId,
    route: 'primero.case.changed',
    subject,
    progressKey: 'primero.case.changed',
    outcome: advance ? ('applied' as const) : ('stale' as const),
    advance,
  });

  it('moves the high-water mark forward and never back', async () => {
    const [first, second, third] = [newEventId(), newEventId(), newEventId()];
    await recordInbox(db, entry(second, 'primero:mark', true));
    expect(await progressOf('primero:mark')).toBe(second);
    await recordInbox(db, entry(first, 'primero:mark', true));
    expect(await progressOf('primero:mark')).toBe(second);
    await recordInbox(db, entry(third, 'primero:mark', true));
    expect(await progressOf('primero:mark')).toBe(third);
    expect([await outcomeOf(first), await outcomeOf(second), await outcomeOf(third)]).toEqual([
      'applied',
      'applied',
      'applied',
    ]);
  });

  it('leaves the high-water mark alone when not advancing', async () => {
    const [older, newer] = [newEventId(), newEventId()];
    await recordInbox(db, entry(older, 'primero:still', true));
    await recordInbox(db, entry(newer, 'primero:still', false));
    expect(await progressOf('primero:still')).toBe(older);
    expect(await outcomeOf(newer)).toBe('stale');
    await recordInbox(db, entry(newEventId(), 'primero:none', false));
    expect(await progressOf('primero:none')).toBeNull();
  });

  it('keeps the first outcome of an event recorded twice', async () => {
    const id = newEventId();
    await recordInbox(db, { ...entry(id, 'primero:twice', true), outcome: 'skipped' });
    await recordInbox(db, entry(id, 'primero:twice', true));
    expect(await outcomeOf(id)).toBe('skipped');
    expect(await progressOf('primero:twice')).toBe(id);
  });

  it('records neither the outcome nor the progress when one of the two fails', async () => {
    await sql`alter table writer.subject_progress add constraint refuses_test check (subject <> 'primero:refused')`.execute(
      db,
    );
    try {
      const id = newEventId();
      await expect(recordInbox(db, entry(id, 'primero:refused', true))).rejects.toThrow(/refuses_test/);
      expect(await outcomeOf(id)).toBeNull();
    } finally {
      await sql`alter table writer.subject_progress drop constraint refuses_test`.execute(db);
    }
  });

  it('sends two statements for a handled message, one for a duplicate and two for a stale one', async () => {
    const older = caseEvent('counted');
    const newer = caseEvent('counted');
    counted.take();

    await publish(newer);
    await eventually(async () => (await outcomeOf(newer.metadata.eventId)) !== null);
    expect(counted.take()).toEqual(['select', 'with']);

    await publish(newer);
    await eventually(() => (consumer?.stats().duplicate ?? 0) >= 1);
    expect(counted.take()).toEqual(['select']);

    await publish(older);
    await eventually(async () => (await outcomeOf(older.metadata.eventId)) === 'stale');
    expect(counted.take()).toEqual(['select', 'insert']);

    expect(handled).toEqual([newer.metadata.eventId]);
    expect(await progressOf('primero:counted')).toBe(newer.metadata.eventId);
  });
});
