import { setTimeout as sleep } from 'node:timers/promises';

import { context, trace } from '@opentelemetry/api';
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

/** Polls `read` until it gives a value; fails naming `what` when the deadline passes first. */
async function waitFor<T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(50);
  }
}

describe('trace context from poll to handler', () => {
  const database = useTestDatabase('tracing');
  const vhost = useTestVhost('tracing');
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(() => {
    // Without instrumentations: pg and amqplib are loaded already (the services' own start is in tracing.e2e).
    telemetry = startTelemetry({
      service: 'tracing-test',
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
      instrument: false,
    });
  });

  afterAll(async () => {
    await telemetry.shutdown();
  });

  it('stores W3C trace context with the outbox row, carries it in AMQP headers, and continues the trace in the writer', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      service: 'tracing-test',
      level: 'info',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
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
        'primero.case.changed': async (_event, { logger: handlerLogger }) => {
          handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
          handlerLogger.info('handler ran');
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
      // Committed inside a poll's span, as the poll loop does.
      const poll = trace.getTracer('tracing-test').startSpan('poll', { root: true });
      expect(await context.with(trace.setSpan(context.active(), poll), () => batch.commit())).toBe(1);
      poll.end();

      const [row] = await pollerDb.selectFrom('outbox').select('headers').execute();
      const traceparent = row?.headers.traceparent ?? '';
      expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

      const traceId = traceparent.split('-')[1];
      expect(await waitFor(() => handlerTraceId, 'the handler to run')).toBe(traceId);
      // The writer's span ends after the handler returns (inbox, ack): wait for it rather than race it.
      const { emitSpan, processSpan } = await waitFor(() => {
        const finished = exporter.getFinishedSpans();
        const emitSpan = finished.find((span) => span.name === 'emit primero.case.changed');
        const processSpan = finished.find((span) => span.name === 'process primero.case.changed');
        return emitSpan && processSpan ? { emitSpan, processSpan } : undefined;
      }, 'the emit and process spans to end');
      expect(emitSpan.spanContext().traceId).toBe(traceId);
      expect(processSpan.spanContext().traceId).toBe(traceId);
      // One trace per change: the emit span is its root, linked to the poll (a trace of its own).
      expect(emitSpan.parentSpanContext).toBeUndefined();
      expect(traceId).not.toBe(poll.spanContext().traceId);
      expect(emitSpan.links.map((link) => link.context.spanId)).toEqual([poll.spanContext().spanId]);
      expect(processSpan.parentSpanContext?.spanId).toBe(emitSpan.spanContext().spanId);
      expect(processSpan.attributes['sync.case_id']).toBe(event.data.ids.caseId);
      expect(JSON.stringify(processSpan.attributes)).not.toContain('Sokha');
      // Log lines inside a traced operation carry its ids.
      expect(lines.find((line) => line.msg === 'event emitted')).toMatchObject({
        trace_id: traceId,
        span_id: emitSpan.spanContext().spanId,
      });
      expect(lines.find((line) => line.msg === 'handler ran')).toMatchObject({
        trace_id: traceId,
        span_id: processSpan.spanContext().spanId,
      });
    } finally {
      await relay.close();
      await consumer.stop();
      await broker.close();
      await pool.end();
    }
  });
});
