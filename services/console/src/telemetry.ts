// Starts tracing. main.ts imports this module first: ES modules run in import order, so the SDK is started
// (and pg and fastify are patched by its instrumentations) before the imports after it load them.
import { startTelemetry } from '@pos/runtime/telemetry';

export const telemetry = startTelemetry({ service: 'console' });
