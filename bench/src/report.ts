import { type Bounds, boundsOf } from './bounds.ts';
import type { Machine } from './machine.ts';
import type { BenchOptions } from './options.ts';
import type { BackfillResult } from './stages/backfill.stage.ts';
import type { CeilingResult } from './stages/ceiling.stage.ts';
import type { LegacyCost } from './stages/legacy.stage.ts';
import type { LiveResult } from './stages/live.stage.ts';
import type { PollResult } from './stages/poll.stage.ts';
import { renderWebhooks, type WebhooksResult, webhookTargets } from './stages/webhooks.stage.ts';

export interface BenchReport {
  command: string;
  startedAt: string;
  finishedAt?: string;
  machine: Machine;
  options: BenchOptions;
  backfill: BackfillResult[];
  ceiling?: CeilingResult;
  bounds?: Bounds;
  live?: LiveResult;
  poll?: PollResult;
  legacy?: LegacyCost;
  webhooks?: WebhooksResult;
  targets?: Target[];
}

export interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

/** Fills in what is computed from the stages: the bounds and the issue's targets. */
export function conclude(report: BenchReport): BenchReport {
  const lifted = report.backfill.find((run) => run.limits === 'lifted');
  if (lifted !== undefined && report.ceiling !== undefined) {
    report.bounds = boundsOf(lifted, report.ceiling, report.machine.nproc);
  }
  report.targets = targets(report);
  return report;
}

function targets(report: BenchReport): Target[] {
  const list: Target[] = [];
  for (const run of report.backfill) {
    list.push({
      target: `Primero requests per synced case ≤ 2.5 (backfill, ${run.limits} limits)`,
      measured: `${run.primero.perRecord} (${run.primero.total} for ${run.primero.recordsAtEnd} cases)`,
      met: run.primero.perRecord <= 2.5,
    });
  }
  if (report.poll !== undefined) {
    const { primero, oscar, inOverlap } = report.poll;
    const referralFetches =
      (inOverlap.primero.requestsPerPoll['GET /api/v2/cases/:id/referrals'] ?? 0) +
      (primero.requestsPerPoll['GET /api/v2/cases/:id/referrals'] ?? 0);
    list.push({
      target: 'zero referral fetches for unchanged cases',
      measured: `${referralFetches} a poll (${inOverlap.primero.recordsPerPoll} unchanged cases listed a poll in the cursor overlap)`,
      met: referralFetches === 0,
    });
    const requests = (perPoll: Record<string, number>) => Object.values(perPoll).reduce((a, b) => a + b, 0);
    list.push({
      target: 'steady state: one list request per poll per system',
      measured: `Primero ${requests(primero.requestsPerPoll)}, OSCaR ${requests(oscar.requestsPerPoll)}`,
      met:
        requests(primero.requestsPerPoll) === 1 &&
        requests(oscar.requestsPerPoll) === 1 &&
        (primero.requestsPerPoll['GET /api/v2/cases'] ?? 0) === 1 &&
        (oscar.requestsPerPoll['GET /api/v1/organizations/clients'] ?? 0) === 1,
    });
  }
  const lifted = report.backfill.find((run) => run.limits === 'lifted');
  if (lifted !== undefined) {
    const bound = report.bounds?.slowest;
    list.push({
      target: '≥ 500 records/s end to end, limits lifted',
      measured: `${lifted.recordsPerSecond}${bound === undefined ? '' : ` (slowest stage: ${bound.stage}, ${bound.recordsPerSecond}/s)`}`,
      met: lifted.recordsPerSecond >= 500,
    });
  }
  if (report.live !== undefined) {
    const { primeroToOscar: p, oscarToPrimero: o } = report.live;
    list.push({
      target: `live latency p95 ≤ 2 s at ${report.live.pollIntervalMs / 1000} s polls, both directions`,
      measured: `Primero→OSCaR ${seconds(p.p95Ms)}, OSCaR→Primero ${seconds(o.p95Ms)}`,
      met: p.p95Ms <= 2000 && o.p95Ms <= 2000 && p.arrived === p.changes && o.arrived === o.changes,
    });
  }
  if (report.webhooks !== undefined) list.push(...webhookTargets(report.webhooks));
  if (report.backfill.length > 0) {
    const peaks = report.backfill.flatMap((run) =>
      Object.entries(run.services).map(([name, f]) => ({ name, mb: f.peakRssMb })),
    );
    const worst = peaks.reduce((a, b) => (b.mb > a.mb ? b : a));
    list.push({
      target: `peak RSS ≤ 150 MB per service (${report.options.records} + ${report.options.records} backfill)`,
      measured: `highest ${worst.mb} MB (${worst.name})`,
      met: worst.mb <= 150,
    });
  }
  return list;
}

