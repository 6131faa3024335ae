import { describe, expect, it } from 'vitest';

import { readRepositoryFile } from '../src/apps.ts';
import {
  type ComposeFile,
  composeSchemaProblems,
  interpolate,
  mergeCompose,
  parseEnvFile,
  readCompose,
} from '../src/compose.ts';
import {
  composeDependencyProblems,
  composeEnvironmentProblems,
  composeImageProblems,
  composeSecretProblems,
  composeUpstreamProblems,
  type ImageFacts,
} from '../src/compose-checks.ts';
import { finalStage, finalStageVariables, parseDockerfile } from '../src/dockerfile.ts';

const raw = {
  'docker-compose.yml': readCompose('docker-compose.yml'),
  'docker-compose.override.yml': readCompose('docker-compose.override.yml'),
  'docker-compose.production.yml': readCompose('docker-compose.production.yml'),
};
const envExample = parseEnvFile(readRepositoryFile('.env.example'));
const dockerfile = parseDockerfile(readRepositoryFile('Dockerfile'));
const image: ImageFacts = {
  env: finalStageVariables(dockerfile),
  healthcheck: finalStage(dockerfile).some((i) => i.keyword === 'HEALTHCHECK'),
};

const [base, override, production] = Object.values(raw).map((file) => interpolate(file, envExample)) as [
  ComposeFile,
  ComposeFile,
  ComposeFile,
];
/** `docker compose up`: docker-compose.yml with docker-compose.override.yml. */
const demo = mergeCompose(base, override);
/** `docker compose -f docker-compose.yml -f docker-compose.production.yml up`. */
const live = mergeCompose(base, production);

/** A deep copy with one change, for the negative checks. */
function edit(file: ComposeFile, change: (copy: ComposeFileShape) => void): ComposeFile {
  const copy = structuredClone(file) as ComposeFileShape;
  change(copy);
  return copy;
}
interface ServiceShape {
  [key: string]: unknown;
  environment: Record<string, unknown>;
}
type ComposeFileShape = ComposeFile & { services: Record<string, ServiceShape> };
/** A service of a copy, which must exist. */
function service(file: ComposeFileShape, name: string): ServiceShape {
  const found = file.services[name];
  if (!found) throw new Error(`no service ${name}`);
  found.environment ??= {};
  return found;
}

