import { z } from 'zod';

/** One environment variable: how to parse it, what it means, its default, and whether it is a secret. */
export interface EnvVar<T = unknown> {
  schema: z.ZodType<T>;
  description: string;
  /** The value used when the variable is unset or empty (as the raw string, shown in the README table). */
  default?: string;
  /** Secrets are never printed, not even in error messages. */
  secret?: boolean;
  /** How to fix a bad value, appended to the error ("set it to …"). */
  hint?: string;
}

export type EnvSpec = Record<string, EnvVar>;
export type ConfigOf<S extends EnvSpec> = Readonly<{
  [K in keyof S]: S[K] extends EnvVar<infer T> ? T : never;
}>;

/** Declares a service's environment; the result is both the parser's input and the README's env table. */
export function defineEnv<const S extends EnvSpec>(spec: S): S {
  return spec;
}

/** Raised with every invalid variable at once. Its message never contains a secret's value. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly string[];
  constructor(service: string, problems: readonly string[]) {
    super(`${service}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment through the spec, reports every invalid variable at once with how to fix it,
 * and returns a frozen config object keyed by variable name.
 */
export function loadConfig<const S extends EnvSpec>(
  service: string,
  spec: S,
  env: Record<string, string | undefined> = process.env,
): ConfigOf<S> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(spec)) {
    const raw = env[name];
    const input = raw === undefined || raw === '' ? variable.default : raw;
    if (input === undefined) {
      problems.push(
        `${name} is required: ${variable.description}${variable.hint ? ` (${variable.hint})` : ''}`,
      );
      continue;
    }
    const result = variable.schema.safeParse(input);
    if (result.success) {
      values[name] = result.data;
      continue;
    }
    const reason = result.error.issues.map((issue) => issue.message).join('; ');
    const shown = variable.secret ? '(secret, not shown)' : JSON.stringify(input);
    problems.push(`${name}=${shown} is invalid: ${reason}${variable.hint ? ` — ${variable.hint}` : ''}`);
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return Object.freeze(values) as ConfigOf<S>;
}

/** Config with secrets masked, for a start-up log line. */
export function describeConfig(
  spec: EnvSpec,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, variable] of Object.entries(spec)) {
    const value = config[name];
    shown[name] = variable.secret ? '***' : typeof value === 'string' ? maskUrlPassword(value) : value;
  }
  return shown;
}

/** `amqp://guest:guest@host` → `amqp://guest:***@host`; other strings unchanged. */
export function maskUrlPassword(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** Reusable variable schemas. Environment values are strings; these coerce and check them. */
export const env = {
  url: (protocols: readonly string[]) =>
    z.string().refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `must be a ${protocols.join(' or ')} URL` },
    ),
  /** A URL, or empty for "not set". */
  optionalUrl: (protocols: readonly string[]) =>
    z.string().refine(
      (value) => {
        if (value === '') return true;
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { message: `must be empty or a ${protocols.join(' or ')} URL` },
    ),
  /** An ISO-8601 date-time, or empty for "not set". */
  optionalDateTime: () =>
    z
      .string()
      .refine(
        (value) => value === '' || (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value))),
        {
          message: 'must be empty or an ISO date-time such as 2026-11-29T00:00:00Z',
        },
      ),
  port: () =>
    z.coerce.number().int('must be a whole number').min(0).max(65535, 'must be a TCP port (0–65535)'),
  positiveInt: () => z.coerce.number().int('must be a whole number').positive('must be greater than 0'),
  nonNegativeInt: () => z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  text: () => z.string().min(1, 'must not be empty'),
  oneOf: <const T extends readonly [string, ...string[]]>(values: T) =>
    z.enum(values, { message: `must be one of ${values.join(', ')}` }),
  boolean: () =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .transform((v) => v === 'true' || v === '1'),
} as const;

/**
 * The first step of every `main.ts`: the config, or — when the environment is invalid — every problem on
 * stderr and exit 78 (configuration error), before anything is opened.
 */
export function loadConfigOrExit<C>(load: () => C): C {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(78);
  }
}
