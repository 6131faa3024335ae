import { readFileSync } from 'node:fs';

import { buildApp as buildConsoleApp } from '@pos/console/app';
import { envSpec as consoleEnv } from '@pos/console/config';
import { buildApp as buildOscarPollerApp } from '@pos/oscar-poller/app';
import { envSpec as oscarPollerEnv } from '@pos/oscar-poller/config';
import { buildApp as buildOscarWriterApp } from '@pos/oscar-writer/app';
import { envSpec as oscarWriterEnv } from '@pos/oscar-writer/config';
import { buildApp as buildPrimeroPollerApp } from '@pos/primero-poller/app';
import { envSpec as primeroPollerEnv } from '@pos/primero-poller/config';
import { buildApp as buildPrimeroWriterApp } from '@pos/primero-writer/app';
import { envSpec as primeroWriterEnv } from '@pos/primero-writer/config';
import type { EnvSpec } from '@pos/runtime';
import { createDb, createLogger, createMetricsRegistry, createPool } from '@pos/runtime';
import { envTable as oscarSimEnvTable } from '@pos/sim-oscar';
import { envTable as primeroSimEnvTable } from '@pos/sim-primero';

type HttpApp = ReturnType<typeof buildPrimeroPollerApp>;

/** The repository root (this file is tests/deploy/src/apps.ts). */
export const repositoryRoot = new URL('../../../', import.meta.url).pathname;

/** Reads a file of the repository as text. */
export function readRepositoryFile(path: string): string {
  return readFileSync(new URL(path, `file://${repositoryRoot}`), 'utf8');
}

/** The registry-less name of the image the Dockerfile builds for a workspace package (`@pos/x` → `primero-oscar-sync/x`). */
export function imageNameOf(packageName: string): string {
  return `primero-oscar-sync/${packageName.replace(/^@pos\//, '')}`;
}

interface AppBase {
  /** The workspace folder, the Dockerfile's APP. */
  folder: string;
  packageName: string;
  image: string;
  /** Every variable the app reads. */
  envNames: ReadonlySet<string>;
  /** Variables that carry a credential: they must come from a secret, never be written in a file. */
  credentials: ReadonlySet<string>;
}

export interface ServiceApp extends AppBase {
  kind: 'service';
  name: string;
  /** `console`: the operator console, a web app beside the sync (it reads the services' schemas). */
  role: 'poller' | 'writer' | 'console';
  spec: EnvSpec;
  /** The HTTP surface, built as main.ts builds it, for checking routes. */
  buildHttp: () => HttpApp;
}

export interface SimulatorApp extends AppBase {
  kind: 'simulator';
}

export type DeployableApp = ServiceApp | SimulatorApp;

/**
 * Credentials that switch a feature on and are empty by default: a deployment may leave them unset (then they
 * must not be set from anywhere but a Secret or .env either). `WEBHOOK_SECRET` turns on the primero-poller's
 * webhook receiver, which waits for Primero to be configured to call it (docs/webhooks.md).
 */
export const optionalCredentials: ReadonlySet<string> = new Set(['WEBHOOK_SECRET']);

/** URLs whose user-info carries a password, though their schema does not mark them secret. */
const credentialUrls = ['DATABASE_URL', 'AMQP_URL'];
const credentialName = /PASSWORD|TOKEN|SECRET|_KEY$/;

function credentialsOf(names: Iterable<string>, spec?: EnvSpec): Set<string> {
  return new Set(
    [...names].filter(
      (name) => spec?.[name]?.secret === true || credentialUrls.includes(name) || credentialName.test(name),
    ),
  );
}

function packageNameOf(folder: string): string {
  const manifest = JSON.parse(readRepositoryFile(`${folder}/package.json`)) as { name?: unknown };
  if (typeof manifest.name !== 'string') throw new Error(`${folder}/package.json has no name`);
  return manifest.name;
}

const readiness = () => ({ accepting: true, checks: {} });
/** What main.ts hands every service's buildApp besides its own parts: no admin token (routes closed), a registry. */
const http = (service: string) => ({
  logger: createLogger({ service, level: 'silent' }),
  readiness: readiness(),
  adminToken: '',
  metrics: createMetricsRegistry(service),
});

