// Composition root of oscar-poller: config → adapters → wire → start → shutdown.
// Tracing first: ES modules run in import order, so it starts (and patches pg, amqplib and fastify)
// before the imports below load them.
import './telemetry.ts';

import { createOscarClient } from '@pos/clients';
import type { DeadLetterAdminDatabase, DeadLetterOperations, PollerPlumbing } from '@pos/messaging';
import { deadLetterOperations, retryWhileServersAway, startPollerPlumbing } from '@pos/messaging';
import {
  createDb,
  createLogger,
  createMetricsRegistry,
  describeConfig,
  type Infrastructure,
  installShutdown,
  loadConfigOrExit,
  loadMappingTablesOrExit,
  openInfrastructure,
  pollerMetrics,
  startupReadiness,
  upstreamMetrics,
} from '@pos/runtime';

import { createClientSourceStore } from './adapters/client-sources.repository.ts';
import { type ClientSourcesDatabase, migrateClientSources } from './adapters/client-sources.table.ts';
import { pollOscar, rememberListedClients } from './adapters/oscar.poll.ts';
import { envSpec, loadServiceConfig } from './config.ts';
import { buildApp } from './http/app.ts';
import { telemetry } from './telemetry.ts';

const service = 'oscar-poller';
const schema = 'oscar_poller';

const config = loadConfigOrExit(loadServiceConfig);
const logger = createLogger({ service, level: config.LOG_LEVEL });
logger.info({ config: describeConfig(envSpec, config) }, 'starting');
// One metrics registry for the process, served on GET /metrics; the plumbing and the client report to it.
const registry = createMetricsRegistry(service);
const metrics = pollerMetrics(registry, { intervalMs: config.POLL_INTERVAL_MS });

const tables = await loadMappingTablesOrExit(config.MAPPINGS_DIR, logger);
// Health answers from the start: live at once, ready when Postgres and RabbitMQ answer and it polls.
const readiness = startupReadiness(['postgres', 'rabbitmq']);
/** What start-up has brought up so far: the shutdown stops that, and only that. */
const started: {
  infra?: Infrastructure;
  poller?: PollerPlumbing;
  deadLetters?: DeadLetterOperations;
} = {};
const app = buildApp({
  logger,
  readiness,
  adminToken: config.ADMIN_TOKEN,
  metrics: registry,
  get deadLetters() {
    return started.deadLetters;
  },
  get pollLoop() {
    return started.poller?.pollLoop;
  },
});
const shutdown = installShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stages: () => [
    { name: 'stop accepting work', run: async () => void (readiness.accepting = false) },
    ...(started.poller?.stages ?? []),
    { name: 'close http server', run: () => app.close() },
    ...(started.infra?.closeStages ?? []),
    { name: 'flush telemetry', run: () => telemetry.shutdown() },
  ],
});
await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

// Not ready until both servers answer (one log line per attempt); a SIGTERM meanwhile ends the wait.
const infra = await shutdown.starting(
  openInfrastructure({
    service,
    logger,
    databaseUrl: config.DATABASE_URL,
    amqpUrl: config.AMQP_URL,
    readiness,
    signal: shutdown.signal,
  }),
);
started.infra = infra;
const oscar = createOscarClient({
  baseUrl: config.OSCAR_BASE_URL,
  email: config.OSCAR_EMAIL,
  password: config.OSCAR_PASSWORD,
  timeoutMs: config.OSCAR_TIMEOUT_MS,
  maxRequestsPerSecond: config.OSCAR_MAX_RPS,
  maxConcurrency: config.OSCAR_MAX_CONCURRENCY,
  onExchange: upstreamMetrics(registry),
});
// Its own table first: the plumbing starts polling as soon as it is up.
// A server restarting meanwhile is waited out, as in the shared plumbing.
await shutdown.starting(
  retryWhileServersAway(() => migrateClientSources(createDb<unknown>(infra.pool), schema), shutdown.signal),
);
const clientSources = createClientSourceStore(createDb<ClientSourcesDatabase>(infra.pool).withSchema(schema));
/** The clients each poll committed, so that the next skips those OSCaR lists again unchanged. */
const listed = rememberListedClients();
const pollerStart = startPollerPlumbing({
  service,
  metrics,
  schema,
  infra,
  logger,
  partitions: config.PARTITIONS,
  intervalMs: config.POLL_INTERVAL_MS,
  mappingVersion: tables.version,
  signal: shutdown.signal,
  poll: ({ db, deadLetters }, signal) =>
    pollOscar(
      { db, schema, oscar, tables, clientSources, deadLetters, logger, now: () => new Date(), listed },
      signal,
    ),
});
started.poller = await shutdown.starting(pollerStart);
// Its dead letters over the admin API, with the operations `pnpm dlq` runs (its tables exist now).
started.deadLetters = deadLetterOperations(
  createDb<DeadLetterAdminDatabase>(infra.pool).withSchema(schema),
  null,
);
readiness.accepting = true;
logger.info({ port: config.HTTP_PORT, mappings: tables.version }, 'ready');
