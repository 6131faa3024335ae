import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CaseList, Harness } from './sim-harness.ts';
import { startHarness } from './sim-harness.ts';

/** 100,000 cases stay usable: indexed ID lookups and a `last_updated_at` page (no timing assertions). */

let sim: Harness;
beforeAll(async () => {
  sim = startHarness();
  const seeded = await sim.control('POST', '/_control/seed', { count: 100_000, seed: 2025 });
  expect(seeded.json<{ seeded: { cases: number } }>().seeded.cases).toBe(100_000);
}, 60_000);
afterAll(async () => {
  await sim.close();
});

describe('100,000 cases', () => {
  it('answers a case_id lookup and an oscar_number lookup', async () => {
    const [newest] = (await sim.control('GET', '/_control/cases?limit=1')).json<{
      data: Record<string, unknown>[];
    }>().data;
    const byCaseId = (
      await sim.get(`/api/v2/cases?remote=true&case_id=${String(newest?.case_id)}`)
    ).json<CaseList>();
    expect(byCaseId.metadata.total).toBe(1);
    expect(byCaseId.data[0]?.id).toBe(newest?.id);

    const withOscar = (await sim.get('/api/v2/cases?workflow=referral_from_oscar&per=1')).json<CaseList>()
      .data[0];
    const byOscar = (
      await sim.get(`/api/v2/cases?oscar_number=${String(withOscar?.oscar_number)}`)
    ).json<CaseList>();
    expect(byOscar.data.map((c) => c.id)).toContain(withOscar?.id);
  });

  it('pages through a last_updated_at open range', async () => {
    const cursor = new Date(sim.now() - 10 * 86_400_000).toISOString();
    const first = (
      await sim.get(`/api/v2/cases?last_updated_at=${cursor}..&page=1&per=1000`)
    ).json<CaseList>();
    expect(first.metadata.total).toBeGreaterThan(1000);
    expect(first.data).toHaveLength(1000);
    for (const record of first.data) expect(String(record.last_updated_at) >= cursor).toBe(true);
    const all = (await sim.get('/api/v2/cases?per=20')).json<CaseList>();
    expect(all.metadata.total).toBe(100_000);
  });
});
