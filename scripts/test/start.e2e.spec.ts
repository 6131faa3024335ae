import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

import { freePort, management } from '@pos/testkit';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';

/** The README's main command: `pnpm start` runs both simulators and the four services, and stops cleanly. */
describe('pnpm start', () => {
  const demoName = `t_start_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    const client = new pg.Client({ connectionString: inject('databaseUrl') });
    await client.connect();
    await client.query(`drop database if exists "${demoName}" with (force)`);
    await client.end();
    await management(inject('amqpManagementUrl'), 'DELETE', `/api/vhosts/${demoName}`);
  });

  it('syncs the seeded simulators and stops everything on SIGTERM', async () => {
    const [primeroPort, oscarPort, portBase] = [
      await freePort(),
      await freePort(),
      18_000 + Math.floor(Math.random() * 1_000) * 4,
    ];
    const child = spawn(process.execPath, [new URL('../start.ts', import.meta.url).pathname], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: inject('databaseUrl'),
        AMQP_URL: inject('amqpUrl'),
        DEMO_NAME: demoName,
        PRIMERO_SIM_PORT: String(primeroPort),
        OSCAR_SIM_PORT: String(oscarPort),
        HTTP_PORT_BASE: String(portBase),
        SEED_COUNT: '8',
        POLL_INTERVAL_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
    createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      let applied = 0;
      const running = () => output.some((line) => line.includes('primero-oscar-sync is running.'));
      while (Date.now() < deadline && (applied === 0 || !running())) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        try {
          const status = (await (await fetch(`http://127.0.0.1:${portBase + 2}/admin/status`)).json()) as {
            consumer: Record<string, number> | null;
          };
          applied = status.consumer?.applied ?? 0;
        } catch {
          // not up yet
        }
      }
      expect(output.join('\n')).toContain('primero-oscar-sync is running.');
      expect(applied).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output.join('\n')).toContain('stopped.');
  });
});
