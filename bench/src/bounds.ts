import { round } from './process-meter.ts';
import type { BackfillResult } from './stages/backfill.stage.ts';
import type { CeilingResult, Probe } from './stages/ceiling.stage.ts';

export interface StageBound {
  stage: string;
  /** Time that stage alone needs for the backfill's work at its measured ceiling. */
  seconds: number;
  /** The backfill's records over that time: the most that stage lets through. */
  recordsPerSecond: number;
  /** How it was computed. */
  basis: string;
}

export interface Bounds {
  measuredRecordsPerSecond: number;
  stages: StageBound[];
  slowest: StageBound;
  /** Measured records/s as a share of the slowest stage's limit. */
  fractionOfLimit: number;
}

/**
 * Where a backfill with lifted limits stands against its limits: the work it did (requests by operation,
 * records listed, events through the outbox and the broker, CPU) divided by the rate each stage reached
 * alone in the ceiling stage. Both simulators run in the bench's one event loop, so they also count together.
 */
export function boundsOf(backfill: BackfillResult, ceiling: CeilingResult, cores: number): Bounds {
  const records = backfill.records.primeroSeeded + backfill.records.oscarSeeded;
  const simSeconds = { primero: 0, oscar: 0 };
  const notes = { primero: new Set<string>(), oscar: new Set<string>() };
  for (const [service, operations] of Object.entries(backfill.pipeline.upstream)) {
    for (const [key, count] of Object.entries(operations)) {
      const system = key.startsWith('primero ') ? 'primero' : key.startsWith('oscar ') ? 'oscar' : undefined;
      if (system === undefined) continue;
      const operation = key.slice(system.length + 1);
      const cost = seconds(system, service, operation, count, backfill, ceiling);
      simSeconds[system] += cost.seconds;
      notes[system].add(cost.basis);
    }
  }
  const events = backfill.pipeline.outboxEvents;
  const broker = Math.min(ceiling.rabbitmq.publishConfirmed.perSecond, ceiling.rabbitmq.consume.perSecond);
  const cpu = Object.values(backfill.services).reduce((sum, figures) => sum + figures.cpuSeconds, 0);
  const servers = backfill.serversCpuSeconds;
  const allCpu = cpu + backfill.simulators.cpuSeconds + servers.postgres + servers.rabbitmq;
  const stage = (name: string, time: number, basis: string): StageBound => ({
    stage: name,
    seconds: round(time, 1),
    recordsPerSecond: round(records / Math.max(time, 1e-9), 0),
    basis,
  });
  const stages = [
    stage('Primero simulator', simSeconds.primero, [...notes.primero].join('; ')),
    stage('OSCaR simulator', simSeconds.oscar, [...notes.oscar].join('; ')),
    stage(
      'both simulators (one event loop)',
      simSeconds.primero + simSeconds.oscar,
      'they share the bench process in the backfill',
    ),
    stage('RabbitMQ', events / broker, `${events} events at ${broker}/s (confirmed publish, consume)`),
    stage(
      'Postgres outbox',
      events / Math.max(1, ceiling.postgres.outboxBatch100.recordsPerSecond ?? 1),
      `${events} rows at ${ceiling.postgres.outboxBatch100.recordsPerSecond ?? 0}/s in batches of 100`,
    ),
    stage(
      `services' CPU on ${cores} cores`,
      cpu / cores,
      `${round(cpu, 1)} CPU s (${round((cpu * 1000) / records, 1)} ms a record), if spread over every core`,
    ),
    stage(
      `the whole sync's CPU on ${cores} cores`,
      allCpu / cores,
      `services ${round(cpu, 1)} s + simulators ${backfill.simulators.cpuSeconds} s + Postgres ${servers.postgres} s + RabbitMQ ${servers.rabbitmq} s = ${round((allCpu * 1000) / records, 1)} ms a record`,
    ),
  ];
  const slowest = stages.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return {
    measuredRecordsPerSecond: backfill.recordsPerSecond,
    stages,
    slowest,
    fractionOfLimit: round(backfill.recordsPerSecond / Math.max(1e-9, slowest.recordsPerSecond), 3),
  };
}

function seconds(
  system: 'primero' | 'oscar',
  service: string,
  operation: string,
  count: number,
  backfill: BackfillResult,
  ceiling: CeilingResult,
): { seconds: number; basis: string } {
  const probes: Record<string, Probe> = ceiling[system];
  if (operation.includes('/tokens') || operation.includes('sign_in'))
    return { seconds: 0, basis: 'logins left out' };
  if (
    service.endsWith('-poller') &&
    (operation === 'GET /api/v2/cases' || operation === 'GET /api/v1/organizations/clients')
  ) {
    const read = backfill.pipeline.recordsRead[service] ?? 0;
    const listed = probes[operation]?.recordsPerSecond ?? 1;
    return { seconds: read / listed, basis: `${read} records listed at ${listed}/s` };
  }
  const key =
    operation === 'GET /api/v2/cases'
      ? 'GET /api/v2/cases?oscar_number'
      : operation === 'PUT /api/v1/organizations/referrals/update_statuses'
        ? 'PUT /api/v1/organizations/clients/update_links'
        : operation;
  const probe = probes[key];
  if (probe !== undefined)
    return { seconds: count / probe.perSecond, basis: `${operation} at ${probe.perSecond}/s` };
  const slowest = Math.min(...Object.values(probes).map((p) => p.perSecond));
  return { seconds: count / slowest, basis: `${operation} (no probe: at the slowest, ${slowest}/s)` };
}
