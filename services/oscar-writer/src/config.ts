import {
  commonEnv,
  type ConfigOf,
  defineEnv,
  env,
  loadConfig,
  mappingsEnv,
  oscarEnv,
  partitionEnv,
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
});

export type Config = ConfigOf<typeof envSpec>;

/** Parses and freezes the configuration; throws a ConfigError naming every invalid variable. */
export function loadServiceConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('oscar-writer', envSpec, source);
}
