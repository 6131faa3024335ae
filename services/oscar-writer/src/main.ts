// Composition root of oscar-writer: config → adapters → wire → start → shutdown.
import { ConfigError, createLogger, describeConfig, installShutdown, openInfrastructure } from '@pos/runtime';

import { envSpec, loadServiceConfig } from './config.ts';
import { buildApp } from './http/app.ts';

const service = 'oscar-writer';

let config;
try {
  config = loadServiceConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(78);
}

const logger = createLogger({ service, level: config.LOG_LEVEL });
logger.info({ config: describeConfig(envSpec, config) }, 'starting');

const infra = await openInfrastructure({
  service,
  logger,
  databaseUrl: config.DATABASE_URL,
  amqpUrl: config.AMQP_URL,
});
const app = buildApp({ logger, readiness: infra.readiness });

installShutdown({
  logger,
  timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  stages: [
    { name: 'stop accepting work', run: async () => void (infra.readiness.accepting = false) },
    { name: 'close http server', run: () => app.close() },
    ...infra.closeStages,
  ],
});

await app.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
infra.readiness.accepting = true;
logger.info({ port: config.HTTP_PORT }, 'ready');
