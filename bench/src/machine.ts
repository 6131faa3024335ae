import { execFile } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';

import { management } from '@pos/testkit';
import pg from 'pg';

import type { Infra } from './bench-system.ts';

const exec = promisify(execFile);

export interface Machine {
  nproc: number;
  cpu: string;
  memoryGb: number;
  node: string;
  rabbitmq: string;
  postgres: string;
  /** 1-minute load average when the bench started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
  /** The 1-, 5- and 15-minute load averages when the bench finished (the 15-minute one spans most of a run). */
  loadAverageAtEnd?: [number, number, number];
  /** The commit measured, and the files of the services and packages that differed from it. */
  revision: { commit: string; uncommitted: string[] };
}

/** What the figures were measured on. */
export async function describeMachine(infra: Infra): Promise<Machine> {
  const [rabbitmq, postgres, load, commit, status] = await Promise.all([
    management(infra.amqpManagementUrl, 'GET', '/api/overview').then(
      (body) => String((body as { rabbitmq_version?: string }).rabbitmq_version ?? 'unknown'),
      () => 'unknown',
    ),
    (async () => {
      const client = new pg.Client({ connectionString: infra.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ server_version: string }>('show server_version');
        return rows[0]?.server_version ?? 'unknown';
      } finally {
        await client.end();
      }
    })().catch(() => 'unknown'),
    exec('cat', ['/proc/loadavg']).then(
      ({ stdout }) => Number(stdout.split(' ')[0]),
      () => Number.NaN,
    ),
    git(['rev-parse', '--short', 'HEAD']),
    git(['status', '--porcelain', '--', 'services', 'packages', 'sims']),
  ]);
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    rabbitmq,
    postgres,
    loadAverageAtStart: load,
    revision: {
      commit: commit.trim(),
      uncommitted: status
        .split('\n')
        .map((line) => line.slice(3).trim())
        .filter(Boolean),
    },
  };
}

/** The 1-, 5- and 15-minute load averages now (`/proc/loadavg`). */
export function loadAverages(): [number, number, number] {
  const [one, five, fifteen] = loadavg();
  return [one ?? Number.NaN, five ?? Number.NaN, fifteen ?? Number.NaN];
}

const root = new URL('../../', import.meta.url).pathname;

function git(args: string[]): Promise<string> {
  return exec('git', ['-C', root, ...args]).then(
    ({ stdout }) => stdout,
    () => '',
  );
}
