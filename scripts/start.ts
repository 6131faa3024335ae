// `pnpm start`: runs the whole sync locally — both simulators (seeded) and the four services — against the
// local Postgres and RabbitMQ, prints where to look, and stops everything cleanly on Ctrl-C or SIGTERM.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { createOscarClient, createPrimeroClient } from '@pos/clients';
import { hashPassword } from '@pos/console/password-hash';
import { buildCutoverReport, primeFromOscar, renderCutoverReport } from '@pos/cutover';
import { httpTransport, loadMappingTablesSync, seedJointWorld } from '@pos/joint-seed';
import { serviceProcessEnv } from '@pos/runtime/process-env';
import pg from 'pg';

import { buildApps } from './build.ts';
import { requireServers } from './required-servers.ts';

const root = new URL('..', import.meta.url).pathname;
const env = process.env;
// Before anything starts: PostgreSQL and RabbitMQ must answer (or be started in Docker, where it runs).
const required = await requireServers({
  databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  amqpUrl: env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  managementPort: env.AMQP_MANAGEMENT_PORT ?? '15672',
});
if (!required.ok) {
  console.error(required.message);
  process.exit(1);
}
const servers = required.servers;
// Every part runs as the image runs it: bundled (`pnpm build`), made fresh from the sources at each start.
await buildApps();
const { databaseUrl: serverDatabaseUrl, amqpUrl: serverAmqpUrl, managementBaseUrl } = servers;
/** The demo's own database and vhost, made fresh at every start: the simulators start fresh too. */
const demoName = env.DEMO_NAME ?? 'primero_oscar_sync_demo';
const controlToken = env.SIM_CONTROL_TOKEN ?? 'sim-control';
/** The services' ADMIN_TOKEN: the bearer token of their /admin/ routes (a fixed one for the demo, like the sims'). */
const adminToken = env.ADMIN_TOKEN ?? 'demo-admin-token';
/**
 * The writers' DEAD_LETTER_KEY, which the console needs too (a fixed one for the demo, like the admin token),
 * so that a dead-lettered event can be replayed from the console or with `pnpm dlq replay`.
 */
const deadLetterKey =
  env.DEAD_LETTER_KEY ?? Buffer.from('primero-oscar-sync demo key 32 b').toString('base64');
/** The console's demo login: CONSOLE_USER / CONSOLE_PASSWORD (hashed here, as CONSOLE_PASSWORD_HASH). */
const consoleUser = env.CONSOLE_USER ?? 'admin';
const consolePassword = env.CONSOLE_PASSWORD ?? 'demo-console-password';
const seedCount = Number(env.SEED_COUNT ?? '25');
/**
 * `separate` (default): each simulator seeds its own records, unlinked. `joint`: one world on both, as the
 * legacy job leaves it after years (packages/joint-seed), and the first sync starts as a cut-over does.
 */
const seedMode = env.SEED_MODE ?? 'separate';
if (seedMode !== 'separate' && seedMode !== 'joint') {
  console.error(`SEED_MODE is "${seedMode}": set it to separate (the default) or joint`);
  process.exit(1);
}
const joint = seedMode === 'joint' && seedCount > 0;
/** In joint mode, the legacy job's last run: the seeded history lies before it, REFERRALS_CREATED_SINCE is it. */
const cutoverAt = new Date().toISOString();
const pollIntervalMs = env.POLL_INTERVAL_MS ?? '2000';
/** The services' health/admin ports: this one and the next three (8081–8084 by default). */
const portBase = Number(env.HTTP_PORT_BASE ?? '8081');
/**
 * WEBHOOKS=on: the Primero simulator's webhook posts each case save to the primero-poller's receiver, which
 * reads that case at once; the poll becomes the safety net (SAFETY_POLL_INTERVAL_MS, 5 min), and the
 * oscar-writer marks cases synced in Primero.
 */
const webhooks = ['on', 'true', '1'].includes((env.WEBHOOKS ?? 'off').toLowerCase());
const webhookSecret = env.WEBHOOK_SECRET ?? 'demo-webhook-secret-not-secret';
const webhookUrl = `http://127.0.0.1:${portBase}/webhooks/primero`;
const webhookEnv: Record<string, Record<string, string>> = webhooks
  ? {
      'primero-poller': {
        WEBHOOK_SECRET: webhookSecret,
        WEBHOOK_AUTH: 'api_key',
        SAFETY_POLL_INTERVAL_MS: env.SAFETY_POLL_INTERVAL_MS ?? '300000',
      },
      'oscar-writer': { PRIMERO_SYNC_STATUS_URL: webhookUrl },
    }
  : {};

