import { createRequire } from 'node:module';

import { FastifyOtelInstrumentation } from '@fastify/otel';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type * as OtlpJson from '@opentelemetry/exporter-trace-otlp-http';
import type * as OtlpProtobuf from '@opentelemetry/exporter-trace-otlp-proto';
import { type Instrumentation, registerInstrumentations } from '@opentelemetry/instrumentation';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NoopSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
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
 * Starts tracing, configured by the standard `OTEL_*` variables, with the instrumentations of fetch (undici),
 * pg, amqplib and fastify. Call it before pg, amqplib and fastify are imported: each service's
 * `src/telemetry.ts` does, and its `main.ts` imports that first (ES modules run in import order).
 *
 * Spans are always made and W3C trace context always propagated (a change keeps one trace id from poll to
 * upsert, carried in outbox rows and AMQP headers, and log lines carry it); they are exported only when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Spans carry ids only: see {@link instrumentations}.
 *
 * Only the tracing pieces are loaded, not OpenTelemetry's Node SDK: that one loads every exporter it could
 * be configured with (gRPC, protobuf, Zipkin, Prometheus, logs, metrics), about 30 MB per process the
 * services never use. The OTLP exporter is loaded only when exporting.
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
  // Read here, not through config.ts: this runs before anything else, as the exporter (which reads them too) must.
  const variables = process.env;
  const exporting = Boolean(
    variables.OTEL_EXPORTER_OTLP_ENDPOINT || variables.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  );
  const provider = new TracerProvider({
    // OTEL_RESOURCE_ATTRIBUTES may add attributes; the service name is ours unless OTEL_SERVICE_NAME says otherwise.
    resource: detectResources({ detectors: [envDetector] }).merge(
      resourceFromAttributes({ 'service.name': variables.OTEL_SERVICE_NAME || options.service }),
    ),
    // The sampler comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (the provider reads them).
    // Exporting: batches to the OTLP exporter the OTEL_* variables describe. Not exporting: spans are still
    // made — their ids are in log lines, outbox rows and message headers — and go nowhere.
    spanProcessors:
      options.spanProcessors ??
      (exporting ? [new BatchSpanProcessor({ exporter: otlpExporter() })] : [new NoopSpanProcessor()]),
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  const unregister =
    options.instrument === false
      ? () => {}
      : registerInstrumentations({ instrumentations: instrumentations(), tracerProvider: provider });
  return {
    shutdown: async () => {
      unregister();
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * The OTLP/HTTP trace exporter of OTEL_EXPORTER_OTLP_PROTOCOL (it reads the endpoint and headers itself).
 * Required here, synchronously, so that the exporter is loaded only by a service that exports, and still
 * before the service's other imports (a dynamic import would let them load first).
 */
function otlpExporter(): SpanExporter {
  const require = createRequire(import.meta.url);
  const exporter =
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL === 'http/json'
      ? (require('@opentelemetry/exporter-trace-otlp-http') as typeof OtlpJson)
      : (require('@opentelemetry/exporter-trace-otlp-proto') as typeof OtlpProtobuf);
  return new exporter.OTLPTraceExporter();
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
export function instrumentations(): Instrumentation[] {
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
