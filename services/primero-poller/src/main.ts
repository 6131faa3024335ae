// Composition root of primero-poller: config → adapters → wire → start → shutdown.
// Tracing first: ES modules run in import order, so it starts (and patches pg, amqplib and fastify)
// before the imports below load them.
import './telemetry.ts';

import { createPrimeroClient } from '@pos/clients';
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

import { createCaseReadStore } from './adapters/case-reads.repository.ts';
import { type CaseReadsDatabase, migrateCaseReads } from './adapters/case-reads.table.ts';
import { createOscarLinkStore } from './adapters/oscar-links.repository.ts';
import { pollPrimero } from './adapters/primero.poll.ts';
import { envSpec, loadServiceConfig } from './config.ts';
import { buildApp } from './http/app.ts';
import { telemetry } from './telemetry.ts';

const service = 'primero-poller';
const schema = 'primero_poller';

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
const primero = createPrimeroClient({
  baseUrl: config.PRIMERO_BASE_URL,
  user: config.PRIMERO_USER,
  password: config.PRIMERO_PASSWORD,
  auth: config.PRIMERO_AUTH,
  timeoutMs: config.PRIMERO_TIMEOUT_MS,
  maxRequestsPerSecond: config.PRIMERO_MAX_RPS,
  maxConcurrency: config.PRIMERO_MAX_CONCURRENCY,
  pageSize: config.PRIMERO_PAGE_SIZE,
  onExchange: upstreamMetrics(registry),
});
// Its own tables first: the plumbing starts polling as soon as it is up.
// A server restarting meanwhile is waited out, as in the shared plumbing.
await shutdown.starting(
  retryWhileServersAway(() => migrateCaseReads(createDb<unknown>(infra.pool), schema), shutdown.signal),
);
const ownTables = createDb<CaseReadsDatabase>(infra.pool).withSchema(schema);
const caseReads = createCaseReadStore(ownTables);
const oscarLinks = createOscarLinkStore(ownTables);
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
    pollPrimero(
      {
        db,
        schema,
        primero,
        caseReads,
        oscarLinks,
        tables,
        deadLetters,
        logger,
        overlapMs: config.CURSOR_OVERLAP_MS,
        now: () => new Date(),
      },
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