interface Part {
  name: string;
  entry: string;
  env: Record<string, string>;
  /** URL that answers 2xx once the part is ready. */
  readyUrl: string;
  /** Printed in the summary. */
  note: string;
}

const sims: Part[] = [
  {
    name: 'primero-sim',
    entry: 'sims/primero/dist/main.js',
    env: { PORT: env.PRIMERO_SIM_PORT ?? '4010' },
    readyUrl: `http://127.0.0.1:${env.PRIMERO_SIM_PORT ?? '4010'}/api/v2/primero`,
    note: `Primero simulator   http://127.0.0.1:${env.PRIMERO_SIM_PORT ?? '4010'}/api/v2  (control: /_control/, x-control-token: ${controlToken})`,
  },
  {
    name: 'oscar-sim',
    entry: 'sims/oscar/dist/main.js',
    env: { PORT: env.OSCAR_SIM_PORT ?? '4020' },
    readyUrl: `http://127.0.0.1:${env.OSCAR_SIM_PORT ?? '4020'}/api/v1/organizations`,
    note: `OSCaR simulator     http://127.0.0.1:${env.OSCAR_SIM_PORT ?? '4020'}/api/v1  (control: /_control/, x-control-token: ${controlToken})`,
  },
];

const services: Part[] = (
  [
    ['primero-poller', portBase],
    ['oscar-poller', portBase + 1],
    ['primero-writer', portBase + 2],
    ['oscar-writer', portBase + 3],
  ] as const
).map(([name, port]) => ({
  name,
  entry: `services/${name}/dist/main.js`,
  env: {
    DATABASE_URL: withPath(serverDatabaseUrl, demoName),
    AMQP_URL: withPath(serverAmqpUrl, demoName),
    HTTP_PORT: String(port),
    // As the image runs them (Dockerfile): V8's heap and glibc's arenas sized for a service, not for the
    // machine (docs/benchmarks.md).
    ...serviceProcessEnv,
    NODE_OPTIONS: [serviceProcessEnv.NODE_OPTIONS, env.NODE_OPTIONS].filter(Boolean).join(' '),
    ADMIN_TOKEN: adminToken,
    ...(name.endsWith('-writer') ? { DEAD_LETTER_KEY: deadLetterKey } : {}),
    POLL_INTERVAL_MS: pollIntervalMs,
    ...(joint ? { REFERRALS_CREATED_SINCE: cutoverAt } : {}),
    PRIMERO_BASE_URL: env.PRIMERO_BASE_URL ?? `http://127.0.0.1:${env.PRIMERO_SIM_PORT ?? '4010'}`,
    OSCAR_BASE_URL: env.OSCAR_BASE_URL ?? `http://127.0.0.1:${env.OSCAR_SIM_PORT ?? '4020'}`,
    ...webhookEnv[name],
  },
  readyUrl: `http://127.0.0.1:${port}/health/ready`,
  note: `${name.padEnd(19)} http://127.0.0.1:${port}/health/ready  /metrics  /admin/status`,
}));

/** The operator console, on the port after the services' (8085 by default). */
const consolePort = portBase + 4;
const consolePart: Part = {
  name: 'console',
  entry: 'services/console/dist/main.js',
  env: {
    DATABASE_URL: withPath(serverDatabaseUrl, demoName),
    AMQP_URL: withPath(serverAmqpUrl, demoName),
    AMQP_MANAGEMENT_URL: managementBaseUrl,
    HTTP_PORT: String(consolePort),
    ADMIN_TOKEN: adminToken,
    DEAD_LETTER_KEY: deadLetterKey,
    PRIMERO_POLLER_URL: `http://127.0.0.1:${portBase}`,
    OSCAR_POLLER_URL: `http://127.0.0.1:${portBase + 1}`,
    PRIMERO_BASE_URL: env.PRIMERO_BASE_URL ?? `http://127.0.0.1:${env.PRIMERO_SIM_PORT ?? '4010'}`,
    OSCAR_BASE_URL: env.OSCAR_BASE_URL ?? `http://127.0.0.1:${env.OSCAR_SIM_PORT ?? '4020'}`,
    CONSOLE_USER: consoleUser,
    CONSOLE_PASSWORD_HASH: await hashPassword(consolePassword),
    // A new one at each start: the demo's database (where sessions are kept) is new at each start too.
    CONSOLE_SESSION_SECRET: env.CONSOLE_SESSION_SECRET ?? randomBytes(32).toString('hex'),
    JAEGER_UI_URL: env.JAEGER_UI_URL ?? '',
  },
  readyUrl: `http://127.0.0.1:${consolePort}/health/ready`,
  note: `${'operator console'.padEnd(19)} http://127.0.0.1:${consolePort}/  (sign in as ${consoleUser} / ${consolePassword})`,
};

