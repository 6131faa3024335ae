// Composition root of the console: config → adapters → wire → start → shutdown.
// Tracing first: ES modules run in import order, so it starts (and patches pg and fastify) before the
// imports below load them.
import './telemetry.ts';

import { createOscarClient, createPrimeroClient } from '@pos/clients';
import { checkMappingsAgainstLive } from '@pos/mapping-check';
import { payloadCipher, retryWhileServersAway } from '@pos/messaging';
import {
  createDb,
  createLogger,
  createMetricsRegistry,
  createPool,
  describeConfig,
  installShutdown,
  loadConfigOrExit,
  loadMappingTables,
  pingPostgres,
  startupReadiness,
  waitForServer,
} from '@pos/runtime';

import { createPollersClient } from './adapters/pollers.client.ts';
import { createQueueDepthReader } from './adapters/rabbitmq-management.ts';
import {
  type ConsoleDatabase,
  consoleSchema,
  createSessionStore,
  migrateConsole,
} from './adapters/sessions.repository.ts';
import { envSpec, loadServiceConfig } from './config.ts';
import { buildApp } from './http/app.ts';
import { telemetry } from './telemetry.ts';

const service = 'console';
const config = loadConfigOrExit(loadServiceConfig);
const logger = createLogger({ service, level: config.LOG_LEVEL });
logger.info({ config: describeConfig(envSpec, config) }, 'starting');
if (config.ADMIN_TOKEN === '') {
  logger.warn('ADMIN_TOKEN is not set: the console cannot read the pollers’ status or poll them');
}
const registry = createMetricsRegistry(service);
const readiness = startupReadiness(['postgres']);
// Few connections: every page reads a handful of aggregates.
const pool = createPool(config.DATABASE_URL, { applicationName: service, max: 4 });
const db = createDb<unknown>(pool);
const sessionTtlMs = config.CONSOLE_SESSION_MINUTES * 60_000;
const sessions = createSessionStore(createDb<ConsoleDatabase>(pool).withSchema(consoleSchema), sessionTtlMs);

// Read only by "check against the live systems": the lookups, locations, agencies and organisations.
const primero = createPrimeroClient({
  baseUrl: config.PRIMERO_BASE_URL,
  user: config.PRIMERO_USER,
  password: config.PRIMERO_PASSWORD,
  auth: config.PRIMERO_AUTH,
  timeoutMs: config.PRIMERO_TIMEOUT_MS,
  maxRequestsPerSecond: config.PRIMERO_MAX_RPS,
  maxConcurrency: config.PRIMERO_MAX_CONCURRENCY,
});
const oscar = createOscarClient({
  baseUrl: config.OSCAR_BASE_URL,
  email: config.OSCAR_EMAIL,
  password: config.OSCAR_PASSWORD,
  timeoutMs: config.OSCAR_TIMEOUT_MS,
  maxRequestsPerSecond: config.OSCAR_MAX_RPS,
  maxConcurrency: config.OSCAR_MAX_CONCURRENCY,
});

const app = buildApp({
  logger,
  readiness,
  metrics: registry,
  auth: {
    user: config.CONSOLE_USER,
    passwordHash: config.CONSOLE_PASSWORD_HASH,
    sessionSecret: config.CONSOLE_SESSION_SECRET,
    sessionMinutes: config.CONSOLE_SESSION_MINUTES,
    cookieSecure: config.CONSOLE_COOKIE_SECURE,
  },
  sessionStore: sessions,
  db,
  pollers: createPollersClient({
    urls: { 'primero-poller': config.PRIMERO_POLLER_URL, 'oscar-poller': config.OSCAR_POLLER_URL },
    adminToken: config.ADMIN_TOKEN,
  }),
  queueDepths: createQueueDepthReader({
    managementUrl: config.AMQP_MANAGEMENT_URL,
    amqpUrl: config.AMQP_URL,
  }),
  mappings: {
    dir: config.MAPPINGS_DIR,
    load: () => loadMappingTables(config.MAPPINGS_DIR),
    check: (tables) => checkMappingsAgainstLive({ tables, primero, oscar }),
  },
  cipher: payloadCipher(config.DEAD_LETTER_KEY),
  timeZone: config.CONSOLE_TIME_ZONE,
  jaegerUiUrl: config.JAEGER_UI_URL,
});

/** The session pruning timer, once start-up has begun it. */
const pruning: { timer?: NodeJS.Timeout } = {};
const shutdown = installShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stages: () => [
    { name: 'stop accepting work', run: async () => void (readiness.accepting = false) },
    { name: 'stop pruning sessions', run: async () => clearInterval(pruning.timer) },
    { name: 'close http server', run: () => app.close() },
    { name: 'close database pool', run: () => pool.end() },
    { name: 'flush telemetry', run: () => telemetry.shutdown() },
  ],
});
await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });

// Not ready until Postgres answers (one log line per attempt); a SIGTERM meanwhile ends the wait.
await shutdown.starting(
  waitForServer({
    server: { name: 'PostgreSQL', url: config.DATABASE_URL, variable: 'DATABASE_URL' },
    connect: () => pingPostgres(pool),
    logger,
    signal: shutdown.signal,
  }),
);
await shutdown.starting(retryWhileServersAway(() => migrateConsole(db), shutdown.signal));
readiness.checks.postgres = () => pingPostgres(pool);
pruning.timer = setInterval(() => {
  sessions.prune().catch((error: unknown) => {
    logger.warn({ reason: error instanceof Error ? error.message : 'unknown' }, 'pruning sessions failed');
  });
}, 15 * 60_000);
pruning.timer.unref();
readiness.accepting = true;
logger.info({ port: config.HTTP_PORT, url: `http://${config.HTTP_HOST}:${config.HTTP_PORT}/` }, 'ready');
