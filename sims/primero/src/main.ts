import { buildPrimeroSim } from './app.ts';
import { loadConfig } from './config.ts';

/** Standalone Primero simulator: `pnpm sim:primero`. */
const config = loadConfig(process.env);
const app = buildPrimeroSim({
  version: config.version,
  syncUser: config.syncUser,
  syncPassword: config.syncPassword,
  usersPassword: config.usersPassword,
  controlToken: config.controlToken,
  jwtTtlSeconds: config.jwtTtlSeconds,
  ...(config.perPageCap === undefined ? {} : { perPageCap: config.perPageCap }),
  logger: { level: config.logLevel },
  webhooks: config.webhooks,
  moduleOptions: Object.fromEntries(
    config.webhookModules.map((id) => [id, { use_webhooks_for: ['case'], use_webhook_sync_for: ['case'] }]),
  ),
  webhookPollMs: config.webhookPollMs,
  webhookTimeoutMs: config.webhookTimeoutMs,
  hostname: config.hostname,
});

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) {
    app.log.warn({ signal }, 'second signal, exiting now');
    process.exit(1);
  }
  stopping = true;
  app.log.info({ signal }, 'shutting down');
  const force = setTimeout(() => process.exit(1), 10_000);
  force.unref();
  app.close().then(
    () => process.exit(0),
    (error: unknown) => {
      app.log.error({ err: error }, 'error while closing');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

try {
  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { version: config.version, webhooks: config.webhooks.length, webhookPollMs: config.webhookPollMs },
    'Primero simulator ready',
  );
} catch (error) {
  app.log.error({ err: error }, 'could not start');
  process.exit(1);
}
