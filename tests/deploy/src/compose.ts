import { Ajv, type ErrorObject } from 'ajv';
import { parse } from 'yaml';

import { readRepositoryFile } from './apps.ts';

/** A parsed compose file: plain JSON-like data, YAML anchors and `<<` merge keys resolved. */
export type ComposeFile = Record<string, unknown>;

export function parseCompose(text: string): ComposeFile {
  const data: unknown = parse(text, { merge: true });
  if (!isMap(data)) throw new Error('a compose file must be a mapping at the top');
  return data;
}

export function readCompose(path: string): ComposeFile {
  return parseCompose(readRepositoryFile(path));
}

/** `KEY=VALUE` lines of an env file such as .env.example (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [index, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (!match) throw new Error(`env file line ${index + 1} is not KEY=VALUE: ${JSON.stringify(line)}`);
    values[match[1] ?? ''] = match[2] ?? '';
  }
  return values;
}

/** A `${NAME…}` reference in a compose file, with the operator it uses (`:?` = required, `:-` = default). */
export interface VariableReference {
  name: string;
  operator: string | undefined;
  /** Where it was found, e.g. `services.postgres.environment.POSTGRES_PASSWORD`. */
  path: string;
}

const reference = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Every variable a compose file refers to (in values; compose does not interpolate keys). */
export function variableReferences(data: unknown, path = ''): VariableReference[] {
  if (typeof data === 'string') {
    return [...data.matchAll(reference)]
      .filter((match) => match[0] !== '$$')
      .map((match) => ({ name: match[1] ?? match[4] ?? '', operator: match[2], path }));
  }
  if (Array.isArray(data)) return data.flatMap((item, i) => variableReferences(item, `${path}[${i}]`));
  if (isMap(data)) {
    return Object.entries(data).flatMap(([key, value]) =>
      variableReferences(value, path === '' ? key : `${path}.${key}`),
    );
  }
  return [];
}

/**
 * Interpolates like `docker compose config`: `$$` → `$`, `$NAME`, `${NAME}`, `${NAME:-default}`,
 * `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`, `${NAME:+alt}`, `${NAME+alt}`. A missing required
 * variable throws with compose's message. Nested `${…}` in a default is not modelled (it throws).
 */
export function interpolate<T>(data: T, env: Readonly<Record<string, string>>): T {
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') return interpolateString(value, env, path);
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`));
    if (isMap(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, path === '' ? key : `${path}.${key}`)]),
      );
    }
    return value;
  };
  return walk(data, '') as T;
}

function interpolateString(text: string, env: Readonly<Record<string, string>>, path: string): string {
  return text.replace(
    reference,
    (whole, braced: string | undefined, operator: string | undefined, operand: string | undefined, bare) => {
      if (whole === '$$') return '$';
      const name = braced ?? (bare as string);
      const value = env[name];
      const unset = value === undefined;
      const empty = unset || value === '';
      if (operand?.includes('${')) throw new Error(`${path}: nested interpolation is not modelled`);
      switch (operator) {
        case ':-':
          return empty ? (operand ?? '') : value;
        case '-':
          return unset ? (operand ?? '') : value;
        case ':?':
        case '?':
          if (operator === ':?' ? empty : unset) {
            throw new Error(`${path}: required variable ${name} is missing a value: ${operand ?? ''}`);
          }
          return value ?? '';
        case ':+':
          return empty ? '' : (operand ?? '');
        case '+':
          return unset ? '' : (operand ?? '');
        default:
          return value ?? '';
      }
    },
  );
}

/**
 * Merges an override file into a base the way compose does for the shapes this project uses: mappings
 * merge key by key (environment and depends_on lists count as mappings), scalars are replaced. Compose
 * merges sequences (ports, volumes) by rules this function does not model, so it refuses them.
 */
export function mergeCompose(base: ComposeFile, override: ComposeFile): ComposeFile {
  return mergeValue(normalise(base), normalise(override), '') as ComposeFile;
}

function mergeValue(base: unknown, override: unknown, path: string): unknown {
  if (isMap(base) && isMap(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      merged[key] = key in base ? mergeValue(base[key], value, path === '' ? key : `${path}.${key}`) : value;
    }
    return merged;
  }
  if (Array.isArray(base) || Array.isArray(override)) {
    throw new Error(`${path}: both files set this sequence; write the override without it`);
  }
  return override;
}

/** environment and depends_on in their mapping form. */
function normalise(file: ComposeFile): ComposeFile {
  const services = file.services;
  if (!isMap(services)) return file;
  const normalised: Record<string, unknown> = {};
  for (const [name, service] of Object.entries(services)) {
    if (!isMap(service)) {
      normalised[name] = service;
      continue;
    }
    const copy: Record<string, unknown> = { ...service };
    if (Array.isArray(copy.environment)) {
      copy.environment = Object.fromEntries(
        copy.environment.map((entry) => {
          const text = String(entry);
          const at = text.indexOf('=');
          return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
        }),
      );
    }
    if (Array.isArray(copy.depends_on)) {
      copy.depends_on = Object.fromEntries(
        copy.depends_on.map((dependency) => [String(dependency), { condition: 'service_started' }]),
      );
    }
    normalised[name] = copy;
  }
  return { ...file, services: normalised };
}

/** Validates against the Compose Specification's JSON Schema (vendored, see schemas/README.md). */
export function composeSchemaProblems(file: unknown): string[] {
  if (!validateCompose(file)) return (validateCompose.errors ?? []).map(describeError);
  return [];
}

const composeSchema = JSON.parse(readRepositoryFile('tests/deploy/schemas/compose-spec.json')) as Record<
  string,
  unknown
>;
// The schema names the draft-07 meta-schema by its https URL, which ajv knows by its http one.
delete composeSchema.$schema;
const validateCompose = new Ajv({ allErrors: true, strict: false }).compile(composeSchema);

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(top)' : error.instancePath;
  const detail = error.keyword === 'additionalProperties' ? ` (${JSON.stringify(error.params)})` : '';
  return `${where} ${error.message ?? error.keyword}${detail}`;
}

/** The services of a (merged) compose file. */
export function composeServices(file: ComposeFile): Record<string, Record<string, unknown>> {
  const services = file.services;
  if (!isMap(services)) throw new Error('the compose file has no services');
  const result: Record<string, Record<string, unknown>> = {};
  for (const [name, service] of Object.entries(services)) {
    if (!isMap(service)) throw new Error(`services.${name} is not a mapping`);
    result[name] = service;
  }
  return result;
}

/** A service's environment as name → value (null: passed through from the shell). */
export function environmentOf(service: Record<string, unknown>): Record<string, string | null> {
  const environment = service.environment;
  if (environment === undefined) return {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const text = String(entry);
        const at = text.indexOf('=');
        return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
      }),
    );
  }
  if (!isMap(environment)) throw new Error('environment must be a mapping or a list');
  return Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      value === null || value === undefined ? null : String(value as string | number | boolean),
    ]),
  );
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
