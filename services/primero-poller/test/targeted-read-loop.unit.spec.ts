import { setTimeout as sleep } from 'node:timers/promises';

import { createLogger, createMetricsRegistry, webhookMetrics } from '@pos/runtime';
import { describe, expect, it, onTestFinished } from 'vitest';

import type { TargetedReadOutcome } from '../src/adapters/primero.poll.ts';
import { createExclusive, startTargetedReads } from '../src/adapters/targeted-read.loop.ts';
import { pendingReads } from '../src/core/pending-reads.policy.ts';

const logger = createLogger({ service: 'primero-poller', level: 'silent' });

function loop(options: {
  read: (ids: readonly string[]) => Promise<Map<string, TargetedReadOutcome>>;
  exclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  batchSize?: number;
}) {
  const polls: number[] = [];
  const registry = createMetricsRegistry('primero-poller', { defaultMetrics: false });
  const reads = startTargetedReads({
    pending: pendingReads({ coalesceMs: 20, maxPending: 3, maxAttempts: 2, retryDelayMs: () => 30 }),
    read: (ids) => options.read(ids),
    exclusive: options.exclusive ?? createExclusive(),
    batchSize: options.batchSize ?? 10,
    pollNow: () => void polls.push(Date.now()),
    safetyPollIntervalMs: 300_000,
    logger,
    metrics: webhookMetrics(registry),
  });
  onTestFinished(() => reads.stop());
  return { reads, polls, registry };
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 2000;
  while (!check() && Date.now() < deadline) await sleep(5);
  expect(check()).toBe(true);
};

describe('startTargetedReads: notices read outside the request', () => {
  it('reads each noticed case once after its coalescing wait, in rounds of at most batchSize', async () => {
    const rounds: string[][] = [];
    const { reads } = loop({
      batchSize: 2,
      read: async (ids) => {
        rounds.push([...ids]);
        return new Map(ids.map((id) => [id, 'changed' as const]));
      },
    });
    expect(reads.notice('a')).toBe('scheduled');
    expect(reads.notice('a')).toBe('coalesced');
    expect(reads.notice('b')).toBe('scheduled');
    expect(reads.notice('c')).toBe('scheduled');
    expect(rounds).toEqual([]);
    await until(() => rounds.flat().length === 3);
    // Each case once, in rounds of at most batchSize (each case waits its own coalescing time).
    expect(rounds.flat().sort()).toEqual(['a', 'b', 'c']);
    expect(rounds.every((round) => round.length <= 2)).toBe(true);
    await sleep(50);
    expect(reads.figures()).toMatchObject({
      noticesReceived: 4,
      targetedReads: 3,
      changesFoundByNotices: 3,
      pending: 0,
    });
  });

  it('never reads while a poll holds the lock', async () => {
    const exclusive = createExclusive();
    let release = () => {};
    const poll = exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    const rounds: string[][] = [];
    const { reads } = loop({
      exclusive,
      read: async (ids) => {
        rounds.push([...ids]);
        return new Map(ids.map((id) => [id, 'unchanged' as const]));
      },
    });
    reads.notice('a');
    await sleep(80);
    expect(rounds).toEqual([]);
    expect(reads.isPending('a')).toBe(true);
    release();
    await poll;
    await until(() => rounds.length === 1);
  });

  it('tries a failed read again, then leaves the case to the safety poll and counts it', async () => {
    let attempts = 0;
    const { reads, registry } = loop({
      read: async () => {
        attempts += 1;
        throw new Error('Primero answered 503');
      },
    });
    reads.notice('a');
    await until(() => attempts === 2 && !reads.isPending('a'));
    await sleep(50);
    expect(attempts).toBe(2);
    const text = await registry.metrics();
    expect(text).toContain('sync_webhook_targeted_reads_total{outcome="failed",service="primero-poller"} 2');
    expect(text).toContain(
      'sync_webhook_targeted_reads_total{outcome="given_up",service="primero-poller"} 1',
    );
  });

  it('drops a notice past maxPending and polls instead', async () => {
    const { reads, polls } = loop({ read: async () => new Map() });
    reads.notice('a');
    reads.notice('b');
    reads.notice('c');
    expect(reads.notice('d')).toBe('dropped');
    expect(polls).toHaveLength(1);
  });
});
