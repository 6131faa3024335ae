// Composition root of oscar-writer: config → adapters → wire → start → shutdown.
// Tracing first: ES modules run in import order, so it starts (and patches pg, amqplib and fastify)
// before the imports below load them.
import './telemetry.ts';

import { createOscarClient, createPrimeroClient } from '@pos/clients';
import type { DeadLetterAdminDatabase, DeadLetterOperations, Handler, WriterPlumbing } from '@pos/messaging';
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
  syncStatusMetrics,
  upstreamMetrics,
  writerMetrics,
} from '@pos/runtime';
import type { Kysely } from 'kysely';

import { type OscarWriterDatabase, oscarWriterMigrations } from './adapters/state.repository.ts';
import { startSyncStatusReporter, type SyncStatusReporter } from './adapters/sync-status.reporter.ts';
import { type SyncStatusDatabase, syncStatusMigrations } from './adapters/sync-status.repository.ts';
import { envSpec, loadServiceConfig } from './config.ts';
import { handleCaseChanged } from './handlers/case-changed.handler.ts';
import { handleReferralDecided } from './handlers/referral-decided.handler.ts';
import { reportingSyncStatus } from './handlers/sync-status.wrapper.ts';
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
/** Both upstream clients (OSCaR, and Primero for sync statuses) report their exchanges here. */
const observeUpstream = upstreamMetrics(registry);
/** Sync statuses go back to Primero when the webhook's URL is configured. */
const reportsSyncStatus = config.PRIMERO_SYNC_STATUS_URL !== '';

const tables = await loadMappingTablesOrExit(config.MAPPINGS_DIR, logger);
// Health answers from the start: live at once, ready when Postgres and RabbitMQ answer and it consumes.
const readiness = startupReadiness(['postgres', 'rabbitmq']);
/** What start-up has brought up so far: the shutdown stops that, and only that. */
const started: {
  infra?: Infrastructure;
  writer?: WriterPlumbing;
  syncStatus?: SyncStatusReporter;
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
    ...(started.syncStatus
      ? [{ name: 'stop sync status reports', run: () => started.syncStatus?.stop() ?? Promise.resolve() }]
      : []),
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
  onExchange: observeUpstream,
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
  migrations: { ...oscarWriterMigrations(), ...syncStatusMigrations() },
  handlers: (db) => {
    const caseChanged: Handler<'primero.case.changed'> = (event, ctx) =>
      handleCaseChanged(
        { db, oscar, tables, referralsCreatedSince: config.REFERRALS_CREATED_SINCE },
        event,
        ctx,
      );
    const referralDecided: Handler<'primero.referral.decided'> = (event, ctx) =>
      handleReferralDecided({ db, oscar, tables }, event, ctx);
    if (!reportsSyncStatus) {
      return { 'primero.case.changed': caseChanged, 'primero.referral.decided': referralDecided };
    }
    // Each effect on OSCaR owes Primero the case's sync status (reported by the reporter below).
    const statusDb = db as unknown as Kysely<SyncStatusDatabase>;
    return {
      'primero.case.changed': reportingSyncStatus(statusDb, caseChanged),
      'primero.referral.decided': reportingSyncStatus(statusDb, referralDecided),
    };
  },
});
started.writer = await shutdown.starting(writerStart);
if (reportsSyncStatus) {
  started.syncStatus = startSyncStatusReporter({
    db: createDb<SyncStatusDatabase>(infra.pool).withSchema(schema),
    primero: createPrimeroClient({
      baseUrl: config.PRIMERO_BASE_URL,
      user: config.PRIMERO_USER,
      password: config.PRIMERO_PASSWORD,
      auth: config.PRIMERO_AUTH,
      timeoutMs: config.PRIMERO_TIMEOUT_MS,
      maxRequestsPerSecond: config.PRIMERO_MAX_RPS,
      maxConcurrency: config.PRIMERO_MAX_CONCURRENCY,
      onExchange: observeUpstream,
    }),
    webhookUrl: config.PRIMERO_SYNC_STATUS_URL,
    intervalMs: config.SYNC_STATUS_INTERVAL_MS,
    logger,
    metrics: syncStatusMetrics(registry),
    signal: shutdown.signal,
  });
}
// Its dead letters over the admin API, with the operations `pnpm dlq` runs (its tables exist now).
started.deadLetters = deadLetterOperations(
  createDb<DeadLetterAdminDatabase>(infra.pool).withSchema(schema),
  cipher,
);
readiness.accepting = true;
logger.info({ port: config.HTTP_PORT, mappings: tables.version }, 'ready');
