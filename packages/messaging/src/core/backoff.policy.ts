/**
 * The one backoff policy of the project: how long to wait before trying again after `failures`
 * consecutive failures (1-based). It doubles from `initialMs` up to `maxMs`; `jitter` (0.2 → ±20 %) spreads
 * replicas that failed together so they do not retry in step. Used by the outbox relay, the consumer's
 * re-attach and its waits for our own Postgres and RabbitMQ, the start-up connection loop and the poll loop.
 */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay added or removed at random; 0 for none. */
  jitter?: number;
}

export function backoffDelay(failures: number, backoff: Backoff, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const exponential = backoff.initialMs * 2 ** Math.min(failures - 1, 30);
  const capped = Math.min(backoff.maxMs, exponential);
  const jitter = backoff.jitter ?? 0;
  const factor = jitter === 0 ? 1 : 1 + jitter * (2 * random() - 1);
  return Math.max(1, Math.round(capped * factor));
}

/**
 * Waits for the backoff of our own infrastructure (Postgres, RabbitMQ): short and capped, because what it
 * waits for is a restart measured in seconds, and a sync must catch up within a minute of it.
 */
export const infrastructureBackoff: Backoff = { initialMs: 250, maxMs: 5_000, jitter: 0.2 };
