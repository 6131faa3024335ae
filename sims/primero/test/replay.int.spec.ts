import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './sim-harness.ts';
import { startHarness } from './sim-harness.ts';

/** POST /_control/replay: a history of API calls played back at the times they happened. */

let sim: Harness;
beforeEach(() => {
  sim = startHarness();
});
afterEach(async () => {
  await sim.close();
});

interface Results {
  results: { status: number; body: Record<string, unknown> }[];
}

const history = [
  {
    at: '2023-03-01T02:00:00.000Z',
    seed: 11,
    as: 'mgrbtb',
    method: 'POST',
    url: '/api/v2/cases',
    body: {
      data: { module_id: 'primeromodule-cp', consent_for_services: true, disclosure_other_orgs: true },
    },
  },
];

describe('replay', () => {
  it('plays each call as its user at its time, with ids drawn from its seed', async () => {
    const reply = await sim.control('POST', '/_control/replay', { calls: history });
    expect(reply.status).toBe(200);
    const [created] = reply.json<Results>().results;
    expect(created?.status).toBe(200);
    expect(created?.body.data).toMatchObject({
      created_at: '2023-03-01T02:00:00.000Z',
      last_updated_at: '2023-03-01T02:00:00.000Z',
      created_by: 'mgrbtb',
      owned_by: 'mgrbtb',
    });
    const again = startHarness();
    const same = (await again.control('POST', '/_control/replay', { calls: history })).json<Results>();
    expect(same.results[0]?.body.data).toEqual(created?.body.data);
    await again.close();
  });

  it('does not count a replayed history as traffic or writes, and injects no faults into it', async () => {
    await sim.control('PUT', '/_control/faults', { errorRate: 1, errorStatus: 503 });
    const [result] = (await sim.control('POST', '/_control/replay', { calls: history })).json<Results>()
      .results;
    expect(result?.status).toBe(200);
    const stats = (await sim.control('GET', '/_control/stats')).json<{
      writes: number;
      records: { cases: number };
    }>();
    expect(stats.writes).toBe(0);
    expect(stats.records.cases).toBe(1);
  });

  it('answers each call, failed ones included, and refuses a malformed history', async () => {
    const reply = await sim.control('POST', '/_control/replay', {
      calls: [{ method: 'GET', url: '/api/v2/cases/not-a-record' }, ...history],
    });
    expect(reply.json<Results>().results.map((r) => r.status)).toEqual([404, 200]);
    expect((await sim.control('POST', '/_control/replay', { calls: [{ method: 'GET' }] })).status).toBe(422);
    expect(
      (await sim.control('POST', '/_control/replay', { calls: [{ method: 'GET', url: '/x', at: 'soon' }] }))
        .status,
    ).toBe(422);
  });
});
