import { backoffDelay } from './backoff.policy.ts';

/**
 * The delay before the next poll: the configured interval while polls succeed, doubling with each
 * consecutive failure (the project's one backoff policy) up to `maxMs`, but never past the interval
 * itself when that is longer. One poll is one list request when nothing changed, so a down upstream is
 * not hammered at 30 s; a longer cap would keep a sync idle for minutes after a burst of 503s that made
 * several polls in a row fail (each poll makes many requests, and one failure fails the poll).
 */
export function nextPollDelay(intervalMs: number, consecutiveFailures: number, maxMs = 30_000): number {
  if (consecutiveFailures <= 0) return intervalMs;
  return backoffDelay(consecutiveFailures, {
    initialMs: Math.min(intervalMs * 2, Math.max(maxMs, intervalMs)),
    maxMs: Math.max(maxMs, intervalMs),
  });
}