const children = new Map<string, ChildProcess>();
let stopping = false;

function prefix(name: string, line: string): void {
  if (!line) return;
  let text = line;
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string } & Record<string, unknown>;
    const { level, msg, time: _time, pid: _pid, hostname: _hostname, service: _service, ...rest } = entry;
    const levelName = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[
      level ?? 30
    ];
    text = `${levelName ?? 'info'} ${msg ?? ''} ${Object.keys(rest).length > 0 ? JSON.stringify(rest) : ''}`;
  } catch {
    // not JSON: print as is
  }
  process.stdout.write(`[${name.padEnd(14)}] ${text}\n`);
}

function launch(part: Part): void {
  const child = spawn(process.execPath, [part.entry], {
    cwd: root,
    env: { ...env, ...part.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(part.name, child);
  // Whole lines only: a chunk may end in the middle of a JSON log line.
  createInterface({ input: child.stdout }).on('line', (line) => prefix(part.name, line));
  createInterface({ input: child.stderr }).on('line', (line) => prefix(part.name, line));
  child.on('exit', (code, signal) => {
    children.delete(part.name);
    if (!stopping) {
      console.error(`\n${part.name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
}

async function waitReady(part: Part, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      const response = await fetch(part.readyUrl);
      await response.body?.cancel();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  if (!stopping)
    throw new Error(`${part.name} was not ready within ${timeoutMs / 1000} s (${part.readyUrl})`);
}

async function seed(part: Part): Promise<void> {
  const base = new URL(part.readyUrl).origin;
  const response = await fetch(`${base}/_control/seed`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-control-token': controlToken },
    // OSCaR's seed would otherwise invent links to Primero cases the separately seeded Primero lacks.
    body: JSON.stringify({ count: seedCount, seed: 42, linked: false }),
  });
  if (!response.ok) throw new Error(`seeding ${part.name} answered ${response.status}`);
  await response.body?.cancel();
}

const primeroSimUrl = `http://127.0.0.1:${env.PRIMERO_SIM_PORT ?? '4010'}`;

/** WEBHOOKS=on: the simulator's webhook row (api key) and `use_webhooks_for` on the CP module. */
async function configureWebhooks(): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-control-token': controlToken };
  const added = await fetch(`${primeroSimUrl}/_control/webhooks`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      url: webhookUrl,
      events: ['case.create', 'case.update', 'case.post'],
      auth_type: 'api_key',
      auth_secret: webhookSecret,
      role_unique_id: 'role-integration',
    }),
  });
  const module = await fetch(`${primeroSimUrl}/_control/modules/primeromodule-cp`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ use_webhooks_for: ['case'], use_webhook_sync_for: ['case'] }),
  });
  if (!added.ok || !module.ok)
    throw new Error(`configuring the simulator's webhook answered ${added.status} / ${module.status}`);
  await Promise.all([added.body?.cancel(), module.body?.cancel()]);
}
const oscarSimUrl = `http://127.0.0.1:${env.OSCAR_SIM_PORT ?? '4020'}`;

/** SEED_MODE=joint: SEED_COUNT children, linked in both simulators as the legacy job leaves them. */
async function seedJoint(): Promise<void> {
  const summary = await seedJointWorld({
    primero: httpTransport(primeroSimUrl, controlToken),
    oscar: httpTransport(oscarSimUrl, controlToken),
    children: seedCount,
    seed: 42,
    now: cutoverAt,
    tables: loadMappingTablesSync(),
  });
  console.log(
    `joint seed: ${seedCount} children, ${summary.linkedPairs} linked pairs, history before ${cutoverAt}`,
  );
}

/** The cut-over steps before the pollers start: prime the oscar-writer, then print what the first sync will write. */
async function cutoverStep(): Promise<void> {
  const oscar = createOscarClient({
    baseUrl: oscarSimUrl,
    email: 'sync@oscar.test',
    password: 'oscar-sync-password',
  });
  const primero = createPrimeroClient({
    baseUrl: primeroSimUrl,
    user: 'primero-sync',
    password: 'primero-sync-password',
    auth: 'basic',
  });
  const databaseUrl = withPath(serverDatabaseUrl, demoName);
  await primeFromOscar({ oscar, databaseUrl });
  const tables = loadMappingTablesSync();
  const { report } = await buildCutoverReport({
    primero,
    oscar,
    tables,
    referralsCreatedSince: cutoverAt,
    known: { from: 'database', databaseUrl },
  });
  console.log(`\n${renderCutoverReport(report, 3)}`);
}

async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log('\nstopping…');
    const exits = [...children.values()].map(
      (child) =>
        new Promise<void>((resolve) =>
          child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
        ),
    );
    for (const child of children.values()) child.kill('SIGTERM');
    const forced = setTimeout(() => {
      for (const child of children.values()) child.kill('SIGKILL');
    }, 15_000);
    await Promise.all(exits);
    clearTimeout(forced);
    await servers.stop();
    console.log('stopped.');
  }
  process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

