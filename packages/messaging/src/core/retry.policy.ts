/** Retry delays by attempt: a failed message waits about this long (± jitter) in the retry table before it is redelivered. */
export const defaultRetryTiersMs = [1_000, 5_000, 30_000, 120_000, 600_000] as const;

export interface RetryPolicy {
  /** Total attempts including the first delivery; after the last, the message is dead-lettered. */
  maxAttempts: number;
  tiersMs: readonly number[];
  /** Fraction of the delay added or removed at random (0.2 → ±20 %). */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 6, tiersMs: defaultRetryTiersMs, jitter: 0.2 };

export type RetryDecision =
  | { action: 'retry'; attempt: number; tierMs: number; delayMs: number }
  | { action: 'dead-letter'; attempt: number; why: 'permanent' | 'exhausted' };

/**
 * What to do after `attempt` (1-based) failed: exponential backoff through the tiers with jitter, honouring
 * an upstream `Retry-After`, and a dead letter when the error is permanent or the attempts are used up.
 */
export function decideRetry(input: {
  attempt: number;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  policy: RetryPolicy;
  random: () => number;
}): RetryDecision {
  const { attempt, policy } = input;
  if (!input.retryable) return { action: 'dead-letter', attempt, why: 'permanent' };
  if (attempt >= policy.maxAttempts) return { action: 'dead-letter', attempt, why: 'exhausted' };
  const tiers = policy.tiersMs;
  let index = Math.min(attempt - 1, tiers.length - 1);
  const wanted = input.retryAfterMs ?? 0;
  while (index < tiers.length - 1 && (tiers[index] ?? 0) < wanted) index += 1;
  const tierMs = tiers[index] ?? tiers[tiers.length - 1] ?? 1_000;
  const factor = 1 + policy.jitter * (2 * input.random() - 1);
  return { action: 'retry', attempt: attempt + 1, tierMs, delayMs: Math.max(1, Math.round(tierMs * factor)) };
}
