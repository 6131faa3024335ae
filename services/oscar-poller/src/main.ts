// Composition root of oscar-poller: config → adapters → wire → start → shutdown.
import { createOscarClient } from '@pos/clients';
import { startPollerPlumbing } from '@pos/messaging';
import {
  createLogger,
  describeConfig,
  installShutdown,
  loadConfigOrExit,
  loadMappingTablesOrExit,
  openInfrastructure,
  startTelemetry,
} from '@pos/runtime';

import { pollOscar } from './adapters/oscar.poll.ts';
import { envSpec, loadServiceConfig } from './config.ts';
import { buildApp } from './http/app.ts';

const service = 'oscar-poller';
const schema = 'oscar_poller';

const config = loadConfigOrExit(loadServiceConfig);
const logger = createLogger({ service, level: config.LOG_LEVEL });
const telemetry = startTelemetry({ service, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
logger.info({ config: describeConfig(envSpec, config) }, 'starting');

const tables = await loadMappingTablesOrExit(config.MAPPINGS_DIR, logger);
const infra = await openInfrastructure({
  service,
  logger,
  databaseUrl: config.DATABASE_URL,
  amqpUrl: config.AMQP_URL,
});
const oscar = createOscarClient({
  baseUrl: config.OSCAR_BASE_URL,
  email: config.OSCAR_EMAIL,
  password: config.OSCAR_PASSWORD,
  timeoutMs: config.OSCAR_TIMEOUT_MS,
  maxRequestsPerSecond: config.OSCAR_MAX_RPS,
  maxConcurrency: config.OSCAR_MAX_CONCURRENCY,
});
const poller = await startPollerPlumbing({
  service,
  schema,
  infra,
  logger,
  partitions: config.PARTITIONS,
  intervalMs: config.POLL_INTERVAL_MS,
  poll: ({ db, deadLetters }, signal) =>
    pollOscar({ db, schema, oscar, tables, deadLetters, logger, now: () => new Date() }, signal),
});
const app = buildApp({ logger, readiness: infra.readiness, pollLoop: poller.pollLoop });

installShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stages: [
    { name: 'stop accepting work', run: async () => void (infra.readiness.accepting = false) },
    ...poller.stages,
    { name: 'close http server', run: () => app.close() },
    ...infra.closeStages,
    { name: 'flush telemetry', run: () => telemetry.shutdown() },
  ],
});

await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
infra.readiness.accepting = true;
logger.info({ port: config.HTTP_PORT, mappings: tables.version }, 'ready');