describe('docker compose files', () => {
  it.each(Object.entries({ ...raw, demo, production: live }))(
    '%s follows the Compose Specification',
    (_name, file) => {
      expect(composeSchemaProblems(interpolate(file, envExample))).toEqual([]);
    },
  );

  it('the schema rejects a misspelt key and a wrong type', () => {
    const typo = edit(demo, (c) => {
      service(c, 'postgres').enviroment = {};
    });
    const wrongType = edit(demo, (c) => {
      service(c, 'rabbitmq').ports = 15672;
    });
    expect(composeSchemaProblems(typo).join('\n')).toContain('enviroment');
    expect(composeSchemaProblems(wrongType).join('\n')).toContain('/services/rabbitmq/ports');
  });

  it('runs the demo with both simulators and production without them', () => {
    expect(Object.keys(demo.services as object).sort()).toEqual([
      'console',
      'jaeger',
      'oscar-poller',
      'oscar-sim',
      'oscar-writer',
      'postgres',
      'primero-poller',
      'primero-sim',
      'primero-writer',
      'rabbitmq',
    ]);
    expect(composeUpstreamProblems(demo, 'demo')).toEqual([]);
    expect(composeUpstreamProblems(live, 'production')).toEqual([]);
    expect(composeUpstreamProblems(mergeCompose(live, override), 'production').join('\n')).toContain(
      'simulator',
    );
    const realPrimero = edit(
      demo,
      (c) => void (service(c, 'primero-writer').environment.PRIMERO_BASE_URL = 'https://primero.example.org'),
    );
    expect(composeUpstreamProblems(realPrimero, 'demo')).toEqual([
      'primero-writer: PRIMERO_BASE_URL=https://primero.example.org is not a simulator of this file',
    ]);
  });

  it('names only images the Dockerfile builds or pinned public images', () => {
    for (const file of [demo, live]) expect(composeImageProblems(file)).toEqual([]);
    const latest = edit(demo, (c) => void (service(c, 'postgres').image = 'postgres:latest'));
    const misnamed = edit(
      demo,
      (c) => void (service(c, 'oscar-writer').image = 'primero-oscar-sync/primero-writer:dev'),
    );
    const untagged = edit(
      demo,
      (c) => void (service(c, 'oscar-writer').image = 'primero-oscar-sync/oscar-writer'),
    );
    expect(composeImageProblems(latest).join('\n')).toContain('postgres:latest: pin a public image');
    expect(composeImageProblems(misnamed).join('\n')).toContain(
      'must be named primero-oscar-sync/oscar-writer',
    );
    expect(composeImageProblems(untagged).join('\n')).toContain('explicit tag');
  });

  it('gives each service exactly the variables its config reads, and a config it accepts', () => {
    expect(composeEnvironmentProblems(demo, image)).toEqual([]);
    expect(composeEnvironmentProblems(live, image)).toEqual([]);
  });

  it.each([
    [
      'an unknown variable',
      (c: ComposeFileShape) => void (service(c, 'primero-poller').environment.PRIMERO_PASSWRD = 'x'),
      'PRIMERO_PASSWRD is not read by @pos/primero-poller',
    ],
    [
      'a poller setting on a writer',
      (c: ComposeFileShape) => void (service(c, 'oscar-writer').environment.POLL_INTERVAL_MS = '2000'),
      'POLL_INTERVAL_MS is not read by @pos/oscar-writer',
    ],
    [
      'an invalid value',
      (c: ComposeFileShape) => void (service(c, 'oscar-poller').environment.PARTITIONS = 'zero'),
      'PARTITIONS="zero" is invalid',
    ],
    [
      'a missing credential',
      (c: ComposeFileShape) => void delete service(c, 'oscar-writer').environment.OSCAR_PASSWORD,
      'set OSCAR_PASSWORD',
    ],
    [
      'a port the healthcheck does not probe',
      (c: ComposeFileShape) => void (service(c, 'primero-writer').environment.HTTP_PORT = '9000'),
      'HEALTHCHECK probes 8080',
    ],
    [
      'a short grace period',
      (c: ComposeFileShape) => void (service(c, 'primero-writer').stop_grace_period = '5s'),
      'must exceed SHUTDOWN_TIMEOUT_MS',
    ],
    [
      'a simulator setting for a service',
      (c: ComposeFileShape) => void (service(c, 'primero-poller').environment.PRIMERO_SIM_VERSION = '2.11'),
      'PRIMERO_SIM_VERSION is not read',
    ],
    [
      'an unknown simulator variable',
      (c: ComposeFileShape) => void (service(c, 'oscar-sim').environment.OSCAR_SIM_SEEDS = '3'),
      'OSCAR_SIM_SEEDS is not read by @pos/sim-oscar',
    ],
  ])('rejects %s', (_name, change, expected) => {
    expect(composeEnvironmentProblems(edit(demo, change), image).join('\n')).toContain(expected);
  });

  it('takes every credential from .env, and .env.example lists every variable the files use', () => {
    expect(composeSecretProblems(raw, envExample)).toEqual([]);
    const written = edit(
      raw['docker-compose.yml'],
      (c) => void (service(c, 'postgres').environment.POSTGRES_PASSWORD = 'hunter2'),
    );
    const defaulted = edit(raw['docker-compose.production.yml'], (c) => {
      service(c, 'oscar-poller').environment.OSCAR_PASSWORD = '${OSCAR_PASSWORD:-oscar-sync-password}';
    });
    const undeclared = edit(
      raw['docker-compose.yml'],
      (c) => void (service(c, 'jaeger').environment.SPAN_STORAGE_TYPE = '${JAEGER_STORAGE:-memory}'),
    );
    expect(composeSecretProblems({ 'docker-compose.yml': written }, envExample).join('\n')).toContain(
      'postgres.POSTGRES_PASSWORD must come from .env',
    );
    expect(
      composeSecretProblems({ 'docker-compose.production.yml': defaulted }, envExample).join('\n'),
    ).toContain('oscar-poller.OSCAR_PASSWORD must come from .env');
    expect(composeSecretProblems({ 'docker-compose.yml': undeclared }, envExample).join('\n')).toContain(
      'JAEGER_STORAGE: add it to .env.example',
    );
  });

  it('fails the way compose does when .env lacks a required variable', () => {
    const { POSTGRES_PASSWORD: _dropped, ...withoutPassword } = envExample;
    expect(() => interpolate(raw['docker-compose.yml'], withoutPassword)).toThrow(
      'required variable POSTGRES_PASSWORD',
    );
  });

  it('starts each service once its servers (and, in the demo, its upstream) are healthy', () => {
    expect(composeDependencyProblems(demo, image)).toEqual([]);
    expect(composeDependencyProblems(live, image)).toEqual([]);
    const noHealthcheck = edit(demo, (c) => void delete service(c, 'rabbitmq').healthcheck);
    const noWait = edit(
      demo,
      (c) => void delete (service(c, 'oscar-poller').depends_on as Record<string, unknown>).postgres,
    );
    const noSimulator = edit(demo, (c) => void delete c.services['primero-sim']);
    expect(composeDependencyProblems(noHealthcheck, image).join('\n')).toContain(
      'waits for rabbitmq to be healthy, but it has no healthcheck',
    );
    expect(composeDependencyProblems(noWait, image)).toEqual([
      'oscar-poller: add depends_on: postgres: condition: service_healthy',
    ]);
    expect(composeDependencyProblems(noSimulator, image).join('\n')).toContain(
      'depends on primero-sim, which this set of files does not run',
    );
  });

  it('merges only what it models', () => {
    expect(() => mergeCompose(base, { services: { rabbitmq: { ports: ['5672:5672'] } } })).toThrow(
      'sequence',
    );
  });
});
