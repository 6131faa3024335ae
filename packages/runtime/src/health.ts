import type { FastifyInstance } from 'fastify';

/** A readiness check resolves when its dependency is usable and rejects (with a short reason) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface Readiness {
  /** False until start-up finished, and again from the first shutdown signal on. */
  accepting: boolean;
  checks: Record<string, ReadinessCheck>;
}

/**
 * Readiness from the moment the process starts, before its servers are there: not accepting, and each
 * named dependency down until start-up replaces its check with a real one.
 */
export function startupReadiness(dependencies: readonly string[]): Readiness {
  const notYet: ReadinessCheck = () => Promise.reject(new Error('not connected yet'));
  return { accepting: false, checks: Object.fromEntries(dependencies.map((name) => [name, notYet])) };
}

const checkTimeoutMs = 2_000;

/**
 * `GET /health/live`: the process is up. `GET /health/ready`: it is accepting work and every dependency
 * answers; 503 otherwise, with the state of each check.
 */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  app.get('/health/live', { logLevel: 'silent' }, async () => ({ status: 'live' }));

  app.get('/health/ready', { logLevel: 'silent' }, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(readiness.checks).map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const checks = Object.fromEntries(results);
    const ready = readiness.accepting && results.every(([, state]) => state === 'up');
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : readiness.accepting ? 'degraded' : 'not ready', checks });
  });
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), checkTimeoutMs);
      }),
    ]);
    return 'up';
  } catch (error) {
    return `down: ${error instanceof Error ? error.message : 'unknown error'}`;
  } finally {
    clearTimeout(timer);
  }
}
