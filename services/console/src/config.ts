import {
  commonEnv,
  type ConfigOf,
  defineEnv,
  env,
  loadConfig,
  mappingsEnv,
  oscarEnv,
  primeroEnv,
  writerEnv,
} from '@pos/runtime';
import { z } from 'zod';

import { isPasswordHash } from './auth/password-hash.ts';

/** Shortest session secret accepted (@fastify/session signs the cookie with it). */
export const minSessionSecretLength = 32;

/** Every environment variable the console reads: the only reader of process.env (STYLE.md). */
export const envSpec = defineEnv({
  ...commonEnv,
  ...mappingsEnv,
  // Read only by "check against the live systems" (packages/mapping-check): the services' own credentials.
  ...primeroEnv,
  ...oscarEnv,
  HTTP_PORT: {
    schema: env.port(),
    description: 'Port of the console (its pages, /health/live, /health/ready and /metrics)',
    default: '8085',
  },
  CONSOLE_USER: {
    schema: env.text(),
    description: 'User name of the console login (recorded as the actor of every replay and discard)',
    default: 'admin',
  },
  CONSOLE_PASSWORD_HASH: {
    schema: z
      .string()
      .refine(isPasswordHash, 'must be a hash made by `pnpm console:hash-password` (scrypt:…)'),
    description: 'scrypt hash of the console password, made with `pnpm console:hash-password`',
    secret: true,
    hint: 'run `pnpm console:hash-password` and paste its output',
  },
  CONSOLE_SESSION_SECRET: {
    schema: z
      .string()
      .refine(
        (value) => value.trim().length >= minSessionSecretLength,
        `must be at least ${minSessionSecretLength} characters`,
      ),
    description: 'Key that signs the session cookie; changing it signs every operator out',
    secret: true,
    hint: 'generate one with `openssl rand -hex 32`',
  },
  CONSOLE_SESSION_MINUTES: {
    schema: env.positiveInt(),
    description: 'How long a login lasts without a visit, in minutes',
    default: '480',
  },
  CONSOLE_COOKIE_SECURE: {
    schema: env.boolean(),
    description:
      'Send the session cookie over HTTPS only: set true wherever the console is served over HTTPS',
    default: 'false',
  },
  CONSOLE_TIME_ZONE: {
    schema: z.string().refine(isTimeZone, 'must be an IANA time zone such as Asia/Phnom_Penh'),
    description: 'Time zone the pages show dates in',
    default: 'Asia/Phnom_Penh',
  },
  PRIMERO_POLLER_URL: {
    schema: env.url(['http', 'https']),
    description: "primero-poller's HTTP base URL (the console calls its /admin/status and /admin/poll)",
    default: 'http://127.0.0.1:8081',
  },
  OSCAR_POLLER_URL: {
    schema: env.url(['http', 'https']),
    description: "oscar-poller's HTTP base URL (the console calls its /admin/status and /admin/poll)",
    default: 'http://127.0.0.1:8082',
  },
  AMQP_MANAGEMENT_URL: {
    schema: env.url(['http', 'https']),
    description:
      'RabbitMQ management API base URL, for queue depths (credentials in the URL, else those of AMQP_URL); the vhost is AMQP_URL’s',
    default: 'http://127.0.0.1:15672',
  },
  DEAD_LETTER_KEY: {
    ...writerEnv.DEAD_LETTER_KEY,
    description:
      "The writers' DEAD_LETTER_KEY: the console needs it to replay a writer's dead letter; empty = only the pollers' dead letters can be replayed",
  },
  JAEGER_UI_URL: {
    schema: env.optionalUrl(['http', 'https']),
    description:
      "Jaeger's web UI (e.g. http://127.0.0.1:16686): a case's history links to its traces; empty = no links",
    default: '',
  },
});

export type Config = ConfigOf<typeof envSpec>;

/** Parses and freezes the configuration; throws a ConfigError naming every invalid variable. */
export function loadServiceConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('console', envSpec, source);
}

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
