import { describe, expect, it } from 'vitest';

import { isOurs } from '../src/core/cutover.policy.ts';

describe('cut-over from the legacy job', () => {
  it('sends every referral when no cut-over time is set', () => {
    expect(isOurs('2020-01-01T00:00:00.000Z', '')).toBe(true);
  });

  it('leaves referrals created before the cut-over to the legacy job', () => {
    expect(isOurs('2026-11-28T23:59:59.999Z', '2026-11-29T00:00:00.000Z')).toBe(false);
    expect(isOurs('2026-11-29T00:00:00.000Z', '2026-11-29T00:00:00.000Z')).toBe(true);
  });

  it('sends a referral whose creation time is unknown', () => {
    expect(isOurs(null, '2026-11-29T00:00:00.000Z')).toBe(true);
  });
});
