/** Environment of the standalone OSCaR simulator. The only reader of `process.env` in this package. */
export interface OscarSimConfig {
  port: number;
  host: string;
  email: string;
  password: string;
  controlToken: string;
  strictStatusesAuth: boolean;
  /** Synthetic clients created at start (0 = start empty). */
  seedCount: number;
  seed: number;
  logLevel: string;
}

/** name, default, meaning — also the README's env table. */
export const envTable: readonly [string, string, string][] = [
  ['PORT', '4020', 'HTTP port'],
  ['HOST', '0.0.0.0', 'bind address'],
  ['OSCAR_SIM_EMAIL', 'sync@oscar.test', 'API user email (its uid; the external system token)'],
  ['OSCAR_SIM_PASSWORD', 'oscar-sync-password', 'API user password'],
  ['SIM_CONTROL_TOKEN', 'sim-control', 'x-control-token for /_control/'],
  [
    'OSCAR_SIM_STRICT_STATUSES_AUTH',
    'false',
    'require the token on update_statuses (the real server does not)',
  ],
  ['OSCAR_SIM_SEED_COUNT', '0', 'synthetic clients to create at start'],
  ['OSCAR_SIM_SEED', '42', 'seed for those clients'],
  ['LOG_LEVEL', 'info', 'pino level (fatal, error, warn, info, debug, trace, silent)'],
];

const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses and freezes the config; reports every invalid variable at once, with how to fix it. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<OscarSimConfig> {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} is not an integer from ${min} to ${max}: set it to e.g. ${fallback}`);
      return fallback;
    }
    return value;
  };
  const text = (name: string, fallback: string): string => {
    const raw = env[name];
    return raw === undefined || raw === '' ? fallback : raw;
  };
  const strictRaw = text('OSCAR_SIM_STRICT_STATUSES_AUTH', 'false');
  if (!['true', 'false'].includes(strictRaw))
    problems.push('OSCAR_SIM_STRICT_STATUSES_AUTH must be true or false');
  const logLevel = text('LOG_LEVEL', 'info');
  if (!levels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${levels.join(', ')}`);
  const config: OscarSimConfig = {
    port: integer('PORT', 4020, 1, 65_535),
    host: text('HOST', '0.0.0.0'),
    email: text('OSCAR_SIM_EMAIL', 'sync@oscar.test'),
    password: text('OSCAR_SIM_PASSWORD', 'oscar-sync-password'),
    controlToken: text('SIM_CONTROL_TOKEN', 'sim-control'),
    strictStatusesAuth: strictRaw === 'true',
    seedCount: integer('OSCAR_SIM_SEED_COUNT', 0, 0, 1_000_000),
    seed: integer('OSCAR_SIM_SEED', 42, -2_147_483_648, 2_147_483_647),
    logLevel,
  };
  if (problems.length > 0)
    throw new Error(`Invalid OSCaR simulator configuration:\n  - ${problems.join('\n  - ')}`);
  return Object.freeze(config);
}
