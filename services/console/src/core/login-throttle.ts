/**
 * Slows down password guessing: after `maxFailures` wrong passwords from one address within `windowMs`,
 * that address is refused for `lockMs` (whatever it sends). Pure: the caller keeps the map and passes `now`.
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export const defaultThrottle: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };

export interface ThrottleEntry {
  failures: number[];
  lockedUntil: number;
}

export type ThrottleState = Map<string, ThrottleEntry>;

/** Milliseconds this address must still wait, 0 when it may try. */
export function lockedFor(state: ThrottleState, key: string, now: number): number {
  const entry = state.get(key);
  return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
}

export function recordFailure(
  state: ThrottleState,
  key: string,
  now: number,
  policy: ThrottlePolicy = defaultThrottle,
): void {
  const entry = state.get(key) ?? { failures: [], lockedUntil: 0 };
  entry.failures = [...entry.failures.filter((at) => now - at < policy.windowMs), now];
  if (entry.failures.length >= policy.maxFailures) {
    entry.lockedUntil = now + policy.lockMs;
    entry.failures = [];
  }
  state.set(key, entry);
  // Old entries go, so the map stays the size of the addresses trying now.
  for (const [other, value] of state) {
    if (value.lockedUntil <= now && value.failures.every((at) => now - at >= policy.windowMs)) {
      state.delete(other);
    }
  }
}

export function recordSuccess(state: ThrottleState, key: string): void {
  state.delete(key);
}
