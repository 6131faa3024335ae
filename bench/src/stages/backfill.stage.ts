import { mkdirSync } from 'node:fs';

import pg from 'pg';

import {
  type BenchSystem,
  type Infra,
  metric,
  samples,
  serviceNames,
  type ServiceRestart,
  simStats,
  startBenchSystem,
  waitUntilSynced,
} from '../bench-system.ts';
import { hottestFunctions, type ServiceProfile } from '../cpu-profile.ts';
import type { LimitMode } from '../options.ts';
import {
  cpuOf,
  machineCpu,
  pidsNamed,
  type ProcessFigures,
  round,
  type SelfFigures,
  startProcessMeter,
  startSelfMeter,
} from '../process-meter.ts';
import { type Traffic, trafficSince } from '../traffic-meter.ts';

export interface SystemCost {
  /** Requests by route during the backfill (`GET /_control/stats`). */
  requests: Record<string, number>;
  total: number;
  /** Records that system holds once synced (Primero cases, OSCaR clients). */
  recordsAtEnd: number;
  /** `total / recordsAtEnd`: upstream requests per synced record. */
  perRecord: number;
  /** Response bytes by route (metered in the simulator). */
  bytes: number;
  top: Array<[string, number]>;
}

export interface BackfillResult {
  limits: LimitMode;
  records: { primeroSeeded: number; oscarSeeded: number; primeroReferrals: number };
  wallSeconds: number;
  /** Seeded records (both systems) per second of wall time, seed to the last write. */
  recordsPerSecond: number;
  primero: SystemCost;
  oscar: SystemCost;
  services: Record<string, ProcessFigures>;
  /** The bench process: both simulators, the bench's own checks. */
  simulators: SelfFigures;
  /** CPU seconds of the Postgres backends serving the sync's database, and of the whole RabbitMQ broker. */
  serversCpuSeconds: { postgres: number; rabbitmq: number };
  /** Share of all the machine's cores busy during the backfill (anything running, not only the sync). */
  machineCpuBusy: number;
  pipeline: PipelineFigures;
  /** Services that exited during the backfill and were started again (their counters then restart too). */
  restarts: ServiceRestart[];
  /** `--cpu-prof`: the hottest functions of each service (self time). */
  profile?: Record<string, ServiceProfile>;
}

/** What went through the pipeline: what the bounds are computed from. */
export interface PipelineFigures {
  /** Events the pollers wrote to their outboxes (each published once to RabbitMQ and consumed once). */
  outboxEvents: number;
  /** Mean size of an event, bytes. */
  eventBytes: number;
  /** Upstream requests by service, then by operation (`sync_upstream_requests_total`). */
  upstream: Record<string, Record<string, number>>;
  /**
   * The sync's database during the backfill (`pg_stat_database`): transactions committed — each statement
   * outside an explicit transaction is one, so this is a floor on the round trips — and rows written.
   */
  postgres: DatabaseActivity;
  /** Records each poller read (`sync_poll_records_read_total`), and its polls. */
  recordsRead: Record<string, number>;
  polls: Record<string, number>;
}

export interface DatabaseActivity {
  transactions: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
}

/**
 * Backfill: N Primero cases (the seed refers about a third of them) and N OSCaR clients (not linked), from
 * an empty sync to fully synced — outboxes and queues empty, no retry waiting, neither simulator written
 * to for a few poll intervals. The returned system is left running for the poll stage.
 */
