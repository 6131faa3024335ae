import { checkLeaks, startServiceProcess, useTestDatabase } from '@pos/testkit';
import { describe, expect, it } from 'vitest';

import { hashPassword } from '../src/auth/password-hash.ts';

const entry = new URL('../src/main.ts', import.meta.url).pathname;
const sessionSecret = 'lifecycle-session-secret-0123456789abcdef';

describe('console lifecycle', () => {
  const database = useTestDatabase('console_lifecycle');
  checkLeaks();

  it('is ready once Postgres answers, serves its sign-in page, and shuts down in stages on SIGTERM', async () => {
    const proc = await startServiceProcess({
      entry,
      env: {
        DATABASE_URL: database.url,
        CONSOLE_PASSWORD_HASH: await hashPassword('lifecycle password', { N: 1024, r: 8, p: 1 }),
        CONSOLE_SESSION_SECRET: sessionSecret,
        ADMIN_TOKEN: 'lifecycle-admin-token',
        LOG_LEVEL: 'info',
      },
    });
    try {
      const ready = await fetch(`${proc.baseUrl}/health/ready`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { postgres: 'up' } });
      const login = await fetch(`${proc.baseUrl}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('name="_csrf"');
      proc.signal('SIGTERM');
      expect(await proc.exited).toBe(0);
      const stages = proc
        .logs()
        .filter((line) => line.msg === 'shutdown: stage done')
        .map((line) => line.stage);
      expect(stages).toEqual([
        'stop accepting work',
        'stop pruning sessions',
        'close http server',
        'close database pool',
        'flush telemetry',
      ]);
      // The start-up line lists the configuration with every secret masked.
      const output = proc.output.join('\n');
      expect(output).toContain('"CONSOLE_PASSWORD_HASH":"***"');
      expect(output).not.toContain(sessionSecret);
      expect(output).not.toContain('lifecycle-admin-token');
    } finally {
      await proc.stop();
    }
  });

  it('refuses to start without its login secrets, naming each and printing none', async () => {
    const failure = await startServiceProcess({
      entry,
      env: { DATABASE_URL: database.url, CONSOLE_PASSWORD_HASH: 'plain-text-password' },
      readyTimeoutMs: 10_000,
    }).then(
      () => new Error('the console started'),
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
    expect(failure.message).toMatch(/exited with 78/);
    expect(failure.message).toContain('CONSOLE_PASSWORD_HASH=(secret, not shown) is invalid');
    expect(failure.message).toContain('CONSOLE_SESSION_SECRET is required');
    expect(failure.message).not.toContain('plain-text-password');
  });
});