function withPath(url: string, path: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${path}`;
  return parsed.toString();
}

/**
 * A fresh database and vhost for the demo: the simulators keep their state in memory, so cursors and
 * fingerprints left by an earlier run would not match them.
 */
async function freshState(): Promise<void> {
  const client = new pg.Client({ connectionString: serverDatabaseUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${demoName}" with (force)`);
    await client.query(`create database "${demoName}"`);
  } finally {
    await client.end();
  }
  const amqp = new URL(serverAmqpUrl);
  const management = `${managementBaseUrl}/api/vhosts/${demoName}`;
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(amqp.username || 'guest')}:${decodeURIComponent(amqp.password || 'guest')}`).toString('base64')}`;
  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: { authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    await response.body?.cancel();
    if (!response.ok && response.status !== 404)
      throw new Error(`RabbitMQ management ${method} answered ${response.status}`);
  };
  try {
    await call('DELETE', management);
    await call('PUT', management, {});
    const user = decodeURIComponent(amqp.username || 'guest');
    await call('PUT', `${managementBaseUrl}/api/permissions/${demoName}/${user}`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
  } catch (error) {
    throw new Error(
      `could not create the demo vhost "${demoName}" (${error instanceof Error ? error.message : 'unknown'}): ` +
        'enable the management plugin with `rabbitmq-plugins enable rabbitmq_management`',
    );
  }
}

const runnableSims = sims.filter((part) => existsSync(new URL(part.entry, `file://${root}`)));
try {
  await freshState();
  for (const part of runnableSims) launch(part);
  await Promise.all(runnableSims.map((part) => waitReady(part)));
  if (webhooks) await configureWebhooks();
  if (joint) await seedJoint();
  else if (seedCount > 0) await Promise.all(runnableSims.map(seed));
  // Writers first: they declare the partition queues the pollers' relays publish to.
  const writers = services.filter((part) => part.name.endsWith('-writer'));
  const pollers = services.filter((part) => part.name.endsWith('-poller'));
  for (const part of writers) launch(part);
  await Promise.all(writers.map((part) => waitReady(part)));
  if (joint) await cutoverStep();
  for (const part of pollers) launch(part);
  await Promise.all(pollers.map((part) => waitReady(part)));
  launch(consolePart);
  await waitReady(consolePart);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await stopAll(1);
}

console.log(
  [
    '',
    'primero-oscar-sync is running.',
    ...[...runnableSims, ...services, consolePart].map((part) => `  ${part.note}`),
    `  RabbitMQ management ${managementBaseUrl} (guest/guest), vhost ${demoName}`,
    `  Postgres database ${demoName} (made fresh at each start, like the simulators)`,
    joint
      ? `  simulators seeded jointly with ${seedCount} children as the legacy job leaves them (SEED_MODE=joint); REFERRALS_CREATED_SINCE=${cutoverAt}`
      : seedCount > 0
        ? `  simulators seeded with ${seedCount} records each (SEED_COUNT=0 to start empty, SEED_MODE=joint for one linked world)`
        : '  simulators start empty',
    webhooks
      ? `  webhooks on: Primero posts each case save to ${webhookUrl} (x-api-key ${webhookSecret}); the safety poll runs every ${Number(webhookEnv['primero-poller']?.SAFETY_POLL_INTERVAL_MS) / 1000} s; figures under "webhooks" in the primero-poller's /admin/status`
      : '  polling only (WEBHOOKS=on for Primero webhooks, the poll as the safety net)',
    `  admin routes take the bearer token ${adminToken} (ADMIN_TOKEN), e.g.:`,
    `    curl -H 'authorization: Bearer ${adminToken}' -X POST http://127.0.0.1:${portBase}/admin/poll`,
    `    curl -H 'authorization: Bearer ${adminToken}' http://127.0.0.1:${portBase + 2}/admin/status`,
    'Ctrl-C stops everything.',
    '',
  ].join('\n'),
);
