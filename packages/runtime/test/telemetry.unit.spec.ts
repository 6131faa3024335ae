import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';

import { context, propagation, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { createLogger } from '../src/logger.ts';
import { startTelemetry, type Telemetry, withoutQuery } from '../src/telemetry.ts';

/** A stand-in collector: what each OTLP/HTTP request brought. */
async function receiver() {
  const received: Array<{ path: string; headers: IncomingHttpHeaders; body: Buffer }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts and ends one span, returning its context. */
function oneSpan(): { traceId: string; spanId: string } {
  const span = trace.getTracer('test').startSpan('work');
  span.end();
  return span.spanContext();
}

describe('telemetry', () => {
  let telemetry: Telemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
    vi.unstubAllEnvs();
  });

  it('strips query strings and fragments from URLs', () => {
    expect(withoutQuery('http://p/api/v2/cases?last_updated_at=2026-01-01..&per=1000')).toBe(
      'http://p/api/v2/cases',
    );
    expect(withoutQuery('/admin/status#x')).toBe('/admin/status');
    expect(withoutQuery('/health/ready')).toBe('/health/ready');
  });

  it('without an endpoint still makes spans (not exported): their ids go into logs and headers', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', '');
    telemetry = startTelemetry({ service: 'test-service', instrument: false });
    const span = trace.getTracer('test').startSpan('work');
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), headers);
    span.end();
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    expect(headers.traceparent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
  });

  it('exports over OTLP/HTTP, protobuf by default, to <endpoint>/v1/traces', async () => {
    const collector = await receiver();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', collector.url);
      telemetry = startTelemetry({ service: 'test-service', instrument: false });
      const { traceId } = oneSpan();
      await telemetry.shutdown();
      telemetry = undefined;
      expect(collector.received).toHaveLength(1);
      expect(collector.received[0]?.path).toBe('/v1/traces');
      expect(collector.received[0]?.headers['content-type']).toBe('application/x-protobuf');
      expect(collector.received[0]?.body.includes(Buffer.from(traceId, 'hex'))).toBe(true);
      expect(collector.received[0]?.body.toString('latin1')).toContain('test-service');
    } finally {
      await collector.close();
    }
  });

  it('names the service after itself unless OTEL_SERVICE_NAME says otherwise', async () => {
    const collector = await receiver();
    try {
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', collector.url);
      vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/json');
      vi.stubEnv('OTEL_SERVICE_NAME', 'sync-writer-blue');
      telemetry = startTelemetry({ service: 'test-service', instrument: false });
      oneSpan();
      await telemetry.shutdown();
      telemetry = undefined;
      const body = JSON.parse(collector.received[0]?.body.toString('utf8') ?? '{}') as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: unknown }> } }>;
      };
      const attributes = body.resourceSpans[0]?.resource.attributes ?? [];
      expect(attributes.find((a) => a.key === 'service.name')?.value).toEqual({
        stringValue: 'sync-writer-blue',
      });
    } finally {
      await collector.close();
    }
  });

  it('puts trace_id and span_id on every log line inside a span, and none outside', () => {
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', '');
    telemetry = startTelemetry({ service: 'test-service', instrument: false });
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
        done();
      },
    });
    const logger = createLogger({ service: 'test-service', level: 'info', destination });
    const child = logger.child({ component: 'relay' });
    logger.info('before');
    const ids = trace.getTracer('test').startActiveSpan('work', (span) => {
      logger.info('inside');
      child.info({ eventId: 'e1' }, 'inside, from a child logger');
      span.end();
      return span.spanContext();
    });
    logger.info('after');
    expect(lines.map((line) => [line.msg, line.trace_id, line.span_id])).toEqual([
      ['before', undefined, undefined],
      ['inside', ids.traceId, ids.spanId],
      ['inside, from a child logger', ids.traceId, ids.spanId],
      ['after', undefined, undefined],
    ]);
  });
});
