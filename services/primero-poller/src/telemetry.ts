// Starts tracing. main.ts imports this module first: ES modules run in import order, so the SDK is started
// (and pg, amqplib and fastify are patched by its instrumentations) before the imports after it load them.
// Hence the subpath: @pos/runtime's index would load pg and fastify first.
import { startTelemetry } from '@pos/runtime/telemetry';

export const telemetry = startTelemetry({ service: 'primero-poller' });
