import { randomBytes } from 'node:crypto';

import { freePort } from '@pos/testkit';
import { afterAll, describe, expect, inject, it } from 'vitest';

import { dockerProblem } from '../required-servers.ts';
import { demoPorts, dropDemo, spawnStart, waitFor } from './start-process.ts';

/** The README's main command: `pnpm start` runs both simulators and the four services, and stops cleanly. */
describe('pnpm start', () => {
  const demoName = `t_start_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await dropDemo(demoName);
  });

  it('starts nothing when PostgreSQL and RabbitMQ do not answer, and says where it looked and how to start them', async () => {
    const [postgresPort, rabbitmqPort, primeroPort] = [await freePort(), await freePort(), await freePort()];
    const start = spawnStart({
      DATABASE_URL: `postgres://postgres:pw-not-shown@127.0.0.1:${postgresPort}/test`,
      AMQP_URL: `amqp://guest:pw-not-shown@127.0.0.1:${rabbitmqPort}`,
      DEMO_NAME: demoName,
      PRIMERO_SIM_PORT: String(primeroPort),
    });
    const timer = setTimeout(() => start.child.kill('SIGKILL'), 30_000);
    expect(await start.exited).toBe(1);
    clearTimeout(timer);
    const output = start.output.join('\n');
    expect(output).toContain(
      `PostgreSQL does not answer at postgres://postgres:***@127.0.0.1:${postgresPort}/test (connect ECONNREFUSED 127.0.0.1:${postgresPort}).`,
    );
    expect(output).toContain(
      `RabbitMQ does not answer at amqp://guest:***@127.0.0.1:${rabbitmqPort} (connect ECONNREFUSED 127.0.0.1:${rabbitmqPort}).`,
    );
    for (const hint of ['main start', 'rabbitmq-server -detached', 'docker run', 'or set DATABASE_URL', 'or set AMQP_URL'])
      expect(output).toContain(hint); // prettier-ignore
    // No containers either: not the standard local ports, and here perhaps no Docker engine, which it says.
    const docker = await dockerProblem();
    expect(output).toContain(
      docker === undefined
        ? 'A Docker engine runs, but pnpm start starts containers only when'
        : `no Docker engine answers here (docker info: ${docker})`,
    );
    expect(output).not.toContain('pw-not-shown');
    expect(output).not.toMatch(/^\s+at /m);
    expect(start.running()).toBe(false);
    // Nothing was started: the Primero simulator's port is still free.
    await expect(fetch(`http://127.0.0.1:${primeroPort}/api/v2/primero`)).rejects.toThrow();
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
            // pnpm start gives the services its demo ADMIN_TOKEN and prints it.
            const status = (await (
              await fetch(`http://127.0.0.1:${portBase + 2}/admin/status`, {
                headers: { authorization: 'Bearer demo-admin-token' },
              })
            ).json()) as {
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
      // The operator console runs beside them, behind its sign-in, and the demo login it printed works.
      const consoleUrl = `http://127.0.0.1:${portBase + 4}`;
      const signIn = await fetch(`${consoleUrl}/login`);
      expect(signIn.status).toBe(200);
      const cookie = signIn.headers.get('set-cookie')?.split(';')[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await signIn.text())?.[1] ?? '';
      const signedIn = await fetch(`${consoleUrl}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          _csrf: csrf,
          user: 'admin',
          password: 'demo-console-password',
          next: '/',
        }),
      });
      expect(signedIn.status).toBe(303);
      const session = signedIn.headers.get('set-cookie')?.split(';')[0] ?? '';
      const overview = await fetch(`${consoleUrl}/`, { headers: { cookie: session } });
      expect(overview.status).toBe(200);
      expect(await overview.text()).toContain('data-testid="poller-primero-poller"');
      // The admin routes refuse a call without the token; health and /metrics answer without one.
      const refused = await fetch(`http://127.0.0.1:${portBase}/admin/poll`, { method: 'POST' });
      expect(refused.status).toBe(401);
      await refused.body?.cancel();
      const writer = await (await fetch(`http://127.0.0.1:${portBase + 2}/metrics`)).text();
      expect(writer).toMatch(
        /^sync_messages_handled_total\{outcome="applied",service="primero-writer"\} [1-9]/m,
      );
      let poller = '';
      await waitFor(
        async () => {
          poller = await (await fetch(`http://127.0.0.1:${portBase}/metrics`)).text();
          return /^sync_poll_duration_seconds_count\{[^}]*outcome="success"[^}]*\} [1-9]/m.test(poller);
        },
        'the primero-poller to report a successful poll on /metrics',
        30_000,
        start.output,
      );
      expect(poller).toMatch(/^sync_upstream_requests_total\{[^}]*status="200"[^}]*\} [1-9]/m);
      expect(poller).toMatch(/^sync_outbox_unpublished\{service="primero-poller"\} \d+$/m);
      // The backlog is read from each service's own schema at every scrape: the reads work.
      expect(poller).toMatch(
        /^sync_poll_cursor_age_seconds\{cursor="primero\.last_updated_at",service="primero-poller"\} /m,
      );
      expect(poller).toContain('sync_metrics_read_failures_total{service="primero-poller"} 0');
      expect(writer).toMatch(/^sync_retries_waiting\{service="primero-writer"\} \d+$/m);
      expect(writer).toContain('sync_metrics_read_failures_total{service="primero-writer"} 0');
    } finally {
      expect(await start.stop()).toBe(0);
    }
    expect(start.output.join('\n')).toContain(
      `curl -H 'authorization: Bearer demo-admin-token' -X POST http://127.0.0.1:${portBase}/admin/poll`,
    );
    expect(start.output.join('\n')).toContain(
      `operator console    http://127.0.0.1:${portBase + 4}/  (sign in as admin / demo-console-password)`,
    );
    expect(start.output.join('\n')).toContain('stopped.');
  });
});
