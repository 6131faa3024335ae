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
    description: 'Port of the health/admin HTTP server (/health/live, /health/ready)',
    default: '8081',
  },
});

export type Config = ConfigOf<typeof envSpec>;

/** Parses and freezes the configuration; throws a ConfigError naming every invalid variable. */
export function loadServiceConfig(source: Record<string, string | undefined> = process.env): Config {
  return loadConfig('primero-poller', envSpec, source);
}