export async function runBackfill(
  infra: Infra,
  options: {
    records: number;
    seed: number;
    limits: LimitMode;
    pollIntervalMs: number;
    timeoutS: number;
    /** More environment for the services (CURSOR_OVERLAP_MS, NODE_OPTIONS). */
    env: Record<string, string>;
    profileDir?: string;
    log: (line: string) => void;
  },
): Promise<{ result: BackfillResult; bench: BenchSystem; lastWriteAt: number }> {
  const profileDir = options.profileDir;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const bench = await startBenchSystem(infra, {
    label: `bench_${options.limits}`,
    limits: options.limits,
    pollIntervalMs: options.pollIntervalMs,
    env:
      profileDir === undefined
        ? options.env
        : {
            ...options.env,
            NODE_OPTIONS: `${options.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profileDir}`.trim(),
          },
  });
  try {
    const { system } = bench;
    const trafficBefore = { primero: bench.primeroTraffic.snapshot(), oscar: bench.oscarTraffic.snapshot() };
    const before = await simStats(system);
    const seeded = await Promise.all([
      system.primeroControl('POST', '/_control/seed', {
        count: options.records,
        seed: options.seed,
        linked: false,
      }),
      system.oscarControl('POST', '/_control/seed', {
        count: options.records,
        seed: options.seed,
        linked: false,
      }),
    ]);
    const startedAt = Date.now();
    const processes = startProcessMeter(bench.pids);
    const self = startSelfMeter();
    const machine = machineCpu();
    const postgresCpu = cpuOf(await backendPids(system.databaseUrl));
    const activityBefore = await databaseActivity(system.databaseUrl);
    const rabbitmqCpu = cpuOf(pidsNamed('beam.smp'));
    const primeroSeed = (seeded[0].body as { seeded: { cases: number; referrals: number } }).seeded;
    const oscarSeed = (seeded[1].body as { records: { clients: number } }).records;
    options.log(
      `  seeded ${primeroSeed.cases} Primero cases (${primeroSeed.referrals} referrals) and ${oscarSeed.clients} OSCaR clients`,
    );
    const { lastWriteAt } = await waitUntilSynced(system, {
      quietMs: Math.max(3_000, options.pollIntervalMs * 3),
      timeoutMs: options.timeoutS * 1000,
      startedAt,
      progress: options.log,
    });
    const services = processes.stop();
    const simulators = self.stop();
    const machineCpuBusy = machine.stop();
    const serversCpuSeconds = {
      postgres: postgresCpu.stop(await backendPids(system.databaseUrl)),
      rabbitmq: rabbitmqCpu.stop(pidsNamed('beam.smp')),
    };
    const after = await simStats(system);
    const activityAfter = await databaseActivity(system.databaseUrl);
    const wallSeconds = (lastWriteAt - startedAt) / 1000;
    const cost = (
      system: 'primero' | 'oscar',
      records: number,
      traffic: { before: Traffic; after: Traffic },
    ): SystemCost => {
      const requests = since(before[system].requests, after[system].requests);
      const total = Object.values(requests).reduce((sum, n) => sum + n, 0);
      const metered = trafficSince(traffic.before, traffic.after);
      return {
        requests,
        total,
        recordsAtEnd: records,
        perRecord: round(total / Math.max(1, records), 2),
        bytes: Object.values(metered).reduce((sum, entry) => sum + entry.bytes, 0),
        top: Object.entries(requests)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5),
      };
    };
    const result: BackfillResult = {
      limits: options.limits,
      records: {
        primeroSeeded: primeroSeed.cases,
        oscarSeeded: oscarSeed.clients,
        primeroReferrals: primeroSeed.referrals,
      },
      wallSeconds: round(wallSeconds, 1),
      recordsPerSecond: round((primeroSeed.cases + oscarSeed.clients) / Math.max(0.001, wallSeconds), 1),
      primero: cost('primero', after.primero.records.cases ?? 0, {
        before: trafficBefore.primero,
        after: bench.primeroTraffic.snapshot(),
      }),
      oscar: cost('oscar', after.oscar.records.clients ?? 0, {
        before: trafficBefore.oscar,
        after: bench.oscarTraffic.snapshot(),
      }),
      services,
      restarts: bench.restarts.filter((restart) => Date.parse(restart.at) >= startedAt),
      simulators,
      serversCpuSeconds,
      machineCpuBusy,
      pipeline: {
        ...(await pipelineFigures(bench)),
        postgres: {
          transactions: activityAfter.transactions - activityBefore.transactions,
          rowsInserted: activityAfter.rowsInserted - activityBefore.rowsInserted,
          rowsUpdated: activityAfter.rowsUpdated - activityBefore.rowsUpdated,
          rowsDeleted: activityAfter.rowsDeleted - activityBefore.rowsDeleted,
        },
      },
    };
    return { result, bench, lastWriteAt };
  } catch (error) {
    await bench.stop();
    throw error;
  }
}

/**
 * Stops a backfill's system; with `--cpu-prof` the services write their profiles as they exit, and the
 * hottest functions of each are read back.
 */
export async function stopBackfill(
  bench: BenchSystem,
  result: BackfillResult,
  profileDir: string | undefined,
): Promise<void> {
  const pids = bench.pids();
  await bench.stop();
  if (profileDir === undefined) return;
  result.profile = {};
  for (const [name, pid] of pids) {
    const profile = hottestFunctions(profileDir, pid);
    if (profile !== undefined) result.profile[name] = profile;
  }
}

/** The Postgres server processes serving one database (its backends, one per connection). */
async function backendPids(databaseUrl: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

async function databaseActivity(databaseUrl: string): Promise<DatabaseActivity> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Statistics reach pg_stat_database within a second or so of each transaction: read a fresh snapshot.
    await client.query('select pg_stat_clear_snapshot()');
    const { rows } = await client.query<Record<'xact' | 'ins' | 'upd' | 'del', string>>(
      `select xact_commit as xact, tup_inserted as ins, tup_updated as upd, tup_deleted as del
         from pg_stat_database where datname = current_database()`,
    );
    const row = rows[0];
    return {
      transactions: Number(row?.xact ?? 0),
      rowsInserted: Number(row?.ins ?? 0),
      rowsUpdated: Number(row?.upd ?? 0),
      rowsDeleted: Number(row?.del ?? 0),
    };
  } finally {
    await client.end();
  }
}

async function pipelineFigures(bench: BenchSystem): Promise<Omit<PipelineFigures, 'postgres'>> {
  const client = new pg.Client({ connectionString: bench.system.databaseUrl });
  await client.connect();
  let outboxEvents = 0;
  let eventBytes = 0;
  try {
    const { rows } = await client.query<{ n: string; bytes: string | null }>(
      `select count(*) as n, avg(octet_length(payload::text)) as bytes
         from (select payload from primero_poller.outbox union all select payload from oscar_poller.outbox) events`,
    );
    outboxEvents = Number(rows[0]?.n ?? 0);
    eventBytes = Math.round(Number(rows[0]?.bytes ?? 0));
  } finally {
    await client.end();
  }
  const upstream: Record<string, Record<string, number>> = {};
  const recordsRead: Record<string, number> = {};
  const polls: Record<string, number> = {};
  for (const name of serviceNames) {
    const baseUrl = bench.system.service(name).baseUrl;
    const byOperation: Record<string, number> = {};
    for (const sample of await samples(baseUrl, 'sync_upstream_requests_total')) {
      const key = `${sample.labels.system ?? '?'} ${sample.labels.operation ?? '?'}`;
      byOperation[key] = (byOperation[key] ?? 0) + sample.value;
    }
    upstream[name] = byOperation;
    if (name.endsWith('-poller')) {
      recordsRead[name] = await metric(baseUrl, 'sync_poll_records_read_total');
      polls[name] = await metric(baseUrl, 'sync_poll_duration_seconds_count');
    }
  }
  return { outboxEvents, eventBytes, upstream, recordsRead, polls };
}

function since(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}
