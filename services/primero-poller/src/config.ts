import {
  commonEnv,
  type ConfigOf,
  defineEnv,
  env,
  loadConfig,
  mappingsEnv,
  partitionEnv,
  pollerEnv,
  primeroEnv,
  webhookEnv,
} from '@pos/runtime';

/** Every environment variable primero-poller reads: the only reader of process.env (STYLE.md). */
export const envSpec = defineEnv({
  ...commonEnv,
  ...primeroEnv,
  ...pollerEnv,
  ...partitionEnv,
  ...mappingsEnv,
  PRIMERO_PAGE_SIZE: {
    schema: env.positiveInt().max(1000, 'must be at most 1000 (Primero 2.10.3+ caps per at 1000)'),
    description:
      'Cases per page when paging through Primero (only the fields the mapping reads are asked for, so a page stays light)',
    default: '1000',
  },
  CURSOR_OVERLAP_MS: {
    schema: env.nonNegativeInt(),
    description:
      'How far behind the poll start the cursor stays, covering clock skew and cases saved during a page walk',
    default: '60000',
  },
  HTTP_PORT: {
    schema: env.port(),
    description:
      'Port of the health/admin HTTP server (/health/live, /health/ready), and of POST /webhooks/primero when webhooks are on',
    default: '8081',
  },
  ...webhookEnv,
  WEBHOOK_AUTH: {
    schema: env.oneOf(['api_key', 'basic']),
    description:
      "How Primero's webhook authenticates: x-api-key header (api_key) or Authorization: Basic (basic)",
    default: 'api_key',
  },
  SAFETY_POLL_INTERVAL_MS: {
    schema: env.positiveInt(),
    description:
      'Time between polls when webhooks are on (the safety net for notices lost, late or sent while the receiver was down); replaces POLL_INTERVAL_MS',
    default: '300000',
  },
  WEBHOOK_COALESCE_MS: {
    schema: env.nonNegativeInt(),
    description:
      'Wait after the first notice for a case before reading it, so the notices of a burst of saves cause one read',
    default: '250',
  },
  WEBHOOK_MAX_PENDING: {
    schema: env.positiveInt(),
    description:
      'Cases waiting for their targeted read at most; a notice past it is dropped and a poll runs instead',
    default: '10000',
  },
  WEBHOOK_GRACE_MS: {
    schema: env.nonNegativeInt(),
    description:
      'A change the safety poll finds counts as missed by the notices only when saved longer ago than this (its notice may still be on the way)',
    default: '60000',
  },
});

export type Config = ConfigOf<typeof envSpec>;

/** Webhooks are on when their secret is set: the receiver listens and the poll runs as the safety net. */
export const webhooksOn = (config: Pick<Config, 'WEBHOOK_SECRET'>): boolean => config.WEBHOOK_SECRET !== '';

/** Parses and freezes the configuration; throws a ConfigError naming every invalid variable. */
export function loadServiceConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('primero-poller', envSpec, source);
}
