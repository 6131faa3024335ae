import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { BacklogReadings, HandlingOutcome, PollerMetrics, WriterMetrics } from './metrics.ts';

export type { Registry } from 'prom-client';

/**
 * The Prometheus side of the metrics ports (`metrics.ts`). `main.ts` makes one registry per process
 * (`createMetricsRegistry`), hands the poller's or writer's metrics and the upstream observer to the
 * plumbing and clients, and the registry to `buildApp`, which serves it on `GET /metrics`. Nothing here is
 * global: two registries never share a metric. Every metric is documented in docs/metrics.md (a test
 * fails when one is not); label values are codes, routes and path templates only, never ids.
 */
export function createMetricsRegistry(service: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

/** `GET /metrics` in the Prometheus text format. Open, like health: see docs/metrics.md. */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get('/metrics', { logLevel: 'silent' }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
}

const pollBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
const upstreamBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A poller's metrics: polls, records, the outbox and its relay, cursors and dead letters. */
export function pollerMetrics(
  registry: Registry,
  options: { intervalMs: number; now?: () => number },
): PollerMetrics {
  const now = options.now ?? Date.now;
  const shared = sharedMetrics(registry);
  const duration = new Histogram({
    name: 'sync_poll_duration_seconds',
    help: 'Duration of each poll of the upstream, by outcome (success or failure)',
    labelNames: ['outcome'],
    buckets: pollBuckets,
    registers: [registry],
  });
  new Gauge({
    name: 'sync_poll_interval_seconds',
    help: 'Configured time between polls (POLL_INTERVAL_MS)',
    registers: [registry],
  }).set(options.intervalMs / 1000);
  const startedAt = now();
  let lastSuccessAt: number | null = null;
  const lag: Gauge = new Gauge({
    name: 'sync_poll_lag_seconds',
    help: 'Seconds since the last successful poll (since the process started, before the first one)',
    registers: [registry],
    collect: () => lag.set((now() - (lastSuccessAt ?? startedAt)) / 1000),
  });
  const records = {
    read: counter(
      registry,
      'sync_poll_records_read_total',
      'Records read from the upstream by successful polls',
    ),
    emitted: counter(
      registry,
      'sync_poll_records_emitted_total',
      'Events written to the outbox by successful polls (records whose content changed)',
    ),
    rejected: counter(
      registry,
      'sync_poll_records_rejected_total',
      'Records rejected as malformed by successful polls (each new rejection is dead-lettered)',
    ),
  };
  const published = counter(
    registry,
    'sync_outbox_published_total',
    'Outbox events published to RabbitMQ and confirmed by the broker',
  );
  const publishFailures = counter(
    registry,
    'sync_outbox_publish_failures_total',
    'Failed rounds of the outbox relay (broker or database away, unroutable event); each is retried',
  );
  const unpublished: Gauge = new Gauge({
    name: 'sync_outbox_unpublished',
    help: 'Outbox events not yet published (read from Postgres on each scrape)',
    registers: [registry],
    collect: async () => {
      const outbox = (await shared.read())?.outbox;
      if (outbox) unpublished.set(outbox.unpublished);
    },
  });
  const oldest: Gauge = new Gauge({
    name: 'sync_outbox_oldest_unpublished_age_seconds',
    help: 'Age of the oldest outbox event not yet published; 0 when none waits',
    registers: [registry],
    collect: async () => {
      const outbox = (await shared.read())?.outbox;
      if (!outbox) return;
      oldest.set(outbox.oldestCreatedAt ? Math.max(0, (now() - outbox.oldestCreatedAt.getTime()) / 1000) : 0);
    },
  });
  const cursorAge: Gauge<'cursor'> = new Gauge({
    name: 'sync_poll_cursor_age_seconds',
    help: "Age of the poller's cursor (Primero: the newest last_updated_at handled; OSCaR: the day polled from)",
    labelNames: ['cursor'],
    registers: [registry],
    collect: async () => {
      const cursors = (await shared.read())?.cursors;
      if (!cursors) return;
      cursorAge.reset();
      for (const { name, value } of cursors) {
        const at = Date.parse(value);
        if (!Number.isNaN(at)) cursorAge.set({ cursor: safeLabel(name) }, Math.max(0, (now() - at) / 1000));
      }
    },
  });
  return {
    poll: {
      pollEnded: ({ ok, seconds, summary }) => {
        duration.observe({ outcome: ok ? 'success' : 'failure' }, seconds);
        if (!ok) return;
        lastSuccessAt = now();
        if (summary) {
          records.read.inc(summary.read);
          records.emitted.inc(summary.emitted);
          records.rejected.inc(summary.rejected);
        }
      },
    },
    relay: {
      published: (count) => published.inc(count),
      publishFailed: () => publishFailures.inc(),
    },
    deadLetters: { deadLettered: (code) => shared.deadLetters.inc({ code: safeLabel(code) }) },
    readOnScrape: (read) => {
      shared.reader = read;
    },
  };
}

/** A writer's metrics: messages received and how they were settled, retries and dead letters. */
export function writerMetrics(registry: Registry): WriterMetrics {
  const shared = sharedMetrics(registry);
  const received = new Counter({
    name: 'sync_messages_received_total',
    help: 'Messages taken from the partition queues, by route',
    labelNames: ['route'],
    registers: [registry],
  });
  const handled = new Counter({
    name: 'sync_messages_handled_total',
    help: 'Messages settled, by outcome: applied, skipped, stale, duplicate, retried, dead-lettered',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'sync_retries_scheduled_total',
    help: 'Retries scheduled after a retryable failure, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const exhausted = new Counter({
    name: 'sync_retries_exhausted_total',
    help: 'Messages dead-lettered because a retryable failure ran out of attempts, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const waiting: Gauge = new Gauge({
    name: 'sync_retries_waiting',
    help: 'Retries waiting in the retries table to be published again (read from Postgres on each scrape)',
    registers: [registry],
    collect: async () => {
      const value = (await shared.read())?.retriesWaiting;
      if (value !== undefined) waiting.set(value);
    },
  });
  for (const outcome of handlingOutcomes) handled.inc({ outcome }, 0);
  return {
    consumer: {
      received: (route) => received.inc({ route: safeLabel(route) }),
      settled: (outcome, failure) => {
        handled.inc({ outcome });
        if (!failure) return;
        const code = safeLabel(failure.code);
        if (outcome === 'retried') retries.inc({ code });
        if (outcome === 'dead-lettered') {
          shared.deadLetters.inc({ code });
          if (failure.exhausted) exhausted.inc({ code });
        }
      },
    },
    readOnScrape: (read) => {
      shared.reader = read;
    },
  };
}

/** One HTTP exchange with an upstream, as the clients report it (`onExchange`). */
export interface UpstreamExchange {
  system: string;
  /** Method and path template, e.g. `GET /api/v2/cases/:id`: never an id. */
  operation: string;
  /** The HTTP status, or null when no response came (timeout, connection failure, aborted). */
  status: number | null;
  /** The failure's code (`UpstreamErrorCode`), or null when the exchange succeeded. */
  code: string | null;
  seconds: number;
}

/** The clients' `onExchange` observer: request latency, requests by status, errors by status and code. */
export function upstreamMetrics(registry: Registry): (exchange: UpstreamExchange) => void {
  const duration = new Histogram({
    name: 'sync_upstream_request_duration_seconds',
    help: 'Duration of HTTP exchanges with Primero or OSCaR (body included), by system and operation',
    labelNames: ['system', 'operation'],
    buckets: upstreamBuckets,
    registers: [registry],
  });
  const requests = new Counter({
    name: 'sync_upstream_requests_total',
    help: 'HTTP exchanges with Primero or OSCaR, by system, operation and status (none: no response)',
    labelNames: ['system', 'operation', 'status'],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'sync_upstream_errors_total',
    help: 'Failed HTTP exchanges with Primero or OSCaR, by system, status (none: no response) and error code',
    labelNames: ['system', 'status', 'code'],
    registers: [registry],
  });
  return ({ system, operation, status, code, seconds }) => {
    const labels = { system: safeLabel(system), operation: safeOperation(operation) };
    const statusLabel = status === null ? 'none' : String(status);
    duration.observe(labels, seconds);
    requests.inc({ ...labels, status: statusLabel });
    if (code !== null) errors.inc({ system: labels.system, status: statusLabel, code: safeLabel(code) });
  };
}

const handlingOutcomes: readonly HandlingOutcome[] = [
  'applied',
  'skipped',
  'stale',
  'duplicate',
  'retried',
  'dead-lettered',
];

interface Shared {
  deadLetters: Counter<'code'>;
  reader: (() => Promise<BacklogReadings>) | undefined;
  /** The backlog, read once per scrape however many gauges ask for it; null when the read failed. */
  read: () => Promise<BacklogReadings | null>;
}

const sharedByRegistry = new WeakMap<Registry, Shared>();

/** Metrics pollers and writers both have, made once per registry. */
function sharedMetrics(registry: Registry): Shared {
  const existing = sharedByRegistry.get(registry);
  if (existing) return existing;
  const failures: Counter = new Counter({
    name: 'sync_metrics_read_failures_total',
    help: 'Scrapes whose read of the backlog from Postgres failed (the backlog gauges then keep their last value)',
    registers: [registry],
    // Rendered after this scrape's read settled, so a failure shows in the scrape it happened in.
    collect: async () => void (await shared.read()),
  });
  let inFlight: Promise<BacklogReadings | null> | undefined;
  const shared: Shared = {
    deadLetters: new Counter({
      name: 'sync_dead_letters_total',
      help: 'Dead letters recorded (malformed source records, and events that failed for good), by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    reader: undefined,
    read: () => {
      const reader = shared.reader;
      if (!reader) return Promise.resolve(null);
      inFlight ??= reader()
        .catch(() => {
          failures.inc();
          return null;
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
  const open: Gauge<'code'> = new Gauge({
    name: 'sync_dead_letters_open',
    help: 'Dead letters neither replayed nor discarded yet, by error code (read from Postgres on each scrape)',
    labelNames: ['code'],
    registers: [registry],
    collect: async () => {
      const rows = (await shared.read())?.openDeadLetters;
      if (!rows) return;
      open.reset();
      for (const { code, count } of rows) open.set({ code: safeLabel(code) }, count);
    },
  });
  sharedByRegistry.set(registry, shared);
  return shared;
}

function counter(registry: Registry, name: string, help: string): Counter {
  return new Counter({ name, help, registers: [registry] });
}

/**
 * Label values are codes, routes and names the code itself chose; anything else (a broker message's
 * arbitrary type, say) becomes `other`, so no label can carry text from a record.
 */
function safeLabel(value: string): string {
  return /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : 'other';
}

/** `GET /api/v2/cases/:id`: a method, a space and a path template of fixed segments and placeholders. */
function safeOperation(value: string): string {
  return /^[A-Z]+ (\/[A-Za-z0-9_:.-]*)+$/.test(value) && value.length <= 100 ? value : 'other';
}

/** How a webhook notice was taken (`sync_webhook_notices_total`). */
export type NoticeMetricOutcome =
  'scheduled' | 'coalesced' | 'dropped' | 'unauthorized' | 'malformed' | 'not_a_case';

/** How a targeted read of a noticed case ended (`sync_webhook_targeted_reads_total`). */
export type TargetedReadMetricOutcome = 'changed' | 'unchanged' | 'not_found' | 'failed' | 'given_up';

/** The primero-poller's webhook receiver: notices, the targeted reads they caused, and what only the safety poll found. */
export interface WebhookMetrics {
  notice: (outcome: NoticeMetricOutcome) => void;
  targetedReads: (outcome: TargetedReadMetricOutcome, count: number) => void;
  /** Cases the safety poll found changed that no notice had scheduled: notices lost, or the receiver was down. */
  foundOnlyByPoll: (count: number) => void;
}

export function webhookMetrics(registry: Registry): WebhookMetrics {
  const notices = new Counter({
    name: 'sync_webhook_notices_total',
    help: 'Webhook notices received from Primero, by what became of them',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const reads = new Counter({
    name: 'sync_webhook_targeted_reads_total',
    help: 'Cases read again because a webhook notice named them, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const missed = counter(
    registry,
    'sync_webhook_changes_found_by_safety_poll_total',
    'Changed cases the safety poll found that no webhook notice had scheduled (non-zero: notices are being lost)',
  );
  return {
    notice: (outcome) => notices.inc({ outcome: safeLabel(outcome) }),
    targetedReads: (outcome, count) => reads.inc({ outcome: safeLabel(outcome) }, count),
    foundOnlyByPoll: (count) => missed.inc(count),
  };
}

/** How a sync-status report to Primero ended (`sync_status_reports_total`). */
export type SyncStatusReportOutcome = 'sent' | 'refused' | 'not_found' | 'failed';

/** The oscar-writer's reports back to Primero: cases marked synced or failed for the sync's webhook. */
export interface SyncStatusMetrics {
  reported: (status: 'synced' | 'failed', outcome: SyncStatusReportOutcome) => void;
}

export function syncStatusMetrics(registry: Registry): SyncStatusMetrics {
  const reports = new Counter({
    name: 'sync_status_reports_total',
    help: 'Sync statuses reported to Primero (mark_synced), by status and outcome',
    labelNames: ['status', 'outcome'],
    registers: [registry],
  });
  return {
    reported: (status, outcome) => reports.inc({ status: safeLabel(status), outcome: safeLabel(outcome) }),
  };
}
