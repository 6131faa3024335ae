import { describe, expect, it } from 'vitest';

import {
  caseKeysOf,
  consumerTopology,
  decideRetry,
  defaultRetryPolicy,
  describeFailure,
  partitionOf,
  PermanentError,
  RetryableError,
  routeOf,
} from '../src/index.ts';

describe('partitionOf', () => {
  it('sends every event of one subject to the same partition', () => {
    expect(partitionOf('primero:abc', 8)).toBe(partitionOf('primero:abc', 8));
  });

  it('spreads subjects over every partition', () => {
    const used = new Set(Array.from({ length: 400 }, (_, i) => partitionOf(`oscar:${i}`, 8)));
    expect([...used].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('topology names', () => {
  it('binds partition i of a writer to its source’s routes of partition i', () => {
    const topology = consumerTopology('oscar-writer', 'primero', 4);
    expect(topology.partitionQueues).toEqual([
      'oscar-writer.p0',
      'oscar-writer.p1',
      'oscar-writer.p2',
      'oscar-writer.p3',
    ]);
    expect(topology.bindingPattern(2)).toBe('primero.*.*.2');
    expect(routeOf('primero.case.changed.2')).toBe('primero.case.changed');
  });
});

describe('decideRetry', () => {
  const random = () => 0.5;

  it('walks up the tiers with each attempt (exponential backoff)', () => {
    const tiers = [1, 2, 3, 4, 5].map((attempt) =>
      decideRetry({ attempt, retryable: true, policy: defaultRetryPolicy, random }),
    );
    expect(tiers.map((d) => (d.action === 'retry' ? d.tierMs : null))).toEqual([
      1_000, 5_000, 30_000, 120_000, 600_000,
    ]);
  });

  it('adds jitter within ±20 %', () => {
    const low = decideRetry({ attempt: 2, retryable: true, policy: defaultRetryPolicy, random: () => 0 });
    const high = decideRetry({
      attempt: 2,
      retryable: true,
      policy: defaultRetryPolicy,
      random: () => 0.999,
    });
    expect(low).toMatchObject({ action: 'retry', delayMs: 4_000 });
    expect(high.action === 'retry' && high.delayMs).toBeGreaterThan(5_990);
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(
      decideRetry({ attempt: 1, retryable: true, retryAfterMs: 60_000, policy: defaultRetryPolicy, random }),
    ).toMatchObject({
      tierMs: 120_000,
    });
  });

  it('dead-letters permanent failures at once and retryable ones after the last attempt', () => {
    expect(decideRetry({ attempt: 1, retryable: false, policy: defaultRetryPolicy, random })).toEqual({
      action: 'dead-letter',
      attempt: 1,
      why: 'permanent',
    });
    expect(decideRetry({ attempt: 6, retryable: true, policy: defaultRetryPolicy, random })).toEqual({
      action: 'dead-letter',
      attempt: 6,
      why: 'exhausted',
    });
  });
});

describe('describeFailure', () => {
  it('takes the classification from the error itself', () => {
    expect(describeFailure(new PermanentError('UNKNOWN_SERVICE', 'x'))).toMatchObject({
      retryable: false,
      code: 'UNKNOWN_SERVICE',
    });
    expect(describeFailure(new RetryableError('RATE_LIMITED', 'x', 5_000))).toMatchObject({
      retryable: true,
      code: 'RATE_LIMITED',
      retryAfterMs: 5_000,
    });
  });

  it('retries what it does not know, so nothing is lost to a surprise', () => {
    expect(describeFailure(new TypeError('boom'))).toMatchObject({ retryable: true, code: 'TypeError' });
    expect(describeFailure('a string')).toMatchObject({ retryable: true, code: 'UNKNOWN' });
  });
});

describe('caseKeysOf', () => {
  it('finds the case id and global id of both event kinds, even in invalid bodies', () => {
    expect(caseKeysOf({ data: { ids: { caseId: 'c1', oscarGlobalId: 'g1' } } })).toEqual({
      caseId: 'c1',
      globalId: 'g1',
    });
    expect(caseKeysOf({ data: { referral: { caseId: null, oscarGlobalId: 'g2' } } })).toEqual({
      caseId: null,
      globalId: 'g2',
    });
    expect(caseKeysOf('garbage')).toEqual({ caseId: null, globalId: null });
  });
});
