import { setTimeout as sleep } from 'node:timers/promises';

import { type ServiceName, System } from '@pos/e2e';
import { management } from '@pos/testkit';
import pg from 'pg';

import type { LimitMode } from './options.ts';
import { meterTraffic, type TrafficMeter } from './traffic-meter.ts';

export interface Infra {
  databaseUrl: string;
  amqpUrl: string;
  amqpManagementUrl: string;
}

export const serviceNames: readonly ServiceName[] = [
  'primero-poller',
  'oscar-poller',
  'primero-writer',
  'oscar-writer',
];

/** The services' rate limits: their defaults (what a deployment sees), or lifted (what the pipeline can do). */
export function limitEnv(mode: LimitMode): Record<string, string> {
  return mode === 'default'
    ? { PRIMERO_MAX_RPS: '20', PRIMERO_MAX_CONCURRENCY: '4', OSCAR_MAX_RPS: '10', OSCAR_MAX_CONCURRENCY: '2' }
    : {
        PRIMERO_MAX_RPS: '1000',
        PRIMERO_MAX_CONCURRENCY: '8',
        OSCAR_MAX_RPS: '1000',
        OSCAR_MAX_CONCURRENCY: '8',
      };
}

export interface BenchSystem {
  system: System;
  primeroTraffic: TrafficMeter;
  oscarTraffic: TrafficMeter;
  /** Called after every upstream write either simulator answered (what the live stage watches). */
  onWrite: (listener: (() => void) | undefined) => void;
  /** The services' process ids, by name (a restarted service has a new one). */
  pids: () => Map<string, number>;
  /** Services that exited while the system ran and were started again, oldest first. */
  restarts: ServiceRestart[];
  /** Stops the supervision, the services, both simulators, and drops the database and the vhost. */
  stop: () => Promise<void>;
}

export interface ServiceRestart {
  service: string;
  /** When the exit was noticed (ISO). */
  at: string;
  /** Its exit code, or the signal that ended it. */
  exit: string;
  /** Its last output lines (say why it exited). */
  lastLines: string[];
}

/** Every system running now, so that a signal can stop them all. */
const running = new Set<BenchSystem>();

/** Stops every bench system still running (on SIGINT or SIGTERM). */
export async function stopAllBenchSystems(): Promise<void> {
  await Promise.all([...running].map((bench) => bench.stop()));
}

/**
 * The whole sync as the e2e tier runs it (own database and vhost, both simulators in this process, the four
 * services as child processes), with the services' defaults except the poll interval and rate limits, and
 * with the simulators' traffic metered by route.
 */
export async function startBenchSystem(
  infra: Infra,
  options: { label: string; limits: LimitMode; pollIntervalMs: number; env?: Record<string, string> },
): Promise<BenchSystem> {
  const system = new System({
    ...infra,
    label: options.label,
    // What the image runs (`pnpm build`'s bundles, which run.ts makes first).
    entry: 'bundles',
    env: {
      POLL_INTERVAL_MS: String(options.pollIntervalMs),
      PARTITIONS: '4',
      LOG_LEVEL: 'warn',
      ...limitEnv(options.limits),
      ...options.env,
    },
  });
  const primeroTraffic = meterTraffic(system.primero);
  const oscarTraffic = meterTraffic(system.oscar);
  let listener: (() => void) | undefined;
  for (const app of [system.primero, system.oscar]) {
    app.addHook('onResponse', async (request) => {
      if (listener !== undefined && request.method !== 'GET' && request.url.startsWith('/api/')) listener();
    });
  }
  try {
    await system.start();
  } catch (error) {
    await system.stop();
    throw error;
  }
  // A service that exits (e.g. when another suite restarts the machine's Postgres under it) is started
  // again, as its orchestrator would, and the restart is reported with the figures it disturbs.
  const restarts: ServiceRestart[] = [];
  let restarting: Promise<void> | undefined;
  const supervisor = setInterval(() => {
    if (restarting !== undefined) return;
    // Killed by a signal, a process has no exit code but a signal code.
    const exited = [...system.services].find(
      ([, proc]) => proc.child.exitCode !== null || proc.child.signalCode !== null,
    );
    if (exited === undefined) return;
    const [name, proc] = exited;
    const how = proc.child.signalCode ?? proc.child.exitCode;
    restarts.push({
      service: name,
      at: new Date().toISOString(),
      exit: String(how),
      // The services log ids and reasons, never personal data (STYLE.md), so their last lines can be kept.
      lastLines: proc.output.slice(-3).map((line) => line.slice(0, 400)),
    });
    console.error(`  ${name} exited (${how}): starting it again`);
    restarting = system
      .startService(name)
      .then(
        () => undefined,
        (error: unknown) => console.error(`  ${name} did not start again: ${String(error)}`),
      )
      .finally(() => {
        restarting = undefined;
      });
  }, 500);
  const bench: BenchSystem = {
    system,
    primeroTraffic,
    oscarTraffic,
    onWrite: (next) => {
      listener = next;
    },
    pids: () =>
      new Map(
        [...system.services].flatMap(([name, proc]) =>
          proc.child.pid === undefined ? [] : [[name, proc.child.pid] as const],
        ),
      ),
    restarts,
    stop: async () => {
      clearInterval(supervisor);
      running.delete(bench);
      await restarting;
      await system.stop();
    },
  };
  running.add(bench);
  return bench;
}

