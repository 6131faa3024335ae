import {
  commonEnv,
  type ConfigOf,
  defineEnv,
  env,
  loadConfig,
  mappingsEnv,
  oscarEnv,
  partitionEnv,
  pollerEnv,
} from '@pos/runtime';

/** Every environment variable oscar-poller reads: the only reader of process.env (STYLE.md). */
export const envSpec = defineEnv({
  ...commonEnv,
  ...oscarEnv,
  ...pollerEnv,
  ...partitionEnv,
  ...mappingsEnv,
  HTTP_PORT: {
    schema: env.port(),
    description: 'Port of the health/admin HTTP server (/health/live, /health/ready)',
    default: '8082',
  },
});

export type Config = ConfigOf<typeof envSpec>;

/** Parses and freezes the configuration; throws a ConfigError naming every invalid variable. */
export function loadServiceConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('oscar-poller', envSpec, source);
}
