import { setTimeout as sleep } from 'node:timers/promises';

import { maskUrlPassword } from './config.ts';
import type { Logger } from './logger.ts';

/** A server a service cannot start without, and the variable that points at it. */
export interface RequiredServer {
  /** `PostgreSQL` or `RabbitMQ`, as an operator names it. */
  name: string;
  url: string;
  variable: string;
}

/**
 * The start-up wait: 0.5 s, doubling, capped at 5 s, ±20 % so that replicas do not retry in step. The cap is
 * short because what a service waits for is usually a server restarting or starting beside it, and a sync
 * must catch up within a minute of it; a server that stays away costs one short connection attempt every
 * few seconds.
 */
export const startupBackoff = { initialMs: 500, maxMs: 5_000, jitter: 0.2 } as const;

/** How long to wait after the `attempt`-th failed attempt (1-based). */
export function startupRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const exponential = startupBackoff.initialMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 30);
  const capped = Math.min(startupBackoff.maxMs, exponential);
  return Math.round(capped * (1 + startupBackoff.jitter * (2 * random() - 1)));
}

/**
 * The one line logged per failed attempt: which server, where (password masked), why, what to do.
 *
 * @example
 * describeUnreachable({ name: 'RabbitMQ', url: 'amqp://guest:guest@mq:5672', variable: 'AMQP_URL' },
 *   'connect ECONNREFUSED 10.0.0.7:5672', 2, 1000)
 * // 'RabbitMQ is not reachable at amqp://guest:***@mq:5672 (connect ECONNREFUSED 10.0.0.7:5672):
 * //  start it, or set AMQP_URL to one that runs; not ready, retrying in 1 s (attempt 2)'
 */
export function describeUnreachable(
  server: RequiredServer,
  reason: string,
  attempt: number,
  retryInMs: number,
): string {
  return (
    `${server.name} is not reachable at ${maskUrlPassword(server.url)} (${reason}): ` +
    `start it, or set ${server.variable} to one that runs; not ready, retrying in ${formatSeconds(retryInMs)} ` +
    `(attempt ${attempt})`
  );
}

/** A short reason for a failed connection, without the URL's password. */
export function connectionFailureReason(error: unknown, url: string): string {
  const first: unknown = error instanceof AggregateError ? error.errors[0] : undefined;
  const inner = first ?? error;
  const code = (inner as { code?: unknown } | null)?.code;
  const message = inner instanceof Error && inner.message !== '' ? inner.message : undefined;
  const reason = message ?? (typeof code === 'string' ? code : 'unknown error');
  const password = passwordOf(url);
  return password ? reason.replaceAll(password, '***') : reason;
}

/**
 * Tries `connect` until it succeeds, logging one line per failed attempt and waiting with capped exponential
 * backoff in between. A server that is not there yet is what a deployment sees when the service starts
 * first, so the service waits for it instead of dying. `signal` (the shutdown) ends the wait at once: the
 * promise then rejects with the signal's reason.
 */
export async function waitForServer<T>(options: {
  server: RequiredServer;
  connect: () => Promise<T>;
  logger: Logger;
  signal?: AbortSignal | undefined;
  retryDelayMs?: (attempt: number) => number;
}): Promise<T> {
  const { server, logger, signal } = options;
  const delayOf = options.retryDelayMs ?? ((attempt: number) => startupRetryDelayMs(attempt));
  for (let attempt = 1; ; attempt += 1) {
    signal?.throwIfAborted();
    try {
      const connected = await options.connect();
      if (attempt > 1)
        logger.info(
          { server: server.name, url: maskUrlPassword(server.url), attempts: attempt },
          `${server.name} answers at ${maskUrlPassword(server.url)}`,
        );
      return connected;
    } catch (error) {
      signal?.throwIfAborted();
      const reason = connectionFailureReason(error, server.url);
      const retryInMs = delayOf(attempt);
      logger.warn(
        { server: server.name, url: maskUrlPassword(server.url), attempt, retryInMs, reason },
        describeUnreachable(server, reason, attempt, retryInMs),
      );
      await sleep(retryInMs, undefined, signal ? { signal } : {}).catch(() => undefined);
    }
  }
}

function formatSeconds(ms: number): string {
  return `${ms < 10_000 ? Math.round(ms / 100) / 10 : Math.round(ms / 1000)} s`;
}

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return '';
  }
}