/** The figures as plain-text tables. */
export function renderReport(report: BenchReport): string {
  const out: string[] = [];
  const m = report.machine;
  out.push(
    `machine: ${m.nproc} cores (${m.cpu}), ${m.memoryGb} GB, Node.js ${m.node}, RabbitMQ ${m.rabbitmq}, PostgreSQL ${m.postgres}, load ${m.loadAverageAtStart} at start${m.loadAverageAtEnd === undefined ? '' : `, ${m.loadAverageAtEnd.map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min) at the end`}`,
    `command: ${report.command}`,
    `revision: ${m.revision.commit}${m.revision.uncommitted.length === 0 ? '' : ` with uncommitted changes in ${m.revision.uncommitted.join(', ')}`}`,
  );
  if (report.backfill.length > 0) {
    const runs = report.backfill;
    const row = (label: string, value: (run: BackfillResult) => string | number) => [
      label,
      ...runs.map((run) => String(value(run))),
    ];
    const services = Object.keys(runs[0]?.services ?? {});
    out.push(
      '',
      `Backfill: ${runs[0]?.records.primeroSeeded} Primero cases (${runs[0]?.records.primeroReferrals} referrals) + ${runs[0]?.records.oscarSeeded} OSCaR clients, empty to synced`,
      table(
        ['', ...runs.map((run) => `${run.limits} limits`)],
        [
          row('wall time', (run) => `${run.wallSeconds} s`),
          row('records/s', (run) => run.recordsPerSecond),
          row(
            'Primero requests / case',
            (run) => `${run.primero.perRecord} (${run.primero.total} / ${run.primero.recordsAtEnd})`,
          ),
          row(
            'OSCaR requests / client',
            (run) => `${run.oscar.perRecord} (${run.oscar.total} / ${run.oscar.recordsAtEnd})`,
          ),
          row('outbox events', (run) => run.pipeline.outboxEvents),
          row('Postgres transactions / record', (run) => {
            const records = run.records.primeroSeeded + run.records.oscarSeeded;
            return `${(run.pipeline.postgres.transactions / records).toFixed(1)} (${run.pipeline.postgres.transactions})`;
          }),
          ...services.map((name) =>
            row(
              `${name}: RSS idle → peak, CPU`,
              (run) =>
                `${run.services[name]?.startRssMb} → ${run.services[name]?.peakRssMb} MB, ${run.services[name]?.cpuSeconds} s`,
            ),
          ),
          row(
            'simulators (bench): CPU, loop busy',
            (run) =>
              `${run.simulators.cpuSeconds} s, ${Math.round(run.simulators.eventLoopUtilization * 100)} %`,
          ),
          row(
            'Postgres backends, RabbitMQ: CPU',
            (run) => `${run.serversCpuSeconds.postgres} s, ${run.serversCpuSeconds.rabbitmq} s`,
          ),
          row('machine CPU busy', (run) => `${Math.round(run.machineCpuBusy * 100)} %`),
          row('services restarted', (run) =>
            run.restarts.length === 0
              ? 'none'
              : run.restarts.map((restart) => `${restart.service} at ${restart.at.slice(11, 19)}`).join(', '),
          ),
        ],
      ),
    );
    for (const run of runs) {
      out.push(
        `  top routes, ${run.limits} limits — Primero: ${run.primero.top.map(([r, n]) => `${r} ${n}`).join(', ')}`,
        `                         OSCaR: ${run.oscar.top.map(([r, n]) => `${r} ${n}`).join(', ')}`,
      );
    }
    for (const run of runs) {
      if (run.profile === undefined) continue;
      out.push('', `CPU profile, ${run.limits} limits (self time)`);
      for (const [name, profile] of Object.entries(run.profile)) {
        out.push(
          `  ${name} (${Math.round(profile.totalMs / 1000)} s sampled): ${profile.hottest
            .slice(0, 5)
            .map(
              (f) =>
                `${f.name} ${Math.round(f.share * 100)} %${f.calledFrom === undefined ? '' : ` [from ${f.calledFrom}]`}`,
            )
            .join(', ')}`,
          `    by package: ${profile.packages
            .slice(0, 6)
            .map((f) => `${f.name} ${Math.round(f.share * 100)} %`)
            .join(', ')}`,
        );
      }
    }
  }
  if (report.ceiling !== undefined) {
    const c = report.ceiling;
    const probeRow = (
      system: string,
      route: string,
      probe: { perSecond: number; recordsPerSecond?: number; targetCores?: number },
    ) => [
      system,
      route,
      `${probe.perSecond}/s${probe.recordsPerSecond === undefined ? '' : ` (${probe.recordsPerSecond} records/s)`}`,
      probe.targetCores === undefined ? '' : `${probe.targetCores}`,
    ];
    out.push(
      '',
      `Ceiling: each target alone, ${c.concurrency} in flight, ${c.seconds} s a probe`,
      table(
        ['target', 'call', 'rate', 'target cores'],
        [
          ...Object.entries(c.primero).map(([route, probe]) => probeRow('Primero sim', route, probe)),
          ...Object.entries(c.oscar).map(([route, probe]) => probeRow('OSCaR sim', route, probe)),
          probeRow(
            'RabbitMQ',
            `confirmed publish (${c.rabbitmq.messageBytes} B, quorum)`,
            c.rabbitmq.publishConfirmed,
          ),
          probeRow('RabbitMQ', 'consume + ack (prefetch 20)', c.rabbitmq.consume),
          probeRow('Postgres', 'outbox insert, 100 a transaction', c.postgres.outboxBatch100),
          probeRow('Postgres', 'outbox insert, 1 a transaction', c.postgres.outboxSingle),
        ],
      ),
    );
  }
  if (report.bounds !== undefined) {
    const b = report.bounds;
    out.push(
      '',
      `Bounds of the lifted backfill: ${b.measuredRecordsPerSecond} records/s measured = ${Math.round(b.fractionOfLimit * 100)} % of the slowest stage (${b.slowest.stage})`,
      table(
        ['stage', 'time for the backfill alone', 'records/s limit'],
        b.stages.map((s) => [s.stage, `${s.seconds} s`, String(s.recordsPerSecond)]),
      ),
    );
  }
  if (report.live !== undefined) {
    const l = report.live;
    const row = (label: string, f: LiveResult['primeroToOscar']) => [
      label,
      `${f.arrived}/${f.changes}`,
      `${f.rate}/s`,
      seconds(f.p50Ms),
      seconds(f.p95Ms),
      seconds(f.p99Ms),
      seconds(f.maxMs),
    ];
    out.push(
      '',
      `Live latency at ${l.pollIntervalMs / 1000} s polls, default limits (source write to effect)`,
      table(
        ['direction', 'arrived', 'rate', 'p50', 'p95', 'p99', 'max'],
        [
          row('Primero → OSCaR (referral → pending referral)', l.primeroToOscar),
          row('OSCaR → Primero (referred client → case)', l.oscarToPrimero),
        ],
      ),
    );
  }
  if (report.poll !== undefined) {
    const p = report.poll;
    const row = (label: string, f: PollResult['primero']) => [
      label,
      Object.entries(f.requestsPerPoll)
        .map(([route, n]) => `${n} ${route}`)
        .join(', ') || '0',
      String(f.recordsPerPoll),
      String(f.emittedPerPoll),
      kb(f.bytesPerPoll),
      `${f.pollMs} ms`,
    ];
    const changed = p.oscarAllChangedToday;
    out.push(
      '',
      `Poll cost in steady state (nothing changing), over ${p.primero.polls} polls each`,
      table(
        ['poller', 'requests / poll', 'records / poll', 'events / poll', 'bytes / poll', 'poll time'],
        [
          row('Primero, in the cursor overlap', p.inOverlap.primero),
          row('OSCaR, right after the backfill', p.inOverlap.oscar),
          row('Primero, overlap passed', p.primero),
          row('OSCaR, overlap passed', p.oscar),
          row(`OSCaR, all ${changed.clients} clients changed today`, changed),
        ],
      ),
      `  OSCaR's list with 10,000 clients changed today: ${kb(changed.bytesFor10k)} a poll; ` +
        changed.byInterval
          .map(
            (r) =>
              `${r.intervalS} s → ${r.gbPerDay} GB/day, poller ${Math.round(r.pollerBusyShare * 100)} % busy`,
          )
          .join('; '),
      `  shortest interval with polling ≤ 5 % of the poller's time: ${changed.reasonableIntervalS} s`,
    );
  }
  if (report.legacy !== undefined) {
    const g = report.legacy;
    out.push(
      '',
      `Legacy hourly job (computed: one page of ${g.assumptions.pageSize}, N+1 referral fetches, ${g.assumptions.primeroRequestMs} ms a Primero request)`,
      table(
        ['', 'Primero requests', 'OSCaR requests', 'worst-case latency'],
        [
          [
            'quiet day',
            String(g.quietDay.primero),
            String(g.quietDay.oscar),
            `${g.worstCaseLatencyMinutes.quietDay} min`,
          ],
          [
            `day with ${report.options.records} + ${report.options.records} changes`,
            `${g.busyDay.primero} (${g.busyDay.referralFetches} referral fetches)`,
            String(g.busyDay.oscar),
            '',
          ],
          [
            'backfill run',
            `${g.backfillRun.primero} (${g.backfillRun.primeroPerCase} a case)`,
            String(g.backfillRun.oscar),
            `${g.worstCaseLatencyMinutes.backfill} min (run ${g.backfillRun.minutes} min)`,
          ],
        ],
      ),
    );
  }
  if (report.webhooks !== undefined) out.push(...renderWebhooks(report.webhooks));
  if (report.targets !== undefined && report.targets.length > 0) {
    out.push(
      '',
      'Targets of the issue',
      table(
        ['target', 'measured', 'met'],
        report.targets.map((t) => [t.target, t.measured, t.met === null ? '—' : t.met ? 'yes' : 'NO']),
      ),
    );
  }
  return out.join('\n');
}

/** Left-aligned columns, a rule under the header. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const seconds = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const kb = (bytes: number) =>
  bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
