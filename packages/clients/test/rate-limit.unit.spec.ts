import { describe, expect, it } from 'vitest';

import { createLimiter } from '../src/rate-limit.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('createLimiter', () => {
  it('never starts more than maxPerSecond tasks in any 1-second window', async () => {
    const limiter = createLimiter({ maxPerSecond: 10, maxConcurrency: 50 });
    await Promise.all(Array.from({ length: 25 }, () => limiter.run(async () => undefined)));
    const stats = limiter.stats();
    expect(stats.started).toBe(25);
    expect(stats.peakPerSecond).toBe(10);
    expect(stats.delayed).toBe(15);
  });

  it('never runs more than maxConcurrency tasks at once and hands slots over in order', async () => {
    const limiter = createLimiter({ maxPerSecond: 1000, maxConcurrency: 3 });
    const gates = Array.from({ length: 7 }, deferred);
    const order: number[] = [];
    const runs = gates.map((gate, index) =>
      limiter.run(async () => {
        order.push(index);
        await gate.promise;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(limiter.stats()).toMatchObject({ active: 3, queued: 4 });
    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(limiter.stats()).toMatchObject({ active: 0, queued: 0, peakConcurrency: 3, started: 7 });
  });

  it('aborts a queued task without running it and frees nothing it did not hold', async () => {
    const limiter = createLimiter({ maxPerSecond: 1000, maxConcurrency: 1 });
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const second = limiter.run(async () => {
      ran = true;
    }, controller.signal);
    controller.abort();
    await expect(second).rejects.toThrow();
    gate.resolve();
    await first;
    expect(ran).toBe(false);
    expect(limiter.stats()).toMatchObject({ active: 0, queued: 0, started: 1 });
  });

  it('holds new starts during a pause (Retry-After)', async () => {
    let now = 0;
    const limiter = createLimiter({ maxPerSecond: 100, maxConcurrency: 1, clock: () => now });
    limiter.pause(50);
    const run = limiter.run(async () => 'done');
    // The clock is frozen, so the task stays paused until we move it past the pause.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(limiter.stats().started).toBe(0);
    now = 60;
    await expect(run).resolves.toBe('done');
    expect(limiter.stats()).toMatchObject({ started: 1, delayed: 1 });
  });

  it('rejects nonsense limits', () => {
    expect(() => createLimiter({ maxPerSecond: 0, maxConcurrency: 1 })).toThrow(RangeError);
    expect(() => createLimiter({ maxPerSecond: 1, maxConcurrency: 0 })).toThrow(RangeError);
  });
});
