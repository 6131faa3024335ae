import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { useTestDatabase } from './database.ts';
import { checkLeaks } from './leaks.ts';
import { freePort, type ServiceProcess, startServiceProcess } from './service-process.ts';
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

    it('waits, not ready, for a PostgreSQL and a RabbitMQ that are not there, one line per attempt, and stops at once on SIGTERM', async () => {
      const secret = 'pw-never-logged';
      const [postgresPort, rabbitmqPort] = [await freePort(), await freePort()];
      const servers = [
        { name: 'PostgreSQL', variable: 'DATABASE_URL', port: postgresPort, masked: `postgres://postgres:***@127.0.0.1:${postgresPort}/nowhere` },
        { name: 'RabbitMQ', variable: 'AMQP_URL', port: rabbitmqPort, masked: `amqp://guest:***@127.0.0.1:${rabbitmqPort}/nowhere` },
      ]; // prettier-ignore
      const proc = await startServiceProcess({
        entry,
        env: {
          ...extraEnv(),
          DATABASE_URL: `postgres://postgres:${secret}@127.0.0.1:${postgresPort}/nowhere`,
          AMQP_URL: `amqp://guest:${secret}@127.0.0.1:${rabbitmqPort}/nowhere`,
          LOG_LEVEL: 'info',
        },
        until: 'live',
        readyTimeoutMs: 15_000,
      });
      try {
        const attempts = (server: string) =>
          proc.logs().filter((line) => line.server === server && line.level === 40);
        await until(
          () => servers.every((server) => attempts(server.name).length >= 3),
          'three attempts at each server',
          proc,
        );
        for (const server of servers) {
          const lines = attempts(server.name);
          expect(lines.map((line) => line.attempt)).toEqual(lines.map((_line, index) => index + 1));
          for (const line of lines) {
            expect(line).toMatchObject({
              url: server.masked,
              reason: `connect ECONNREFUSED 127.0.0.1:${server.port}`,
            });
            expect(String(line.msg)).toBe(
              `${server.name} is not reachable at ${server.masked} (connect ECONNREFUSED 127.0.0.1:${server.port}): ` +
                `start it, or set ${server.variable} to one that runs; not ready, retrying in ` +
                `${formatSeconds(Number(line.retryInMs))} (attempt ${String(line.attempt)})`,
            ); // prettier-ignore
          }
        }
        // Log lines only: no stack trace, no password.
        for (const line of proc.output) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
        expect(proc.output.join('\n')).not.toContain(secret);

        const live = await fetch(`${proc.baseUrl}/health/live`);
        expect(live.status).toBe(200);
        const ready = await fetch(`${proc.baseUrl}/health/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({
          status: 'not ready',
          checks: { postgres: 'down: not connected yet', rabbitmq: 'down: not connected yet' },
        });
        expect(proc.child.exitCode, 'still running').toBeNull();

        const signalled = Date.now();
        proc.signal('SIGTERM');
        expect(await proc.exited).toBe(0);
        expect(Date.now() - signalled, proc.output.join('\n')).toBeLessThan(3_000);
        expect(proc.logs().map((line) => line.msg)).toContain('shutdown: complete');
      } finally {
        await proc.stop();
      }
    });

    it('becomes ready without a restart once PostgreSQL and RabbitMQ come up', async () => {
      const postgres = await laterForwarder(database.url);
      const rabbitmq = await laterForwarder(vhost.url);
      const proc = await startServiceProcess({
        entry,
        env: { ...extraEnv(), DATABASE_URL: postgres.url, AMQP_URL: rabbitmq.url, LOG_LEVEL: 'info' },
        until: 'live',
        readyTimeoutMs: 15_000,
      });
      try {
        const waited = (server: string) =>
          proc.logs().some((line) => line.server === server && line.level === 40);
        await until(
          () => waited('PostgreSQL') && waited('RabbitMQ'),
          'a failed attempt at each server',
          proc,
        );
        await postgres.open();
        await rabbitmq.open();
        await until(
          async () => {
            const response = await fetch(`${proc.baseUrl}/health/ready`, {
              headers: { connection: 'close' },
            });
            await response.body?.cancel();
            return response.status === 200;
          },
          'ready',
          proc,
        );
        const messages = proc.logs().map((line) => String(line.msg));
        expect(messages).toContain(`PostgreSQL answers at ${postgres.url}`);
        expect(messages).toContain(`RabbitMQ answers at ${rabbitmq.url.replace(/:[^:@/]*@/, ':***@')}`);
        proc.signal('SIGTERM');
        expect(await proc.exited).toBe(0);
      } finally {
        await proc.stop();
        await postgres.close();
        await rabbitmq.close();
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

/** Polls `check` until it holds; fails with the service's output after `timeoutMs`. */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  proc: ServiceProcess,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`no ${what} within ${timeoutMs} ms:\n${proc.output.join('\n')}`);
    await sleep(100);
  }
}

/** The wording of a wait in the service's log line: `0.4 s`, `1.6 s`, `12 s`. */
function formatSeconds(ms: number): string {
  return `${ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`;
}

const defaultPorts: Record<string, number> = { 'postgres:': 5432, 'postgresql:': 5432, 'amqp:': 5672 };

/**
 * A port that refuses connections until `open()`, then forwards them to the server of `target`: a server
 * that comes up after the service. `url` is `target` with that port.
 */
async function laterForwarder(target: string): Promise<{
  url: string;
  open: () => Promise<void>;
  close: () => Promise<void>;
}> {
  const upstream = new URL(target);
  const port = await freePort();
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  return {
    url: url.toString(),
    open: async () => {
      server = createServer((client) => {
        const forward = connect(Number(upstream.port || defaultPorts[upstream.protocol]), upstream.hostname);
        track(client);
        track(forward);
        client.pipe(forward).pipe(client);
        client.on('close', () => forward.destroy());
        forward.on('close', () => client.destroy());
      });
      await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
