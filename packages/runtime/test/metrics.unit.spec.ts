import { describe, expect, it } from 'vitest';

import type { BacklogReadings } from '../src/metrics.ts';
import { createMetricsRegistry, pollerMetrics, upstreamMetrics, writerMetrics } from '../src/prometheus.ts';

/** The sample lines of a scrape (no HELP/TYPE comments), each with its labels sorted by name. */
async function samples(registry: ReturnType<typeof createMetricsRegistry>): Promise<string[]> {
  return (await registry.metrics())
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) return line;
      const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
        .map(([, name, value]) => `${name}="${value}"`)
        .sort();
      return `${match[1]}{${labels.join(',')}} ${match[3]}`;
    });
}

describe('poller metrics', () => {
  it('reports polls, records, the relay, the lag and the backlog read on scrape', async () => {
    let now = Date.parse('2026-12-08T06:00:00Z');
    const registry = createMetricsRegistry('primero-poller', { defaultMetrics: false });
    const metrics = pollerMetrics(registry, { intervalMs: 30_000, now: () => now });
    metrics.readOnScrape(async () => ({
      outbox: { unpublished: 3, oldestCreatedAt: new Date(now - 90_000) },
      cursors: [{ name: 'primero.last_updated_at', value: new Date(now - 600_000).toISOString() }],
      openDeadLetters: [{ code: 'UNKNOWN_PROVINCE', count: 2 }],
    }));

    now += 45_000;
    expect(await samples(registry)).toContain('sync_poll_lag_seconds{service="primero-poller"} 45');
    metrics.poll.pollEnded({ ok: true, seconds: 1.5, summary: { read: 10, emitted: 4, rejected: 1 } });
    metrics.poll.pollEnded({ ok: false, seconds: 0.2 });
    metrics.relay.published(4);
    metrics.relay.publishFailed();
    metrics.deadLetters.deadLettered('UNKNOWN_PROVINCE');
    now += 5_000;

    const lines = await samples(registry);
    for (const line of [
      'sync_poll_lag_seconds{service="primero-poller"} 5',
      'sync_poll_interval_seconds{service="primero-poller"} 30',
      'sync_poll_duration_seconds_count{outcome="success",service="primero-poller"} 1',
      'sync_poll_duration_seconds_count{outcome="failure",service="primero-poller"} 1',
      'sync_poll_records_read_total{service="primero-poller"} 10',
      'sync_poll_records_emitted_total{service="primero-poller"} 4',
      'sync_poll_records_rejected_total{service="primero-poller"} 1',
      'sync_outbox_published_total{service="primero-poller"} 4',
      'sync_outbox_publish_failures_total{service="primero-poller"} 1',
      'sync_outbox_unpublished{service="primero-poller"} 3',
      'sync_outbox_oldest_unpublished_age_seconds{service="primero-poller"} 90',
      'sync_poll_cursor_age_seconds{cursor="primero.last_updated_at",service="primero-poller"} 600',
      'sync_dead_letters_total{code="UNKNOWN_PROVINCE",service="primero-poller"} 1',
      'sync_dead_letters_open{code="UNKNOWN_PROVINCE",service="primero-poller"} 2',
    ]) {
      expect(lines).toContain(line);
    }
  });

  it('reads the backlog once per scrape, and keeps the last values when a read fails', async () => {
    let reads = 0;
    let fail = false;
    const registry = createMetricsRegistry('oscar-poller', { defaultMetrics: false });
    pollerMetrics(registry, { intervalMs: 1000 }).readOnScrape(async (): Promise<BacklogReadings> => {
      reads += 1;
      if (fail) throw new Error('connection refused');
      return { outbox: { unpublished: 7, oldestCreatedAt: null }, cursors: [], openDeadLetters: [] };
    });
    expect(await samples(registry)).toContain('sync_outbox_unpublished{service="oscar-poller"} 7');
    expect(reads).toBe(1);
    fail = true;
    const lines = await samples(registry);
    expect(lines).toContain('sync_outbox_unpublished{service="oscar-poller"} 7');
    expect(lines).toContain('sync_outbox_oldest_unpublished_age_seconds{service="oscar-poller"} 0');
    expect(lines).toContain('sync_metrics_read_failures_total{service="oscar-poller"} 1');
  });
});

