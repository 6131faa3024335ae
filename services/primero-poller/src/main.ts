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
  webhookMetrics,
} from '@pos/runtime';

import { createCaseReadStore } from './adapters/case-reads.repository.ts';
import { type CaseReadsDatabase, migrateCaseReads } from './adapters/case-reads.table.ts';
import { createOscarLinkStore } from './adapters/oscar-links.repository.ts';
import { pollPrimero, type PrimeroPollDeps, readCases } from './adapters/primero.poll.ts';
import { createExclusive, startTargetedReads } from './adapters/targeted-read.loop.ts';
import { envSpec, loadServiceConfig, webhooksOn } from './config.ts';
import { pendingReads } from './core/pending-reads.policy.ts';
import { buildApp } from './http/app.ts';
import { telemetry } from './telemetry.ts';

const service = 'primero-poller';
const schema = 'primero_poller';

const config = loadConfigOrExit(loadServiceConfig);
const logger = createLogger({ service, level: config.LOG_LEVEL });
logger.info({ config: describeConfig(envSpec, config) }, 'starting');
// One metrics registry for the process, served on GET /metrics; the plumbing and the client report to it.
const registry = createMetricsRegistry(service);
// With webhooks on, notices bring changes and the poll is the safety net, at its own (longer) interval.
const webhooks = webhooksOn(config);
const intervalMs = webhooks ? config.SAFETY_POLL_INTERVAL_MS : config.POLL_INTERVAL_MS;
const metrics = pollerMetrics(registry, { intervalMs });
/** Polls and targeted reads take turns: both compare and write the fingerprints and `case_reads`. */
const exclusive = createExclusive();

const tables = await loadMappingTablesOrExit(config.MAPPINGS_DIR, logger);
// Health answers from the start: live at once, ready when Postgres and RabbitMQ answer and it polls.
const readiness = startupReadiness(['postgres', 'rabbitmq']);
/** What start-up has brought up so far: the shutdown stops that, and only that. */
const started: {
  infra?: Infrastructure;
  poller?: PollerPlumbing;
  deadLetters?: DeadLetterOperations;
} = {};
/**
 * The targeted reads notices schedule, from the start: a notice that comes before Postgres and RabbitMQ
 * answer waits, and its read is tried again until the poller is up (then left to the first poll).
 */
const targetedReads = webhooks
  ? startTargetedReads({
      pending: pendingReads({
        coalesceMs: config.WEBHOOK_COALESCE_MS,
        maxPending: config.WEBHOOK_MAX_PENDING,
        maxAttempts: 3,
        retryDelayMs: (attempt) => 2000 * 2 ** (attempt - 1),
      }),
      read: (recordIds, signal) => {
        const poller = started.poller;
        if (!poller) throw new Error('the poller is not up yet');
        return readCases(pollDeps(poller.db, poller.deadLetters), recordIds, signal);
      },
      exclusive,
      // Small rounds, each committed on its own: a worker poll's burst of notices flows out as it is read,
      // instead of every event waiting for the burst's last read.
      batchSize: config.PRIMERO_MAX_CONCURRENCY * 2,
      pollNow: () => void started.poller?.pollLoop.trigger().catch(() => undefined),
      safetyPollIntervalMs: intervalMs,
      logger,
      metrics: webhookMetrics(registry),
    })
  : undefined;
const app = buildApp({
  logger,
  readiness,
  adminToken: config.ADMIN_TOKEN,
  metrics: registry,
  webhooks: targetedReads
    ? {
        auth: config.WEBHOOK_AUTH,
        secret: config.WEBHOOK_SECRET,
        notice: targetedReads.notice,
        refused: targetedReads.refused,
        figures: targetedReads.figures,
      }
    : undefined,
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
    ...(targetedReads ? [{ name: 'stop targeted reads', run: () => targetedReads.stop() }] : []),
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
const pollDeps = (
  db: PrimeroPollDeps['db'],
  deadLetters: PrimeroPollDeps['deadLetters'],
): PrimeroPollDeps => ({
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
});
const pollerStart = startPollerPlumbing({
  service,
  metrics,
  schema,
  infra,
  logger,
  partitions: config.PARTITIONS,
  intervalMs,
  mappingVersion: tables.version,
  signal: shutdown.signal,
  poll: ({ db, deadLetters }, signal) =>
    exclusive(() =>
      pollPrimero(
        pollDeps(db, deadLetters),
        signal,
        targetedReads
          ? {
              isPending: targetedReads.isPending,
              graceMs: config.WEBHOOK_GRACE_MS,
              foundOnlyByPoll: targetedReads.foundOnlyByPoll,
            }
          : undefined,
      ),
    ),
});
started.poller = await shutdown.starting(pollerStart);
// Its dead letters over the admin API, with the operations `pnpm dlq` runs (its tables exist now).
started.deadLetters = deadLetterOperations(
  createDb<DeadLetterAdminDatabase>(infra.pool).withSchema(schema),
  null,
);
readiness.accepting = true;
logger.info(
  { port: config.HTTP_PORT, mappings: tables.version, webhooks, pollIntervalMs: intervalMs },
  'ready',
);
