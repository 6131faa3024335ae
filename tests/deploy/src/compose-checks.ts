import { ConfigError, loadConfig } from '@pos/runtime';

import {
  appOfImage,
  apps,
  type DeployableApp,
  imageProblems,
  optionalCredentials,
  services,
  simulators,
} from './apps.ts';
import { type ComposeFile, composeServices, environmentOf, isMap, variableReferences } from './compose.ts';

/** What the image built by the Dockerfile brings: its default env, and whether it has a HEALTHCHECK. */
export interface ImageFacts {
  env: Readonly<Record<string, string>>;
  healthcheck: boolean;
}

/** Every service names an image: one the Dockerfile builds (from the app's folder, named after it) or a pinned public one. */
export function composeImageProblems(file: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(composeServices(file))) {
    const image = service.image;
    if (typeof image !== 'string') {
      problems.push(`${name}: name its image (image: …), so compose and Kubernetes use the same names`);
      continue;
    }
    problems.push(...imageProblems(image).map((p) => `${name}: ${p}`));
    const built = appOfImage(image);
    const build = service.build;
    if (build === undefined) {
      if (built) problems.push(`${name}: ${image} is built by the Dockerfile: give it a build: with APP`);
      continue;
    }
    const args = isMap(build) && isMap(build.args) ? build.args : {};
    const app = apps.find((candidate) => candidate.folder === args.APP);
    if (!app) {
      problems.push(
        `${name}: build.args.APP must be the folder of a deployable app (${apps.map((a) => a.folder).join(', ')})`,
      );
    } else if (built !== app) {
      problems.push(
        `${name}: an image built from ${app.folder} must be named ${app.image}:<tag>, not ${image}`,
      );
    }
  }
  return problems;
}

/**
 * The environment of every app of ours in a merged, interpolated compose file: only variables its config
 * reads, every credential given, the service's config parses (with its defaults for the rest), HTTP on the
 * port the image's HEALTHCHECK probes, and a stop grace period longer than SHUTDOWN_TIMEOUT_MS.
 */
export function composeEnvironmentProblems(file: ComposeFile, image: ImageFacts): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(composeServices(file))) {
    const app = typeof service.image === 'string' ? appOfImage(service.image) : undefined;
    if (!app) continue;
    const env = environmentOf(service);
    for (const variable of Object.keys(env)) {
      if (!app.envNames.has(variable)) {
        problems.push(
          `${name}: ${variable} is not read by ${app.packageName}: remove it, or add it to its config`,
        );
      }
    }
    for (const [variable, value] of Object.entries(env)) {
      if (value === null) problems.push(`${name}: ${variable} has no value: set it (from .env)`);
    }
    const given = (variable: string) => env[variable] ?? image.env[variable];
    if (app.kind === 'service') {
      for (const credential of app.credentials) {
        if (optionalCredentials.has(credential) && env[credential] === undefined) continue;
        if (!env[credential])
          problems.push(`${name}: set ${credential} (from .env): its default is the simulator's`);
      }
      problems.push(...configProblems(name, app, { ...image.env, ...nonNull(env) }));
      const port = given('HTTP_PORT');
      if (port !== image.env.HTTP_PORT) {
        problems.push(`${name}: HTTP_PORT=${port} but the image's HEALTHCHECK probes ${image.env.HTTP_PORT}`);
      }
      const timeout = Number(given('SHUTDOWN_TIMEOUT_MS') ?? app.spec.SHUTDOWN_TIMEOUT_MS?.default);
      const grace = durationMs(service.stop_grace_period) ?? 10_000;
      if (!(grace > timeout)) {
        problems.push(
          `${name}: stop_grace_period (${grace} ms) must exceed SHUTDOWN_TIMEOUT_MS (${timeout} ms)`,
        );
      }
    } else {
      const port = given('PORT');
      if (port !== image.env.HTTP_PORT) {
        problems.push(
          `${name}: PORT=${port} but the image's HEALTHCHECK probes HTTP_PORT=${image.env.HTTP_PORT}`,
        );
      }
    }
    for (const [container, published] of publishedPorts(service)) {
      if (container !== Number(given(app.kind === 'service' ? 'HTTP_PORT' : 'PORT'))) {
        problems.push(
          `${name}: publishes container port ${container} (host ${published}), not the app's port`,
        );
      }
    }
  }
  return problems;
}