describe('writer metrics', () => {
  it('counts messages by route and outcome, retries and dead letters by code, exhausted retries apart', async () => {
    const registry = createMetricsRegistry('oscar-writer', { defaultMetrics: false });
    const metrics = writerMetrics(registry);
    metrics.readOnScrape(async () => ({ retriesWaiting: 2, openDeadLetters: [] }));
    metrics.consumer.received('primero.case.changed');
    metrics.consumer.settled('applied');
    metrics.consumer.settled('retried', { code: 'SERVER_ERROR', exhausted: false });
    metrics.consumer.settled('dead-lettered', { code: 'SERVER_ERROR', exhausted: true });
    metrics.consumer.settled('dead-lettered', { code: 'INVALID_EVENT', exhausted: false });

    const lines = await samples(registry);
    for (const line of [
      'sync_messages_received_total{route="primero.case.changed",service="oscar-writer"} 1',
      'sync_messages_handled_total{outcome="applied",service="oscar-writer"} 1',
      'sync_messages_handled_total{outcome="stale",service="oscar-writer"} 0',
      'sync_messages_handled_total{outcome="retried",service="oscar-writer"} 1',
      'sync_messages_handled_total{outcome="dead-lettered",service="oscar-writer"} 2',
      'sync_retries_scheduled_total{code="SERVER_ERROR",service="oscar-writer"} 1',
      'sync_retries_exhausted_total{code="SERVER_ERROR",service="oscar-writer"} 1',
      'sync_dead_letters_total{code="SERVER_ERROR",service="oscar-writer"} 1',
      'sync_dead_letters_total{code="INVALID_EVENT",service="oscar-writer"} 1',
      'sync_retries_waiting{service="oscar-writer"} 2',
    ]) {
      expect(lines).toContain(line);
    }
  });
});

describe('upstream metrics', () => {
  it('observes latency by operation, requests by status, and errors by status and code', async () => {
    const registry = createMetricsRegistry('primero-writer', { defaultMetrics: false });
    const observe = upstreamMetrics(registry);
    const operation = 'GET /api/v2/cases/:id';
    observe({ system: 'primero', operation, status: 200, code: null, seconds: 0.12 });
    observe({ system: 'primero', operation, status: 503, code: 'SERVER_ERROR', seconds: 0.3 });
    observe({ system: 'primero', operation, status: null, code: 'TIMEOUT', seconds: 30 });

    const lines = await samples(registry);
    const labels = `operation="${operation}",service="primero-writer",system="primero"`;
    expect(lines).toContain(`sync_upstream_request_duration_seconds_count{${labels}} 3`);
    expect(lines).toContain(`sync_upstream_request_duration_seconds_bucket{le="0.25",${labels}} 1`);
    expect(lines).toContain(
      `sync_upstream_requests_total{operation="${operation}",service="primero-writer",status="200",system="primero"} 1`,
    );
    expect(lines).toContain(
      'sync_upstream_errors_total{code="SERVER_ERROR",service="primero-writer",status="503",system="primero"} 1',
    );
    expect(lines).toContain(
      'sync_upstream_errors_total{code="TIMEOUT",service="primero-writer",status="none",system="primero"} 1',
    );
  });
});

describe('label values', () => {
  it('never carry text that is not a code, a route or a path template', async () => {
    const registry = createMetricsRegistry('primero-writer', { defaultMetrics: false });
    const writer = writerMetrics(registry);
    const observe = upstreamMetrics(registry);
    writer.consumer.received('Sokha Chan, born 2014-03-01');
    writer.consumer.settled('dead-lettered', { code: 'name "Sokha"', exhausted: false });
    observe({
      system: 'primero',
      operation: 'GET /api/v2/cases?name=Sokha Chan',
      status: 500,
      code: 'SERVER_ERROR',
      seconds: 1,
    });
    const text = await registry.metrics();
    expect(text).not.toContain('Sokha');
    expect(text).toContain('sync_messages_received_total{route="other",service="primero-writer"} 1');
    expect(text).toContain('sync_dead_letters_total{code="other",service="primero-writer"} 1');
    expect(text).toContain('operation="other"');
  });

  it('keeps registries apart: two in one process share no metric', async () => {
    const first = createMetricsRegistry('primero-poller', { defaultMetrics: false });
    const second = createMetricsRegistry('oscar-poller', { defaultMetrics: false });
    pollerMetrics(first, { intervalMs: 1000 }).relay.published(5);
    pollerMetrics(second, { intervalMs: 1000 });
    expect(await second.metrics()).toContain('sync_outbox_published_total{service="oscar-poller"} 0');
  });
});
