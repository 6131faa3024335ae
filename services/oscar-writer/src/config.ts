import {
  commonEnv,
  type ConfigOf,
  defineEnv,
  env,
  loadConfig,
  mappingsEnv,
  oscarEnv,
  partitionEnv,
  primeroEnv,
  writerEnv,
} from '@pos/runtime';

/** Every environment variable oscar-writer reads: the only reader of process.env (STYLE.md). */
export const envSpec = defineEnv({
  ...commonEnv,
  ...oscarEnv,
  ...writerEnv,
  ...partitionEnv,
  ...mappingsEnv,
  REFERRALS_CREATED_SINCE: {
    schema: env.optionalDateTime(),
    description:
      'Cut-over from the legacy job: only Primero referrals created at or after this ISO time are sent (empty = all)',
    default: '',
  },
  HTTP_PORT: {
    schema: env.port(),
    description: 'Port of the health/admin HTTP server (/health/live, /health/ready)',
    default: '8084',
  },
  PRIMERO_SYNC_STATUS_URL: {
    schema: env.optionalUrl(['http', 'https']),
    description:
      "The sync's webhook URL as configured in Primero: cases whose change reached OSCaR are marked synced for it (failed when dead-lettered), through PRIMERO_BASE_URL as PRIMERO_USER (needs sync_external); empty = no status reported",
    default: '',
  },
  SYNC_STATUS_INTERVAL_MS: {
    schema: env.positiveInt(),
    description: 'Time between rounds of sync statuses reported to Primero',
    default: '1000',
  },
  ...primeroEnv,
});

export type Config = ConfigOf<typeof envSpec>;

/** Parses and freezes the configuration; throws a ConfigError naming every invalid variable. */
export function loadServiceConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('oscar-writer', envSpec, source);
}
