import { randomBytes } from 'node:crypto';

import { afterAll, describe, expect, inject, it } from 'vitest';

import { demoPorts, dropDemo, spawnStart, waitFor } from './start-process.ts';

/** The README's main command: `pnpm start` runs both simulators and the four services, and stops cleanly. */
describe('pnpm start', () => {
  const demoName = `t_start_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await dropDemo(demoName);
  });

  it('syncs the seeded simulators and stops everything on SIGTERM', async () => {
    const { primeroPort, oscarPort, portBase } = await demoPorts();
    const start = spawnStart({
      DATABASE_URL: inject('databaseUrl'),
      AMQP_URL: inject('amqpUrl'),
      DEMO_NAME: demoName,
      PRIMERO_SIM_PORT: String(primeroPort),
      OSCAR_SIM_PORT: String(oscarPort),
      HTTP_PORT_BASE: String(portBase),
      SEED_COUNT: '8',
      POLL_INTERVAL_MS: '500',
    });
    try {
      let applied = 0;
      await waitFor(
        async () => {
          try {
            const status = (await (await fetch(`http://127.0.0.1:${portBase + 2}/admin/status`)).json()) as {
              consumer: Record<string, number> | null;
            };
            applied = status.consumer?.applied ?? 0;
          } catch {
            // not up yet
          }
          return applied > 0 && start.running();
        },
        'pnpm start to run and the primero-writer to apply a seeded record',
        60_000,
        start.output,
      );
    } finally {
      expect(await start.stop()).toBe(0);
    }
    expect(start.output.join('\n')).toContain('stopped.');
  });
});