export interface SimStats {
  records: Record<string, number>;
  requests: Record<string, number>;
  writes: number;
}

export async function simStats(system: System): Promise<{ primero: SimStats; oscar: SimStats }> {
  const [primero, oscar] = await Promise.all([
    system.primeroControl('GET', '/_control/stats'),
    system.oscarControl('GET', '/_control/stats'),
  ]);
  return { primero: primero.body as SimStats, oscar: oscar.body as SimStats };
}

/** Nothing unpublished in either outbox, no retry waiting, no message in any partition queue. */
export async function pipelineDrained(system: System): Promise<boolean> {
  try {
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `select (select count(*) from primero_poller.outbox where published_at is null)
              + (select count(*) from oscar_poller.outbox where published_at is null)
              + (select count(*) from primero_writer.retries)
              + (select count(*) from oscar_writer.retries) as n`,
      );
      if (Number(rows[0]?.n ?? 1) !== 0) return false;
    } finally {
      await client.end();
    }
    const queues = (await management(
      system.amqpManagementUrl,
      'GET',
      `/api/queues/${encodeURIComponent(system.vhostName)}`,
    )) as Array<{ name: string; messages?: number }>;
    return queues.filter((q) => !q.name.endsWith('.dead')).every((q) => (q.messages ?? 0) === 0);
  } catch {
    return false;
  }
}

/**
 * Waits until the sync is done: the pipeline drained and neither simulator written to for `quietMs`.
 * Resolves with the moment of the last write (the end of the work) — or throws after `timeoutMs`.
 */
export async function waitUntilSynced(
  system: System,
  options: { quietMs: number; timeoutMs: number; startedAt: number; progress?: (line: string) => void },
): Promise<{ lastWriteAt: number }> {
  const deadline = Date.now() + options.timeoutMs;
  let writes = -1;
  let lastWriteAt = options.startedAt;
  let nextProgress = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const stats = await simStats(system).catch(() => undefined);
    const total = stats === undefined ? writes : stats.primero.writes + stats.oscar.writes;
    if (total !== writes) {
      writes = total;
      lastWriteAt = Date.now();
    }
    if (Date.now() >= nextProgress) {
      nextProgress = Date.now() + 30_000;
      options.progress?.(
        `  … ${Math.round((Date.now() - options.startedAt) / 1000)} s: ${writes} writes, Primero ${stats?.primero.records.cases ?? '?'} cases`,
      );
    }
    if (Date.now() - lastWriteAt >= options.quietMs && (await pipelineDrained(system))) {
      return { lastWriteAt };
    }
    await sleep(200);
  }
  throw new Error(
    `the backfill was not synced within ${Math.round(options.timeoutMs / 1000)} s: raise --timeout-s, or look at the services' output`,
  );
}

/** Every sample of one metric on a service's `/metrics`, with its labels. */
export async function samples(
  baseUrl: string,
  name: string,
): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text.split('\n').flatMap((line) => {
    const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) return [];
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    return [{ labels, value: Number(match[3]) }];
  });
}

/** The sum of one metric's samples on a service's `/metrics` whose labels include `labels`. */
export async function metric(
  baseUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  return (await samples(baseUrl, name))
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}
