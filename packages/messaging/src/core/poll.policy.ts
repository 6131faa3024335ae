import { backoffDelay } from './backoff.policy.ts';

/**
 * The delay before the next poll: the configured interval while polls succeed, doubling with each
 * consecutive failure up to `maxMs` (the project's one backoff policy), so a down upstream is not hammered.
 */
export function nextPollDelay(intervalMs: number, consecutiveFailures: number, maxMs = 300_000): number {
  if (consecutiveFailures <= 0) return intervalMs;
  return backoffDelay(consecutiveFailures, { initialMs: intervalMs * 2, maxMs: Math.max(maxMs, intervalMs) });
}
