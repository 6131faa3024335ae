/**
 * The delay before the next poll: the configured interval while polls succeed, doubling with each
 * consecutive failure up to `maxMs`, so a down upstream is not hammered.
 */
export function nextPollDelay(intervalMs: number, consecutiveFailures: number, maxMs = 300_000): number {
  if (consecutiveFailures <= 0) return intervalMs;
  return Math.min(maxMs, intervalMs * 2 ** Math.min(consecutiveFailures, 16));
}
