import { describe, expect, it } from 'vitest';

import { leftoverFixedBySync, planJointWorld, plantedLeftovers, storyCounts, storyMix } from '../src/plan.ts';

const organizations = ['cif', 'holt', 'mtp', 'tlc', 'fsi'];
const now = '2026-06-01T00:00:00.000Z';

describe('planJointWorld', () => {
  it('is deterministic for its options, and planning more children keeps the first ones', () => {
    const one = planJointWorld({ children: 300, seed: 7, now, organizations });
    expect(planJointWorld({ children: 300, seed: 7, now, organizations })).toEqual(one);
    expect(planJointWorld({ children: 100, seed: 7, now, organizations }).stories).toEqual(
      one.stories.slice(0, 100),
    );
    expect(planJointWorld({ children: 300, seed: 8, now, organizations }).stories).not.toEqual(one.stories);
  });

  it('puts every story wholly before the cut-over instant, in order', () => {
    const cutover = Date.parse(now);
    for (const story of planJointWorld({ children: 500, seed: 3, now, organizations }).stories) {
      const { t0, t1, t2, t3, t4, t5 } = story.times;
      expect([t0, t1, t2, t3, t4, t5]).toEqual([...[t0, t1, t2, t3, t4, t5]].sort((a, b) => a - b));
      expect(t5).toBeLessThan(cutover - 3_600_000);
    }
  });

  it('draws the kinds in about the shares of storyMix', () => {
    const plan = planJointWorld({ children: 5000, seed: 11, now, organizations });
    const counts = storyCounts(plan);
    for (const [kind, share] of storyMix) expect(counts[kind] / 5000).toBeCloseTo(share, 1);
  });

  it('plants leftovers only where a story can have them, and Stung Treng only in province 19', () => {
    const plan = planJointWorld({ children: 2000, seed: 5, now, organizations });
    for (const story of plan.stories) {
      if (story.kind === 'ngo-referral-stung-treng') expect(story.oscarVillage.slice(0, 2)).toBe('19');
      else expect(story.oscarVillage.slice(0, 2)).not.toBe('19');
      if (story.leftovers.includes('risk-level-lost')) expect(story.oscarRisk).not.toBe('no action');
      if (story.leftovers.includes('collapsed-referral-row'))
        expect(story.leftovers).not.toContain('link-missing-in-oscar');
      if (story.kind === 'mosvy-only' || story.kind === 'ngo-client-unlisted')
        expect(story.leftovers).toEqual([]);
    }
    const planted = plantedLeftovers(plan);
    for (const kind of Object.keys(leftoverFixedBySync)) expect(planted).toHaveProperty(kind);
    expect(Object.values(planted).every((n) => n > 0)).toBe(true);
  });
});
