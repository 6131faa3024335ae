import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { buildCaseChanged } from '@pos/contracts/test-builders';
import {
  connectBroker,
  createDb,
  createLogger,
  createPool,
  startTelemetry,
  type Telemetry,
} from '@pos/runtime';
import { useTestDatabase, useTestVhost } from '@pos/testkit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  consumerTopology,
  type InboxDatabase,
  inboxMigrations,
  migrateSchema,
  newEventId,
  outboxMigrations,
  type PollerStateDatabase,
  pollerStateMigrations,
  startConsumer,
  startPollBatch,
  startRelay,
} from '../src/index.ts';

describe('trace context from poll to handler', () => {
  const database = useTestDatabase('tracing');
  const vhost = useTestVhost('tracing');
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(() => {
    telemetry = startTelemetry({
      service: 'tracing-test',
      otlpEndpoint: '',
      extraProcessors: [new SimpleSpanProcessor({ exporter })],
    });
  });

  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('stores W3C trace context with the outbox row, carries it in AMQP headers, and continues the trace in the writer', async () => {
    const logger = createLogger({ service: 'tracing-test', level: 'silent' });
    const pool = createPool(database.url, { applicationName: 'tracing-test' });
    const root = createDb<unknown>(pool);
    await migrateSchema(root, 'poller', { ...outboxMigrations(), ...pollerStateMigrations() });
    await migrateSchema(root, 'writer', inboxMigrations());
    const pollerDb = (root as Kysely<PollerStateDatabase>).withSchema('poller');
    const broker = await connectBroker(vhost.url, { logger, name: 'tracing-test' });
    let handlerTraceId: string | undefined;
    const consumer = await startConsumer({
      connection: broker.connection,
      db: (root as Kysely<InboxDatabase>).withSchema('writer'),
      topology: consumerTopology('trace-writer', 'primero', 2),
      service: 'trace-writer',
      logger,
      handlers: {
        'primero.case.changed': async () => {
          handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
          return 'applied';
        },
      },
    });
    const relay = await startRelay({
      db: pollerDb,
      pool,
      schema: 'poller',
      connection: broker.connection,
      partitions: 2,
      logger,
      sweepIntervalMs: 100,
    });
    try {
      const event = buildCaseChanged();
      const batch = startPollBatch({
        db: pollerDb,
        schema: 'poller',
        source: 'primero',
        deadLetters: { publish: async () => {}, close: async () => {} },
        logger,
        now: () => new Date(),
        fingerprintText: (data) => JSON.stringify(data),
      });
      const { fingerprint: _fingerprint, ...content } = event.data;
      batch.caseChanged(`primero:${newEventId()}`, content);
      expect(await batch.commit()).toBe(1);

      const [row] = await pollerDb.selectFrom('outbox').select('headers').execute();
      const traceparent = row?.headers.traceparent ?? '';
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

      const deadline = Date.now() + 10_000;
      while (handlerTraceId === undefined && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(handlerTraceId).toBe(traceparent.split('-')[1]);
      const names = exporter.getFinishedSpans().map((span) => span.name);
      expect(names).toEqual(
        expect.arrayContaining(['emit primero.case.changed', 'process primero.case.changed']),
      );
      const processSpan = exporter
        .getFinishedSpans()
        .find((span) => span.name === 'process primero.case.changed');
      expect(JSON.stringify(processSpan?.attributes)).not.toContain('Sokha');
    } finally {
      await relay.close();
      await consumer.stop();
      await broker.close();
      await pool.end();
    }
  });
});
