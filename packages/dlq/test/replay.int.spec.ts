import { randomBytes } from 'node:crypto';

import type { CaseChanged } from '@pos/contracts';
import { buildCaseChanged } from '@pos/contracts/test-builders';
import {
  type Consumer,
  consumerTopology,
  type DeadLetterAdminDatabase,
  type Handlers,
  type InboxDatabase,
  inboxMigrations,
  listDeadLetters,
  migrateSchema,
  newEventId,
  partitionedRoutingKey,
  partitionOf,
  payloadCipher,
  PermanentError,
  replayDeadLetters,
  showDeadLetter,
  startConsumer,
} from '@pos/messaging';
import { connectBroker, createDb, createLogger, createPool } from '@pos/runtime';
import { checkLeaks, eventually, useTestDatabase, useTestVhost } from '@pos/testkit';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const logger = createLogger({ service: 'dlq-test', level: 'silent' });
const cipher = payloadCipher(randomBytes(32).toString('base64'));

/** These waits are for many messages at once: longer, and asked less often. */
const settled = (check: () => Promise<boolean> | boolean) =>
  eventually(check, { timeoutMs: 30_000, intervalMs: 100 });

describe('dead letters: one record, sealed events, replay in per-case order', () => {
  const database = useTestDatabase('dlq');
  const vhost = useTestVhost('dlq');
  checkLeaks({ scope: 'file' });

  let pool: pg.Pool;
  let db: Kysely<InboxDatabase>;
  let broker: Awaited<ReturnType<typeof connectBroker>>;
  let consumer: Consumer | undefined;
  const topology = consumerTopology('dlq-writer', 'primero', 4);
  let failing = true;
  const applied: Array<{ subject: string; marker: number }> = [];

  const handlers: Handlers = {
    'primero.case.changed': async (event: CaseChanged) => {
      if (failing)
        throw new PermanentError(
          'UNKNOWN_PROVINCE',
          `case ${event.data.ids.caseId ?? '?'}: province not in provinces.csv`,
        );
      applied.push({ subject: event.metadata.subject, marker: Number(event.data.ids.mosvyNumber) });
      return 'applied';
    },
  };

  beforeAll(async () => {
    pool = createPool(database.url, { applicationName: 'dlq-test' });
    await migrateSchema(createDb<unknown>(pool), 'writer', inboxMigrations());
    db = createDb<InboxDatabase>(pool).withSchema('writer');
    broker = await connectBroker(vhost.url, { logger, name: 'dlq-test' });
    consumer = await startConsumer({
      connection: broker.connection,
      db,
      topology,
      handlers,
      logger,
      service: 'dlq-writer',
      cipher,
      mappingVersion: '2026-11-29.1',
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await broker?.close();
    await pool?.end();
  });

  it('keeps 500 dead-lettered events sealed, then replays them with each case’s events in their order, and a second replay has no effect', async () => {
    const cases = 50;
    const perCase = 10;
    const ch = await broker.connection.createConfirmChannel();
    for (let n = 0; n < perCase; n += 1) {
      for (let c = 0; c < cases; c += 1) {
        const event = buildCaseChanged();
        event.metadata.eventId = newEventId();
        event.metadata.subject = `primero:case-${c}`;
        event.data.ids.caseId = `case-${c}`;
        event.data.ids.mosvyNumber = String(n);
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
    }
    await ch.waitForConfirms();
    await ch.close();
    const admin = db as unknown as Kysely<DeadLetterAdminDatabase>;
    await settled(async () => (await listDeadLetters(admin, {})).length === cases * perCase);

    // Sealed at rest: the stored bytes do not contain the child's name; the key opens them.
    const [first] = await listDeadLetters(admin, { caseId: 'case-0' });
    expect(first).toMatchObject({
      code: 'UNKNOWN_PROVINCE',
      mappingVersion: '2026-11-29.1',
      replayable: true,
    });
    const raw = await db
      .selectFrom('dead_letters')
      .select('payload_sealed')
      .where('id', '=', first?.id ?? '')
      .executeTakeFirstOrThrow();
    expect(raw.payload_sealed?.toString('utf8')).not.toContain('Sokha');
    const detail = await showDeadLetter(admin, first?.id ?? '', { payload: true, cipher });
    expect(JSON.stringify(detail?.payload)).toContain('Sokha');

    // The table is fixed: replay everything.
    failing = false;
    const dry = await replayDeadLetters(admin, {}, { actor: 'test', dryRun: true, cipher });
    expect(dry.every((o) => o.outcome === 'would-queue')).toBe(true);
    expect(applied).toHaveLength(0);
    const outcomes = await replayDeadLetters(admin, {}, { actor: 'test', cipher });
    expect(outcomes.filter((o) => o.outcome === 'queued')).toHaveLength(cases * perCase);
    await settled(() => applied.length === cases * perCase);
    for (let c = 0; c < cases; c += 1) {
      const order = applied.filter((a) => a.subject === `primero:case-${c}`).map((a) => a.marker);
      expect(order).toEqual([...Array(perCase).keys()]);
    }
    const actions = await db
      .selectFrom('dead_letter_actions')
      .selectAll()
      .where('action', '=', 'replay')
      .execute();
    expect(actions).toHaveLength(cases * perCase);
    expect(actions[0]).toMatchObject({ actor: 'test', outcome: 'queued' });

    // Again: nothing is open any more, so nothing is sent.
    expect(await replayDeadLetters(admin, {}, { actor: 'test', cipher })).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(applied).toHaveLength(cases * perCase);
  });
});
