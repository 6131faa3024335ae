import { parseVersion, supportedVersionHint } from './core/version.ts';

/**
 * The only reader of process.env for the standalone simulator. Every invalid variable is reported at
 * once, then the config is frozen.
 */

export interface PrimeroSimConfig {
  readonly port: number;
  readonly host: string;
  readonly version: string;
  readonly syncUser: string;
  readonly syncPassword: string;
  readonly usersPassword: string;
  readonly controlToken: string;
  readonly jwtTtlSeconds: number;
  /** `PRIMERO_SIM_PER_PAGE_CAP`: a number, `none`, or unset for the version's default. */
  readonly perPageCap: number | null | undefined;
  readonly logLevel: string;
}

/** Name, default and meaning of each variable (rendered in the README). */
export const envTable = [
  ['PORT', '4010', 'HTTP port'],
  ['HOST', '0.0.0.0', 'listen address'],
  ['PRIMERO_SIM_VERSION', '2.5', 'Primero behaviour to simulate: 2.5 (v2.5–v2.10), 2.10.3, 2.11'],
  ['PRIMERO_SIM_USER', 'primero-sync', 'the integration user'],
  ['PRIMERO_SIM_PASSWORD', 'primero-sync-password', "the integration user's password"],
  ['PRIMERO_SIM_USERS_PASSWORD', 'primero-user-password', 'password of every other built-in user'],
  ['SIM_CONTROL_TOKEN', 'sim-control', '`x-control-token` for /_control/'],
  ['PRIMERO_SIM_JWT_TTL_SECONDS', '3600', 'JWT lifetime'],
  ['PRIMERO_SIM_PER_PAGE_CAP', '(by version)', '`per` cap: a number or `none`'],
  ['LOG_LEVEL', 'info', 'pino level'],
] as const;

export function loadConfig(env: Readonly<Record<string, string | undefined>>): PrimeroSimConfig {
  const problems: string[] = [];
  const text = (name: string, fallback: string): string => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number, hint: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} is not valid (${JSON.stringify(raw)}): ${hint}`);
      return fallback;
    }
    return value;
  };

  const version = text('PRIMERO_SIM_VERSION', '2.5');
  if (parseVersion(version) === undefined)
    problems.push(`PRIMERO_SIM_VERSION is not valid (${JSON.stringify(version)}): ${supportedVersionHint}`);
  const capRaw = env.PRIMERO_SIM_PER_PAGE_CAP;
  let perPageCap: number | null | undefined;
  if (capRaw === 'none') perPageCap = null;
  else if (capRaw !== undefined && capRaw !== '') {
    perPageCap = integer(
      'PRIMERO_SIM_PER_PAGE_CAP',
      1000,
      1,
      1_000_000,
      'set it to a positive integer or `none`',
    );
  }

  const config: PrimeroSimConfig = {
    port: integer('PORT', 4010, 0, 65_535, 'set it to a port number such as 4010'),
    host: text('HOST', '0.0.0.0'),
    version,
    syncUser: text('PRIMERO_SIM_USER', 'primero-sync'),
    syncPassword: text('PRIMERO_SIM_PASSWORD', 'primero-sync-password'),
    usersPassword: text('PRIMERO_SIM_USERS_PASSWORD', 'primero-user-password'),
    controlToken: text('SIM_CONTROL_TOKEN', 'sim-control'),
    jwtTtlSeconds: integer(
      'PRIMERO_SIM_JWT_TTL_SECONDS',
      3600,
      1,
      31_536_000,
      'set it to a number of seconds such as 3600',
    ),
    perPageCap,
    logLevel: text('LOG_LEVEL', 'info'),
  };
  if (problems.length > 0)
    throw new Error(`Invalid Primero simulator configuration:\n- ${problems.join('\n- ')}`);
  return Object.freeze(config);
}
