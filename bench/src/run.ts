import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { serviceProcessEnv } from '@pos/runtime/process-env';
import { startInfrastructure } from '@pos/testkit/infrastructure';

import { type BenchSystem, serviceNames, stopAllBenchSystems } from './bench-system.ts';
import { describeMachine, loadAverages } from './machine.ts';
import { parseOptions, usage } from './options.ts';
import { type BenchReport, conclude, renderReport } from './report.ts';
import { type BackfillResult, runBackfill, stopBackfill } from './stages/backfill.stage.ts';
import { runCeiling } from './stages/ceiling.stage.ts';
import { legacyCost } from './stages/legacy.stage.ts';
import { runLive } from './stages/live.stage.ts';
import { runPollCost } from './stages/poll.stage.ts';
import { runWebhooks } from './stages/webhooks.stage.ts';

/**
 * `pnpm bench`: runs the stages asked for, prints the figures as tables and writes them to
 * `<out>/<date>.json`. Not a test: it asserts nothing, it measures (bench/test runs a small one).
 */
const root = new URL('../../', import.meta.url).pathname;
const serviceFolders = serviceNames.map((name) => `services/${name}`);
const parsed = parseOptions(process.argv.slice(2), join(root, 'bench/results'));
if (parsed.ok === 'help') {
  console.log(usage);
  process.exit(0);
}
if (!parsed.ok) {
  console.error(parsed.problems.join('\n'));
  process.exit(2);
}
const options = parsed.options;
const log = (line: string) => console.error(line);
// The services run as the image runs them: bundled (`pnpm build`), made fresh from the sources here.
const built = spawnSync(process.execPath, [join(root, 'scripts/build.ts'), ...serviceFolders], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (built.status !== 0) {
  console.error('bench: pnpm build failed (above); nothing was measured');
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');

const { NODE_OPTIONS: _imageNodeOptions, ...imageMemoryEnv } = serviceProcessEnv;
const serviceEnv: Record<string, string> = {
  CURSOR_OVERLAP_MS: String(options.cursorOverlapMs),
  // The image's memory settings, with NODE_OPTIONS as --node-options says (the image's by default).
  ...imageMemoryEnv,
  ...(options.nodeOptions === '' ? {} : { NODE_OPTIONS: options.nodeOptions }),
};
// Ctrl-C (or a SIGTERM) stops the services and drops the databases and vhosts made so far.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping the systems under test`);
    void stopAllBenchSystems().finally(() => process.exit(130));
  });
}
const infra = await startInfrastructure();
const report: BenchReport = {
  command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
  startedAt: new Date().toISOString(),
  machine: await describeMachine(infra),
  options,
  backfill: [],
};

/** The last backfill's system, kept running for the poll stage. */
let last:
  | { bench: BenchSystem; result: BackfillResult; lastWriteAt: number; profileDir: string | undefined }
  | undefined;
const stopLast = async () => {
  if (last === undefined) return;
  const stopping = last;
  last = undefined;
  await stopBackfill(stopping.bench, stopping.result, stopping.profileDir);
};

try {
  if (options.stages.includes('backfill')) {
    for (const limits of options.limits) {
      await stopLast();
      log(`backfill: ${options.records} + ${options.records} records, ${limits} rate limits`);
      const profileDir =
        options.cpuProf && limits === 'lifted' ? join(options.out, 'profiles', stamp) : undefined;
      const run = await runBackfill(infra, {
        records: options.records,
        seed: options.seed,
        limits,
        pollIntervalMs: options.pollIntervalMs,
        timeoutS: options.timeoutS,
        env: serviceEnv,
        ...(profileDir === undefined ? {} : { profileDir }),
        log,
      });
      report.backfill.push(run.result);
      last = { ...run, profileDir };
      log(`  synced in ${run.result.wallSeconds} s (${run.result.recordsPerSecond} records/s)`);
    }
  }
  if (options.stages.includes('poll')) {
    if (last === undefined) {
      log(
        `poll: backfilling ${options.records} + ${options.records} records first (lifted limits, not reported)`,
      );
      const run = await runBackfill(infra, {
        records: options.records,
        seed: options.seed,
        limits: 'lifted',
        pollIntervalMs: options.pollIntervalMs,
        timeoutS: options.timeoutS,
        env: serviceEnv,
        log,
      });
      last = { ...run, profileDir: undefined };
    }
    log(`poll: ${options.polls} polls of each poller over unchanged records`);
    report.poll = await runPollCost(last.bench, {
      polls: options.polls,
      pollIntervalMs: options.pollIntervalMs,
      lastWriteAt: last.lastWriteAt,
      overlapMs: options.cursorOverlapMs,
      log,
    });
  }
  await stopLast();
  if (options.stages.includes('live')) {
    log(
      `live: ${options.liveChanges} changes each way at ${options.liveRate}/s, ${options.pollIntervalMs} ms polls`,
    );
    report.live = await runLive(infra, {
      changes: options.liveChanges,
      rate: options.liveRate,
      pollIntervalMs: options.pollIntervalMs,
      env: serviceEnv,
      log,
    });
  }
  if (options.stages.includes('webhooks')) {
    log(
      `webhooks: ${options.liveChanges} Primero referrals at ${options.liveRate}/s, 5 s worker delay, 5 min safety poll`,
    );
    report.webhooks = await runWebhooks(infra, {
      referrals: options.liveChanges,
      rate: options.liveRate,
      workerDelayMs: 5000,
      safetyPollMs: 300_000,
      quietWindowS: 60,
      env: { ...serviceEnv, PRIMERO_MAX_RPS: String(options.webhookPrimeroRps) },
      log,
    });
  }
  if (options.stages.includes('ceiling')) {
    log(`ceiling: ${options.ceilingSeconds} s per probe, ${options.ceilingConcurrency} in flight`);
    report.ceiling = await runCeiling(infra, {
      records: options.records,
      seed: options.seed,
      seconds: options.ceilingSeconds,
      concurrency: options.ceilingConcurrency,
      log,
    });
  }
  if (options.stages.includes('legacy')) report.legacy = legacyCost({ records: options.records });
} finally {
  await stopLast();
  report.finishedAt = new Date().toISOString();
  report.machine.loadAverageAtEnd = loadAverages();
  conclude(report);
  mkdirSync(options.out, { recursive: true });
  const file = join(options.out, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(renderReport(report));
  console.log(`\nfigures written to ${file}`);
}
