// Composition root of oscar-writer: config → adapters → wire → start → shutdown.
// Tracing first: ES modules run in import order, so it starts (and patches pg, amqplib and fastify)
// before the imports below load them.
import './telemetry.ts';

import { createOscarClient } from '@pos/clients';
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

import { type OscarWriterDatabase, oscarWriterMigrations } from './adapters/state.repository.ts';
import { envSpec, loadServiceConfig } from './config.ts';
import { handleCaseChanged } from './handlers/case-changed.handler.ts';
import { handleReferralDecided } from './handlers/referral-decided.handler.ts';
import { buildApp } from './http/app.ts';
import { telemetry } from './telemetry.ts';

const service = 'oscar-writer';
const schema = 'oscar_writer';

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
const oscar = createOscarClient({
  baseUrl: config.OSCAR_BASE_URL,
  email: config.OSCAR_EMAIL,
  password: config.OSCAR_PASSWORD,
  timeoutMs: config.OSCAR_TIMEOUT_MS,
  maxRequestsPerSecond: config.OSCAR_MAX_RPS,
  maxConcurrency: config.OSCAR_MAX_CONCURRENCY,
  onExchange: upstreamMetrics(registry),
});
// Seals the events kept with dead letters, and opens them for a replay.
const cipher = payloadCipher(config.DEAD_LETTER_KEY);
const writerStart = startWriterPlumbing<OscarWriterDatabase>({
  service,
  metrics,
  schema,
  source: 'primero',
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
  migrations: oscarWriterMigrations(),
  handlers: (db) => ({
    'primero.case.changed': (event, ctx) =>
      handleCaseChanged(
        { db, oscar, tables, referralsCreatedSince: config.REFERRALS_CREATED_SINCE },
        event,
        ctx,
      ),
    'primero.referral.decided': (event, ctx) => handleReferralDecided({ db, oscar, tables }, event, ctx),
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
