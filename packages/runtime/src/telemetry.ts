import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

import { defineEnv, env } from './config.ts';

/** OpenTelemetry settings every service reads; tracing is exported only when an endpoint is set. */
export const telemetryEnv = defineEnv({
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    schema: env.optionalUrl(['http', 'https']),
    description:
      'OTLP/HTTP collector base URL (e.g. Jaeger at http://jaeger:4318); empty = traces are not exported',
    default: '',
  },
});

export interface Telemetry {
  /** Flushes and stops exporting; a shutdown stage. */
  shutdown: () => Promise<void>;
}

/**
 * Sets up tracing through the OpenTelemetry API: W3C trace context is always propagated (so a change keeps
 * one trace id from poll to upsert, carried in outbox rows and AMQP headers); spans are exported over
 * OTLP/HTTP only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. Spans carry ids only, never record content.
 */
export function startTelemetry(options: {
  service: string;
  otlpEndpoint: string;
  extraProcessors?: SpanProcessor[];
}): Telemetry {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const processors: SpanProcessor[] = [...(options.extraProcessors ?? [])];
  if (options.otlpEndpoint !== '') {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.service }),
    spanProcessors: processors,
  });
  trace.setGlobalTracerProvider(provider);
  return {
    shutdown: async () => {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
