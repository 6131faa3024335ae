import { z } from 'zod';

import { adminEnv } from './admin-auth.ts';
import { defineEnv, env } from './config.ts';
import { telemetryEnv } from './telemetry.ts';

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
  ...telemetryEnv,
  SHUTDOWN_TIMEOUT_MS: {
    schema: env.positiveInt(),
    description: 'Time the first SIGTERM gets to drain before the process is forced to exit',
    default: '10000',
  },
  ...adminEnv,
});

/** Where the versioned mapping tables (CSV + manifest) live. */
export const mappingsEnv = defineEnv({
  MAPPINGS_DIR: {
    schema: env.text(),
    description:
      'Folder of the versioned mapping tables (services, provinces, agencies, statuses); relative paths start at the repository root',
    default: 'config/mappings',
  },
});

/** The broker layout shared by pollers (relay) and writers (queues): both must agree on it. */
export const partitionEnv = defineEnv({
  PARTITIONS: {
    schema: env.positiveInt(),
    description:
      'Partition queues per writer (per-case ordering); pollers and writers must use the same value',
    default: '4',
  },
});

export const pollerEnv = defineEnv({
  POLL_INTERVAL_MS: {
    schema: env.positiveInt(),
    description: 'Time between polls (the demo uses 2000); POST /admin/poll polls at once',
    default: '30000',
  },
});

export const writerEnv = defineEnv({
  RETRY_MAX_ATTEMPTS: {
    schema: env.positiveInt(),
    description: 'Attempts per event (first try included) before a transient failure is dead-lettered',
    default: '6',
  },
  PREFETCH: {
    schema: env.positiveInt(),
    description: 'Unacknowledged messages per partition consumer (processing stays sequential per partition)',
    default: '20',
  },
  DEAD_LETTER_KEY: {
    schema: z
      .string()
      .refine(
        (value) =>
          value === '' || /^[0-9a-f]{64}$/i.test(value) || Buffer.from(value, 'base64').length === 32,
        'must be empty or 32 bytes as base64 or hex (e.g. `openssl rand -base64 32`)',
      ),
    description:
      'Key that seals the events kept with dead letters (AES-256-GCM), so they can be replayed; empty = dead letters keep ids only and cannot be replayed',
    default: '',
    secret: true,
  },
  DEAD_LETTER_RETENTION_DAYS: {
    schema: env.positiveInt(),
    description: 'Days a dead letter keeps its sealed event for a replay; its ids and reason stay',
    default: '30',
  },
  WRITER_REPLICAS: {
    schema: env.positiveInt(),
    description:
      'Replicas of this writer: each is the active consumer of its share of the partitions and stands by for the rest',
    default: '1',
  },
  WRITER_STANDBY_DELAY_MS: {
    schema: env.nonNegativeInt(),
    description:
      "How long a replica waits before standing by for the other replicas' partitions (so replicas starting together split them)",
    default: '5000',
  },
  WRITER_REPLICA_INDEX: {
    schema: z.string().regex(/^\d*$/, 'must be empty or a whole number'),
    description:
      "This replica's index (0…WRITER_REPLICAS-1); empty = the number ending the host name (a StatefulSet ordinal), else 0",
    default: '',
  },
});

export const primeroEnv = defineEnv({
  PRIMERO_BASE_URL: {
    schema: env.url(['http', 'https']),
    description: 'Primero base URL (without /api/v2)',
    default: 'http://127.0.0.1:4010',
  },
  PRIMERO_USER: { schema: env.text(), description: 'Primero API user', default: 'primero-sync' },
  PRIMERO_PASSWORD: {
    schema: env.text(),
    description: 'Primero API password (the default is the simulator’s)',
    default: 'primero-sync-password',
    secret: true,
  },
  PRIMERO_AUTH: {
    // Primero ≤ 2.10 returns a JWT from /api/v2/tokens; from 2.11 only Basic works for native users.
    schema: env.oneOf(['jwt', 'basic']),
    description: 'jwt (Primero ≤ 2.10) or basic (required from Primero 2.11)',
    default: 'jwt',
  },
  PRIMERO_TIMEOUT_MS: { schema: env.positiveInt(), description: 'Primero request timeout', default: '30000' },
  PRIMERO_MAX_RPS: {
    schema: env.positiveInt(),
    description: 'Requests per second to Primero (its nginx allows 50)',
    default: '20',
  },
  PRIMERO_MAX_CONCURRENCY: {
    schema: env.positiveInt(),
    description: 'Concurrent requests to Primero',
    default: '4',
  },
});

/** The secret Primero's webhook presents to the primero-poller's receiver. */
export const webhookEnv = defineEnv({
  WEBHOOK_SECRET: {
    schema: z
      .string()
      .refine(
        (value) => value === '' || value.trim().length >= 16,
        'must be empty or at least 16 characters (user:password for basic)',
      ),
    description:
      "Primero webhook's secret: its api key (WEBHOOK_AUTH=api_key) or user:password (basic); empty = no receiver, polling only",
    default: '',
    secret: true,
    hint: "generate one with `openssl rand -hex 32` and give Primero's webhook the same",
  },
});

export const oscarEnv = defineEnv({
  OSCAR_BASE_URL: {
    schema: env.url(['http', 'https']),
    description: 'OSCaR base URL (without /api/v1)',
    default: 'http://127.0.0.1:4020',
  },
  OSCAR_EMAIL: {
    schema: env.text(),
    description: 'OSCaR API user (an admin user e-mail)',
    default: 'sync@oscar.test',
  },
  OSCAR_PASSWORD: {
    schema: env.text(),
    description: 'OSCaR API password (the default is the simulator’s)',
    default: 'oscar-sync-password',
    secret: true,
  },
  OSCAR_TIMEOUT_MS: { schema: env.positiveInt(), description: 'OSCaR request timeout', default: '60000' },
  OSCAR_MAX_RPS: { schema: env.positiveInt(), description: 'Requests per second to OSCaR', default: '10' },
  OSCAR_MAX_CONCURRENCY: {
    schema: env.positiveInt(),
    description: 'Concurrent requests to OSCaR',
    default: '2',
  },
});

/** The repository root (this file is packages/runtime/src/service-env.ts). */
export const repositoryRoot = new URL('../../../', import.meta.url).pathname;

/** Resolves a configured path: absolute as given, relative from the repository root. */
export function resolveFromRepository(path: string): string {
  return path.startsWith('/') ? path : new URL(path, `file://${repositoryRoot}`).pathname;
}