function service(
  name: string,
  role: ServiceApp['role'],
  spec: EnvSpec,
  buildHttp: () => HttpApp,
): ServiceApp {
  const folder = `services/${name}`;
  const packageName = packageNameOf(folder);
  return {
    kind: 'service',
    name,
    role,
    folder,
    packageName,
    image: imageNameOf(packageName),
    spec,
    envNames: new Set(Object.keys(spec)),
    credentials: credentialsOf(Object.keys(spec), spec),
    buildHttp,
  };
}

function simulator(folder: string, table: readonly (readonly [string, string, string])[]): SimulatorApp {
  const packageName = packageNameOf(folder);
  const names = table.map(([name]) => name);
  return {
    kind: 'simulator',
    folder,
    packageName,
    image: imageNameOf(packageName),
    envNames: new Set(names),
    credentials: credentialsOf(names),
  };
}

/**
 * The console's HTTP surface as its main.ts builds it, with nothing behind it: a pool that never connects
 * (no route is called) and sessions nowhere (no one signs in).
 */
function consoleHttp(): HttpApp {
  return buildConsoleApp({
    ...http('console'),
    auth: {
      user: 'admin',
      passwordHash: 'scrypt:1024:8:1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==',
      sessionSecret: 'a-session-secret-of-at-least-32-characters',
      sessionMinutes: 60,
      cookieSecure: true,
    },
    sessionStore: {
      get: (_id, callback) => callback(null, null),
      set: (_id, _session, callback) => callback(),
      destroy: (_id, callback) => callback(),
    },
    db: createDb<unknown>(
      createPool('postgres://127.0.0.1:1/none', { applicationName: 'deploy-checks', max: 1 }),
    ),
    pollers: {
      status: () => Promise.reject(new Error('not in these checks')),
      pollNow: () => Promise.reject(new Error('not in these checks')),
    },
    queueDepths: () => Promise.reject(new Error('not in these checks')),
    mappings: {
      dir: 'config/mappings',
      load: () => Promise.reject(new Error('not in these checks')),
      check: () => Promise.reject(new Error('not in these checks')),
    },
    cipher: null,
    timeZone: 'Asia/Phnom_Penh',
    jaegerUiUrl: '',
  });
}

/** The four services and the console, with their env specs and HTTP surfaces. */
export const services: readonly ServiceApp[] = [
  service('primero-poller', 'poller', primeroPollerEnv, () => buildPrimeroPollerApp(http('primero-poller'))),
  service('oscar-poller', 'poller', oscarPollerEnv, () => buildOscarPollerApp(http('oscar-poller'))),
  service('primero-writer', 'writer', primeroWriterEnv, () => buildPrimeroWriterApp(http('primero-writer'))),
  service('oscar-writer', 'writer', oscarWriterEnv, () => buildOscarWriterApp(http('oscar-writer'))),
  service('console', 'console', consoleEnv, consoleHttp),
];

/** Both simulators, with the variables their config reads. */
export const simulators: readonly SimulatorApp[] = [
  simulator('sims/primero', primeroSimEnvTable),
  simulator('sims/oscar', oscarSimEnvTable),
];

export const apps: readonly DeployableApp[] = [...services, ...simulators];

/** The app an image reference names (`registry/primero-oscar-sync/x:tag` → app x), if the Dockerfile builds it. */
export function appOfImage(reference: string): DeployableApp | undefined {
  const name = splitImage(reference).name;
  return apps.find((app) => name === app.image || name.endsWith(`/${app.image}`));
}

/** `repo/name:tag@digest` → its parts. */
export function splitImage(reference: string): { name: string; tag: string | undefined } {
  const [withoutDigest = ''] = reference.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash) return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  return { name: withoutDigest, tag: undefined };
}

/**
 * Problems with an image reference: an image of ours must carry a tag; a public one a version tag
 * (a number, at least major.minor, never `latest`) or a digest.
 */
export function imageProblems(reference: string): string[] {
  const { tag } = splitImage(reference);
  const digest = reference.includes('@sha256:');
  if (appOfImage(reference)) {
    return tag === undefined || tag === 'latest'
      ? [`${reference}: give the image built by the Dockerfile an explicit tag (not latest)`]
      : [];
  }
  if (digest) return [];
  if (tag === undefined || tag === 'latest' || !/^v?\d+\.\d+/.test(tag)) {
    return [`${reference}: pin a public image to a version tag such as postgres:17.6 (not latest)`];
  }
  return [];
}
