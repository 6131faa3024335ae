import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { useTestDatabase } from './database.ts';
import { checkLeaks } from './leaks.ts';
import { startServiceProcess } from './service-process.ts';
import { useTestVhost } from './vhost.ts';

/**
 * The start-up and shutdown contract every service keeps: against real Postgres and RabbitMQ it answers
 * `/health/live` and `/health/ready`, and on SIGTERM it stops accepting, runs its shutdown stages in order,
 * and exits 0.
 */
export function describeServiceLifecycle(
  service: string,
  entry: string,
  extraEnv: () => Record<string, string> = () => ({}),
) {
  describe(`${service} lifecycle`, () => {
    const database = useTestDatabase(service);
    const vhost = useTestVhost(service);
    checkLeaks();

    it('reports live and ready against real Postgres and RabbitMQ, then shuts down in two stages on SIGTERM', async () => {
      const proc = await startServiceProcess({
        entry,
        env: { DATABASE_URL: database.url, AMQP_URL: vhost.url, LOG_LEVEL: 'info', ...extraEnv() },
      });
      try {
        const live = await fetch(`${proc.baseUrl}/health/live`);
        expect(live.status).toBe(200);
        expect(await live.json()).toEqual({ status: 'live' });

        const ready = await fetch(`${proc.baseUrl}/health/ready`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({
          status: 'ready',
          checks: { postgres: 'up', rabbitmq: 'up' },
        });

        proc.signal('SIGTERM');
        expect(await proc.exited).toBe(0);

        const messages = proc.logs().map((line) => String(line.msg));
        const started = messages.indexOf('shutdown: started');
        const complete = messages.indexOf('shutdown: complete');
        expect(started).toBeGreaterThanOrEqual(0);
        expect(complete, messages.join(' | ')).toBeGreaterThan(started);
        const stages = proc
          .logs()
          .filter((line) => line.msg === 'shutdown: stage done')
          .map((line) => line.stage);
        expect(stages[0], proc.output.join('\n')).toBe('stop accepting work');
        expect(stages.slice(-3)).toEqual([
          'close broker connection',
          'close postgres pool',
          'flush telemetry',
        ]);
        expect(proc.logs().every((line) => line.service === service)).toBe(true);
      } finally {
        await proc.stop();
      }
    });

    it('refuses to start with invalid configuration and names every bad variable', async () => {
      await expect(
        startServiceProcess({
          entry,
          env: { DATABASE_URL: 'mysql://nope', AMQP_URL: 'not a url', LOG_LEVEL: 'loud' },
          readyTimeoutMs: 10_000,
        }),
      ).rejects.toThrow(/DATABASE_URL[\s\S]*AMQP_URL[\s\S]*LOG_LEVEL/);
    });

    it('refuses to start with a broken mapping table and names the file and the row', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'mappings-'));
      try {
        cpSync(new URL('../../../config/mappings/', import.meta.url).pathname, dir, { recursive: true });
        const provinces = join(dir, 'provinces.csv');
        // A second row for Phnom Penh's code: an administrator's typo.
        writeFileSync(provinces, `${readFileSync(provinces, 'utf8')}12,Phnom Penh again,mgrpnh2,\n`);
        await expect(
          startServiceProcess({
            entry,
            env: { DATABASE_URL: database.url, AMQP_URL: vhost.url, MAPPINGS_DIR: dir, ...extraEnv() },
            readyTimeoutMs: 10_000,
          }),
        ).rejects.toThrow(/provinces\.csv row 27/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
