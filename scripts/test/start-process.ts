import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort, management } from '@pos/testkit';
import pg from 'pg';
import { inject } from 'vitest';

/** `pnpm start` (scripts/start.ts) as a child process, with every stdout and stderr line kept. */
export interface StartProcess {
  child: ChildProcess;
  output: string[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** True once start.ts printed its summary: every part is ready. */
  running: () => boolean;
  /** SIGTERM, then SIGKILL if it has not exited after `timeoutMs`; resolves with the exit code. */
  stop: (timeoutMs?: number) => Promise<number | null>;
}

/** Ports of their own for the simulators and the four services, so a test never meets another start. */
export async function demoPorts(): Promise<{ primeroPort: number; oscarPort: number; portBase: number }> {
  return {
    primeroPort: await freePort(),
    oscarPort: await freePort(),
    // Five ports from there: the four services' and the console's.
    portBase: 18_000 + Math.floor(Math.random() * 1_000) * 5,
  };
}

/** Runs scripts/start.ts with only `env` (and PATH) in its environment. */
export function spawnStart(env: Record<string, string>): StartProcess {
  const child = spawn(process.execPath, [new URL('../start.ts', import.meta.url).pathname], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  // Whole lines only: a chunk may end in the middle of a line.
  createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output,
    exited,
    running: () => output.some((line) => line.includes('primero-oscar-sync is running.')),
    stop: async (timeoutMs = 20_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls `check` until it holds; fails naming `what` (and showing the output) when the deadline passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs: number,
  output: readonly string[] = [],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`waited ${timeoutMs / 1000} s for ${what}:\n${output.join('\n')}`);
    await sleep(200);
  }
}

/** Drops the database and the vhost a start made for `demoName`. */
export async function dropDemo(demoName: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  await client.query(`drop database if exists "${demoName}" with (force)`);
  await client.end();
  await management(inject('amqpManagementUrl'), 'DELETE', `/api/vhosts/${demoName}`);
}
