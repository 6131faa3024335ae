import { buildCaseChanged, buildReferralDecision } from '@pos/contracts/test-builders';
import { describe, expect, it } from 'vitest';

import { backoffDelay, infrastructureBackoff } from '../src/core/backoff.policy.ts';
import {
  describeFailure,
  isInfrastructureError,
  PermanentError,
  RetryableError,
} from '../src/core/failure.ts';
import { progressKeyOf } from '../src/core/ordering.ts';
import { nextPollDelay } from '../src/core/poll.policy.ts';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const backoff = { initialMs: 100, maxMs: 1_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((f) => backoffDelay(f, backoff))).toEqual([
      0, 100, 200, 400, 800, 1_000, 1_000,
    ]);
  });
  it('spreads by the jitter fraction', () => {
    const backoff = { initialMs: 1_000, maxMs: 1_000, jitter: 0.2 };
    expect(backoffDelay(1, backoff, () => 0)).toBe(800);
    expect(backoffDelay(1, backoff, () => 1)).toBe(1_200);
  });
  it('waits at most seconds for our own servers, so a restart is caught up within a minute', () => {
    expect(backoffDelay(50, infrastructureBackoff, () => 1)).toBeLessThanOrEqual(6_000);
  });
  it('drives the poll loop: the interval while polls succeed, doubling after failures', () => {
    expect(nextPollDelay(1_000, 0)).toBe(1_000);
    expect(nextPollDelay(1_000, 1)).toBe(2_000);
    expect(nextPollDelay(1_000, 3)).toBe(8_000);
    expect(nextPollDelay(1_000, 30)).toBe(30_000);
    expect(nextPollDelay(300_000, 1)).toBe(300_000);
  });
});

describe('isInfrastructureError: our own Postgres or RabbitMQ away', () => {
  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    [
      'Postgres shutting down',
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ],
    [
      'Postgres starting up',
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    ],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['a closed AMQP channel', new Error('Channel closed')],
  ])('%s is', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(true);
    expect(describeFailure(error)).toMatchObject({
      infrastructure: true,
      retryable: true,
      code: 'INFRASTRUCTURE',
    });
  });
  it.each([
    [
      'an upstream error that says whether to retry',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', retryable: true }),
    ],
    ['a permanent error', new PermanentError('MAPPING', 'unknown province')],
    ['a retryable error', new RetryableError('SERVER_ERROR', 'OSCaR answered 503')],
    ['a bug', new TypeError('cannot read properties of undefined')],
  ])('%s is not', (_what, error) => {
    expect(isInfrastructureError(error)).toBe(false);
    expect(describeFailure(error).infrastructure).toBeUndefined();
  });
});

describe('progressKeyOf: what "a newer event was applied" is about', () => {
  it('is the route for a case snapshot', () => {
    expect(progressKeyOf('primero.case.changed', buildCaseChanged())).toBe('primero.case.changed');
  });
  it('names the referral for a decision, so decisions on two referrals of one case never make each other stale', () => {
    const a = buildReferralDecision();
    a.data.referral.oscarReferralId = 1;
    const b = buildReferralDecision();
    b.data.referral.oscarReferralId = 2;
    expect(progressKeyOf('oscar.referral.decided', a)).not.toBe(progressKeyOf('oscar.referral.decided', b));
  });
  it('falls back to the Primero ids when OSCaR has not numbered the referral', () => {
    const a = buildReferralDecision();
    a.data.referral.oscarReferralId = null;
    a.data.referral.primeroReferralId = '0b1c9a52-6a4e-4d7e-9d55-0f3c1b2a7e10';
    expect(progressKeyOf('primero.referral.decided', a)).toBe(
      'primero.referral.decided#0b1c9a52-6a4e-4d7e-9d55-0f3c1b2a7e10',
    );
  });
});
