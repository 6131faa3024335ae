import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context, propagation, trace } from '@opentelemetry/api';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK, type NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { z } from 'zod';

import { defineEnv, env } from './config.ts';

// This module must not import pg, amqplib or fastify (nor anything that does, such as ./index.ts): a service
// starts it before those load, so that the instrumentations below patch them.

/**
 * The standard OpenTelemetry variables the services document and check (the SDK reads them itself, at
 * start-up, before `config.ts` runs; an invalid one still stops the service there, with its fix).
 */
export const telemetryEnv = defineEnv({
  OTEL_SERVICE_NAME: {
    schema: z.string(),
    description: 'Service name on its spans; empty = the service’s own name (primero-poller, …)',
    default: '',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: env.optionalUrl(['http', 'https']),
    description:
      'OTLP/HTTP collector base URL (e.g. Jaeger at http://jaeger:4318); empty = traces are not exported',
    default: '',
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    schema: env.oneOf(['http/protobuf', 'http/json']),
    description: 'How spans are sent to the collector',
    default: 'http/protobuf',
  },
  OTEL_TRACES_SAMPLER: {
    schema: env.oneOf([
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
      'always_on',
      'always_off',
      'traceidratio',
    ]),
    description:
      'Which traces are kept; a consumer follows the decision carried with the message (parentbased_…)',
    default: 'parentbased_always_on',
  },
  OTEL_TRACES_SAMPLER_ARG: {
    schema: z
      .string()
      .refine((value) => value === '' || (Number(value) >= 0 && Number(value) <= 1), 'must be a number 0…1'),
    description: 'Share of traces kept by the …traceidratio samplers (0…1); empty = 1',
    default: '',
  },
});

export interface Telemetry {
  /** Flushes and stops exporting; a shutdown stage. */
  shutdown: () => Promise<void>;
}

/**
 * Starts OpenTelemetry's Node SDK, configured by the standard `OTEL_*` variables, with the instrumentations
 * of fetch (undici), pg, amqplib and fastify. Call it before pg, amqplib and fastify are imported: each
 * service's `src/telemetry.ts` does, and its `main.ts` imports that first (ES modules run in import order).
 *
 * Spans are always made and W3C trace context always propagated (a change keeps one trace id from poll to
 * upsert, carried in outbox rows and AMQP headers, and log lines carry it); they are exported only when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Spans carry ids only: see {@link instrumentations}.
 *
 * @example
 * export const telemetry = startTelemetry({ service: 'primero-poller' });
 */
export function startTelemetry(options: {
  service: string;
  /** Span processors instead of the exporter (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  /** Patch fetch, pg, amqplib and fastify (default true); in-process tests that load them first turn it off. */
  instrument?: boolean;
}): Telemetry {
  // Read here, not through config.ts: this runs before anything else, as the SDK (which reads them too) must.
  const variables = process.env;
  const exporting = Boolean(
    variables.OTEL_EXPORTER_OTLP_ENDPOINT || variables.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
  const sdk = new NodeSDK({
    serviceName: variables.OTEL_SERVICE_NAME || options.service,
    instrumentations: options.instrument === false ? [] : instrumentations(),
    // Exporting: the SDK builds the OTLP exporter from the OTEL_* variables. Not exporting: spans are still
    // made — their ids are in log lines, outbox rows and message headers — and go nowhere.
    ...(options.spanProcessors
      ? { spanProcessors: options.spanProcessors }
      : exporting
        ? {}
        : { spanProcessors: [new NoopSpanProcessor()] }),
    // Metrics are Prometheus' (GET /metrics) and logs go to stdout: the SDK sets up neither.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return {
    shutdown: async () => {
      await sdk.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Paths polled every few seconds (probes, scrapes): no span, or they would bury the traces that matter. */
const quietPath = (url: string) => url.startsWith('/health/') || url.split('?')[0] === '/metrics';

/** `https://host/api/v2/cases?last_updated_at=…` → `https://host/api/v2/cases`. */
export function withoutQuery(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * The instrumentations, configured so that spans carry ids only. No instrumentation records headers or
 * bodies (none is asked to); on top of that:
 * - fetch (undici, what the upstream clients use): the URL without its query string — Primero's list
 *   queries carry filters (`last_updated_at`), and later ones could carry names;
 * - pg: the SQL text (our statements take parameters, so it has no values), never the parameters
 *   (`enhancedDatabaseReporting: false`); only inside a traced operation, so the relay's and the retry
 *   pump's sweeps every second make no traces of their own;
 * - amqplib: exchange, routing key and message id (the event id); the connection URL with its password
 *   masked; never the message body. Its publish and consume spans continue the trace carried in the
 *   message's headers: the relay publishes in the context of the span that emitted the event;
 * - fastify: one span per request, named by method and route, with the path without its query; health
 *   probes and metric scrapes are not traced.
 */
export function instrumentations(): NonNullable<NodeSDKConfiguration['instrumentations']> {
  return [
    new UndiciInstrumentation({
      startSpanHook: (request) => ({
        'url.full': withoutQuery(new URL(request.path, request.origin).toString()),
        'url.query': undefined,
      }),
    }),
    new PgInstrumentation({
      enhancedDatabaseReporting: false,
      requireParentSpan: true,
      addSqlCommenterCommentToQueries: false,
    }),
    new AmqplibInstrumentation({ useLinksForConsume: false }),
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: ({ url }) => quietPath(url),
      instrumentHooks: false,
      instrumentHandler: false,
      requestHook: (span, request) => {
        span.updateName(`${request.method} ${request.routeOptions.url ?? 'unknown route'}`);
        span.setAttribute('url.path', withoutQuery(request.url));
      },
    }),
  ];
}
