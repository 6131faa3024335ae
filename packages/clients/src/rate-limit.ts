import { setTimeout as sleep } from 'node:timers/promises';

export interface LimiterOptions {
  /** Request starts allowed in any sliding 1-second window. */
  maxPerSecond: number;
  /** Requests in flight at once. */
  maxConcurrency: number;
  /** Monotonic clock in ms; injectable for unit tests. Default `performance.now`. */
  clock?: () => number;
}

/** The limiter's own accounting, for tests and metrics. */
export interface LimiterStats {
  /** Tasks started. */
  started: number;
  /** Tasks that had to wait for the rate window or a Retry-After pause (not for a concurrency slot). */
  delayed: number;
  /** Most task starts seen inside any 1-second window; never above `maxPerSecond`. */
  peakPerSecond: number;
  /** Most tasks in flight at once; never above `maxConcurrency`. */
  peakConcurrency: number;
  /** Tasks in flight now. */
  active: number;
  /** Tasks waiting for a concurrency slot now. */
  queued: number;
}

export interface Limiter {
  /** Runs `task` when a concurrency slot is free and the rate window allows; `signal` aborts the wait. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Holds every task start for `ms` (an upstream's `Retry-After`); a later, shorter pause does not shorten it. */
  pause(ms: number): void;
  stats(): LimiterStats;
}

const windowMs = 1000;

/**
 * Per-upstream concurrency and rate limiter: a FIFO semaphore plus a sliding 1-second window of start times.
 *
 * Written here (about 60 lines) rather than combining `p-limit` and `p-throttle`: the clients also need a
 * shared pause for `Retry-After`, an abortable wait, and accounting a test can assert without timing
 * (`peakPerSecond`, `peakConcurrency`), which neither library offers, and a sliding window is stricter
 * than p-throttle's interval buckets (no 2× burst across a bucket boundary).
 */
export function createLimiter(options: LimiterOptions): Limiter {
  if (!(options.maxPerSecond >= 1) || !(options.maxConcurrency >= 1)) {
    throw new RangeError('maxRequestsPerSecond and maxConcurrency must be at least 1');
  }
  const clock = options.clock ?? (() => performance.now());
  const starts: number[] = [];
  const waiting: Array<() => void> = [];
  let pausedUntil = 0;
  const stats = { started: 0, delayed: 0, peakPerSecond: 0, peakConcurrency: 0, active: 0 };

  async function acquireSlot(signal: AbortSignal | undefined): Promise<void> {
    if (stats.active < options.maxConcurrency && waiting.length === 0) {
      stats.active += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = waiting.indexOf(grant);
        if (index >= 0) waiting.splice(index, 1);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(grant);
    });
  }

  function releaseSlot(): void {
    const next = waiting.shift();
    if (next)
      next(); // the slot passes straight to the next waiter: `active` stays the same
    else stats.active -= 1;
  }

  async function awaitWindow(signal: AbortSignal | undefined): Promise<void> {
    let waited = false;
    for (;;) {
      signal?.throwIfAborted();
      const now = clock();
      while (starts.length > 0 && (starts[0] ?? 0) <= now - windowMs) starts.shift();
      const windowWait = starts.length < options.maxPerSecond ? 0 : (starts[0] ?? now) + windowMs - now;
      const wait = Math.max(windowWait, pausedUntil - now);
      if (wait <= 0) {
        starts.push(now);
        stats.started += 1;
        if (waited) stats.delayed += 1;
        stats.peakPerSecond = Math.max(stats.peakPerSecond, starts.length);
        stats.peakConcurrency = Math.max(stats.peakConcurrency, stats.active);
        return;
      }
      waited = true;
      await sleep(Math.ceil(wait), undefined, signal ? { signal } : {});
    }
  }

  return {
    async run(task, signal) {
      await acquireSlot(signal);
      try {
        await awaitWindow(signal);
        return await task();
      } finally {
        releaseSlot();
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, clock() + ms);
    },
    stats: () => ({ ...stats, queued: waiting.length }),
  };
}
