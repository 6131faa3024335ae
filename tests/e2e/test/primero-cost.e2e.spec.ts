import { describe, expect, it } from 'vitest';

import { useSystem } from '../src/system.ts';

const listRoute = 'GET /api/v2/cases';
const referralsRoute = 'GET /api/v2/cases/:id/referrals';

interface PrimeroStats {
  records: { cases: number; referrals: number };
  requests: Record<string, number>;
}

/**
 * What the whole sync costs Primero, counted by the simulator (`GET /_control/stats`, requests by route):
 * a backfill as `pnpm start` runs it, then polls over cases that have not changed.
 */
describe('Primero requests', () => {
  const system = useSystem({
    label: 'e2e_cost',
    // Every seeded case stays inside the cursor overlap for the whole spec, so each poll lists them again.
    env: { CURSOR_OVERLAP_MS: '600000' },
  });

  async function stats(): Promise<PrimeroStats> {
    return (await system.primeroControl('GET', '/_control/stats')).body as PrimeroStats;
  }

  const total = (requests: Record<string, number>): number =>
    Object.values(requests).reduce((sum, n) => sum + n, 0);

  const since = (before: PrimeroStats, after: PrimeroStats): Record<string, number> =>
    Object.fromEntries(
      Object.entries(after.requests)
        .map(([route, n]) => [route, n - (before.requests[route] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );

  it('backfills a few hundred cases from both sides at ≤ 2.5 Primero requests per case', async () => {
    await system.primeroControl('POST', '/_control/seed', { count: 200, seed: 42, linked: false });
    await system.oscarControl('POST', '/_control/seed', { count: 200, seed: 42, linked: false });
    await system.settle();

    const after = await stats();
    expect(after.records.cases).toBeGreaterThan(300);
    const perCase = total(after.requests) / after.records.cases;
    console.info(
      `backfill: ${total(after.requests)} Primero requests for ${after.records.cases} cases (${perCase.toFixed(2)} per case, ${after.records.referrals} referrals)`,
      after.requests,
    );
    expect(perCase).toBeLessThanOrEqual(2.5);
    // Each referred case's referrals are read once (nothing saves these cases again), not once per poll.
    expect(after.requests[referralsRoute]).toBe(after.records.referrals);
  });

  it('polls unchanged cases with one list request each time and no referral fetch', async () => {
    for (let i = 0; i < 3; i += 1) {
      const before = await stats();
      await system.poll('primero-poller');
      expect(since(before, await stats())).toStrictEqual({ [listRoute]: 1 });
    }
  });
});
