import { defineEnv, env } from './config.ts';

/** Variables every service reads. Each service's `config.ts` spreads these into its own spec. */
export const commonEnv = defineEnv({
  DATABASE_URL: {
    schema: env.url(['postgres', 'postgresql']),
    description: 'Postgres connection URL; the service keeps its tables in its own schema',
    default: 'postgres://postgres@127.0.0.1:5432/test',
    hint: 'set it to postgres://user:password@host:5432/database',
  },
  AMQP_URL: {
    schema: env.url(['amqp', 'amqps']),
    description: 'RabbitMQ connection URL',
    default: 'amqp://guest:guest@127.0.0.1:5672',
    hint: 'set it to amqp://user:password@host:5672/vhost',
  },
  HTTP_HOST: {
    schema: env.text(),
    description: 'Interface the health/admin HTTP server listens on',
    default: '0.0.0.0',
  },
  LOG_LEVEL: {
    schema: env.logLevel(),
    description: 'Log level (logs carry ids only, never personal data)',
    default: 'info',
    hint: 'use one of fatal, error, warn, info, debug, trace, silent',
  },
  SHUTDOWN_TIMEOUT_MS: {
    schema: env.positiveInt(),
    description: 'Time the first SIGTERM gets to drain before the process is forced to exit',
    default: '10000',
  },
});