function configProblems(name: string, app: DeployableApp, env: Record<string, string>): string[] {
  if (app.kind !== 'service') return [];
  try {
    loadConfig(app.name, app.spec, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${name}: ${problem}`);
    throw error;
  }
}

/**
 * In the files as written (before interpolation): a credential — any variable an app of ours treats as
 * one, or whose name says so — is never written out but taken from .env with `${NAME:?…}`, and every
 * variable the files refer to is listed in .env.example.
 */
export function composeSecretProblems(
  rawFiles: Readonly<Record<string, ComposeFile>>,
  envExample: Readonly<Record<string, string>>,
): string[] {
  const problems: string[] = [];
  const credentials = new Set(apps.flatMap((app) => [...app.credentials]));
  const credentialName = /PASSWORD|PASS$|TOKEN|SECRET|_KEY$/;
  for (const [fileName, file] of Object.entries(rawFiles)) {
    const fileServices = isMap(file.services) ? file.services : {};
    for (const [name, service] of Object.entries(fileServices)) {
      if (!isMap(service)) continue;
      for (const [variable, value] of Object.entries(environmentOf(service))) {
        if (!credentials.has(variable) && !credentialName.test(variable)) continue;
        const required = variableReferences(value ?? '').some((ref) => ref.operator === ':?');
        if (!required) {
          problems.push(
            `${fileName}: ${name}.${variable} must come from .env as \${NAME:?…}, not be written in the file`,
          );
        }
      }
    }
    for (const ref of variableReferences(file)) {
      if (!(ref.name in envExample))
        problems.push(`${fileName}: ${ref.path} uses ${ref.name}: add it to .env.example`);
    }
  }
  return problems;
}

/**
 * Start-up order: every service of ours waits for PostgreSQL and RabbitMQ to be healthy; a dependency
 * that must be healthy has a healthcheck (its own, or the image's HEALTHCHECK); every dependency exists.
 */
export function composeDependencyProblems(file: ComposeFile, image: ImageFacts): string[] {
  const problems: string[] = [];
  const all = composeServices(file);
  const hasHealthcheck = (name: string) => {
    const service = all[name];
    if (!service) return false;
    if (isMap(service.healthcheck)) return service.healthcheck.disable !== true;
    return typeof service.image === 'string' && appOfImage(service.image) !== undefined && image.healthcheck;
  };
  for (const [name, service] of Object.entries(all)) {
    const dependsOn = isMap(service.depends_on) ? service.depends_on : {};
    for (const [dependency, options] of Object.entries(dependsOn)) {
      if (!(dependency in all))
        problems.push(`${name}: depends on ${dependency}, which this set of files does not run`);
      const condition = isMap(options) ? options.condition : undefined;
      if (condition === 'service_healthy' && !hasHealthcheck(dependency)) {
        problems.push(`${name}: waits for ${dependency} to be healthy, but it has no healthcheck`);
      }
    }
    const app = typeof service.image === 'string' ? appOfImage(service.image) : undefined;
    if (app?.kind !== 'service') continue;
    for (const server of ['postgres', 'rabbitmq']) {
      const options = dependsOn[server];
      if (!isMap(options) || options.condition !== 'service_healthy') {
        problems.push(`${name}: add depends_on: ${server}: condition: service_healthy`);
      }
    }
  }
  return problems;
}

/**
 * The upstreams: in the demo both simulators run and every service talks to them; in production no
 * simulator runs and no service talks to a host of the compose file.
 */
export function composeUpstreamProblems(file: ComposeFile, mode: 'demo' | 'production'): string[] {
  const problems: string[] = [];
  const all = composeServices(file);
  const byApp = (app: DeployableApp) =>
    Object.entries(all).filter(
      ([, service]) => typeof service.image === 'string' && appOfImage(service.image) === app,
    );
  for (const simulator of simulators) {
    const running = byApp(simulator);
    if (mode === 'demo' && running.length === 0) problems.push(`the demo runs no ${simulator.packageName}`);
    if (mode === 'production' && running.length > 0) {
      problems.push(`production runs the simulator ${running.map(([name]) => name).join(', ')}`);
    }
  }
  for (const app of services) {
    for (const [name, service] of byApp(app)) {
      const env = environmentOf(service);
      for (const variable of ['PRIMERO_BASE_URL', 'OSCAR_BASE_URL'].filter((v) => app.envNames.has(v))) {
        const value = env[variable];
        if (!value) {
          problems.push(`${name}: set ${variable}`);
          continue;
        }
        const host = new URL(value).hostname;
        const target = all[host];
        const targetApp = typeof target?.image === 'string' ? appOfImage(target.image) : undefined;
        if (mode === 'demo' && targetApp?.kind !== 'simulator') {
          problems.push(`${name}: ${variable}=${value} is not a simulator of this file`);
        }
        if (mode === 'production' && target)
          problems.push(`${name}: ${variable}=${value} points inside compose`);
      }
    }
  }
  return problems;
}

function nonNull(env: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}

/** Container ports a service publishes, with the host side. */
function publishedPorts(service: Record<string, unknown>): [number, string][] {
  const ports = Array.isArray(service.ports) ? service.ports : [];
  return ports.map((port): [number, string] => {
    if (isMap(port)) return [Number(port.target), String(port.published)];
    const parts = String(port as string | number).split(':');
    return [Number(parts.at(-1)?.split('/')[0]), parts.slice(0, -1).join(':')];
  });
}

/** A compose duration (`30s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number')
    throw new Error('a compose duration is a string');
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  const text = String(value);
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.map((p) => p[0]).join('') !== text) throw new Error(`not a compose duration: ${text}`);
  for (const part of parts) total += Number(part[1]) * (units[part[2] ?? ''] ?? 0);
  return total;
}
