// Composition root of primero-writer: config → adapters → wire → start → shutdown.
// Tracing first: ES modules run in import order, so it starts (and patches pg, amqplib and fastify)
// before the imports below load them.
import './telemetry.ts';

import { createPrimeroClient } from '@pos/clients';
import type { DeadLetterAdminDatabase, DeadLetterOperations, WriterPlumbing } from '@pos/messaging';
import { deadLetterOperations, payloadCipher, startWriterPlumbing } from '@pos/messaging';
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
  startupReadiness,
  upstreamMetrics,
  writerMetrics,
} from '@pos/runtime';

import { envSpec, loadServiceConfig } from './config.ts';
import { handleOscarCaseChanged } from './handlers/case-changed.handler.ts';
import { handleOscarReferralDecided } from './handlers/referral-decided.handler.ts';
import { buildApp } from './http/app.ts';
import { telemetry } from './telemetry.ts';

const service = 'primero-writer';
const schema = 'primero_writer';

const config = loadConfigOrExit(loadServiceConfig);
const logger = createLogger({ service, level: config.LOG_LEVEL });
logger.info({ config: describeConfig(envSpec, config) }, 'starting');
// One metrics registry for the process, served on GET /metrics; the plumbing and the client report to it.
const registry = createMetricsRegistry(service);
const metrics = writerMetrics(registry);

const tables = await loadMappingTablesOrExit(config.MAPPINGS_DIR, logger);
// Health answers from the start: live at once, ready when Postgres and RabbitMQ answer and it consumes.
const readiness = startupReadiness(['postgres', 'rabbitmq']);
/** What start-up has brought up so far: the shutdown stops that, and only that. */
const started: {
  infra?: Infrastructure;
  writer?: WriterPlumbing;
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
  get consumer() {
    return started.writer?.consumer;
  },
});
const shutdown = installShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stages: () => [
    { name: 'stop accepting work', run: async () => void (readiness.accepting = false) },
    ...(started.writer?.stages ?? []),
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
  onExchange: upstreamMetrics(registry),
});
// Seals the events kept with dead letters, and opens them for a replay.
const cipher = payloadCipher(config.DEAD_LETTER_KEY);
const writerStart = startWriterPlumbing({
  service,
  metrics,
  schema,
  source: 'oscar',
  infra,
  logger,
  partitions: config.PARTITIONS,
  prefetch: config.PREFETCH,
  maxAttempts: config.RETRY_MAX_ATTEMPTS,
  mappingVersion: tables.version,
  signal: shutdown.signal,
  cipher,
  deadLetterRetentionDays: config.DEAD_LETTER_RETENTION_DAYS,
  replicas: {
    count: config.WRITER_REPLICAS,
    index: config.WRITER_REPLICA_INDEX,
    standbyDelayMs: config.WRITER_STANDBY_DELAY_MS,
  },
  handlers: () => ({
    'oscar.case.changed': (event, ctx) =>
      handleOscarCaseChanged({ primero, tables, now: () => new Date() }, event, ctx),
    'oscar.referral.decided': (event, ctx) => handleOscarReferralDecided({ primero, tables }, event, ctx),
  }),
});
started.writer = await shutdown.starting(writerStart);
// Its dead letters over the admin API, with the operations `pnpm dlq` runs (its tables exist now).
started.deadLetters = deadLetterOperations(
  createDb<DeadLetterAdminDatabase>(infra.pool).withSchema(schema),
  cipher,
);
readiness.accepting = true;
logger.info({ port: config.HTTP_PORT, mappings: tables.version }, 'ready');
