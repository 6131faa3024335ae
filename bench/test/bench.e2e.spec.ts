import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, inject, it } from 'vitest';

import type { BenchReport } from '../src/report.ts';

const entry = new URL('../src/run.ts', import.meta.url).pathname;

/** `pnpm bench`, small: it runs, prints its tables and writes its JSON, so the benchmark cannot rot. */
describe('pnpm bench', () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs a 100 + 100 backfill (both rate-limit modes) and the poll stage, prints the tables and writes the figures', async () => {
    const child = spawn(
      process.execPath,
      [
        entry,
        ...['--records', '100', '--stages', 'backfill,poll', '--polls', '3'],
        ...['--cursor-overlap-ms', '2000', '--out', out],
      ],
      {
        env: {
          ...process.env,
          DATABASE_URL: inject('databaseUrl'),
          AMQP_URL: inject('amqpUrl'),
          AMQP_MANAGEMENT_URL: inject('amqpManagementUrl'),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, `${stdout}\n${stderr}`).toBe(0);

    for (const heading of [
      'Backfill: 100 Primero cases',
      'Poll cost in steady state',
      'Targets of the issue',
    ])
      expect(stdout).toContain(heading);
    expect(stdout).toMatch(/wall time\s+[\d.]+ s\s+[\d.]+ s/);
    expect(stdout).toMatch(/Primero requests per synced case ≤ 2\.5 \(backfill, lifted limits\)\s+[\d.]+ \(/);

    const files = readdirSync(out).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const report = JSON.parse(readFileSync(join(out, files[0] ?? ''), 'utf8')) as BenchReport;
    expect(report.backfill.map((run) => run.limits)).toEqual(['default', 'lifted']);
    for (const run of report.backfill) {
      expect(run.records).toMatchObject({ primeroSeeded: 100, oscarSeeded: 100 });
      expect(run.primero.total).toBeGreaterThan(0);
      expect(Object.keys(run.services).sort()).toEqual([
        'oscar-poller',
        'oscar-writer',
        'primero-poller',
        'primero-writer',
      ]);
      for (const figures of Object.values(run.services)) expect(figures.peakRssMb).toBeGreaterThan(0);
    }
    expect(report.poll?.primero.polls).toBe(3);
    expect(report.machine.nproc).toBeGreaterThan(0);
  }, 600_000);
});
