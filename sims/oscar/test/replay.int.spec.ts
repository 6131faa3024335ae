import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { ngoClient, referralPayload, startSim } from './harness.ts';

/** POST /_control/replay: NGO acts and interop calls played back at the times they happened. */

let sim: Harness;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

interface Results {
  results: { status: number; body: Record<string, unknown> }[];
}

describe('replay', () => {
  it('plays control and API calls at their times, signing the API calls in, with seeded ids', async () => {
    const calls = [
      {
        at: '2023-05-04T03:00:00.000Z',
        seed: 5,
        method: 'POST',
        url: '/_control/clients',
        body: ngoClient(),
      },
      {
        at: '2023-05-05T03:00:00.000Z',
        seed: 6,
        method: 'POST',
        url: '/api/v1/organizations/clients/upsert',
        body: { organization: referralPayload() },
      },
    ];
    const reply = await sim.control('POST', '/_control/replay', { calls });
    const [client, upsert] = reply.json<Results>().results;
    expect(client?.status).toBe(201);
    expect(upsert?.status).toBe(200);
    expect((client?.body.client as Record<string, unknown>).created_at).toBe('2023-05-04T03:00:00.000Z');
    const referral = [...sim.store.tenants.values()].flatMap((t) => [...t.referrals.values()]).at(-1);
    expect(referral?.createdAt.toISOString()).toBe('2023-05-05T03:00:00.000Z');

    const other = await startSim();
    const again = (await other.control('POST', '/_control/replay', { calls })).json<Results>();
    expect(again.results[0]?.body.global_id).toBe(client?.body.global_id);
    expect(again.results[0]?.body.slug).toBe(client?.body.slug);
    await other.close();

    const stats = (await sim.control('GET', '/_control/stats')).json<{ writes: number; requests: object }>();
    expect(stats).toMatchObject({ writes: 0, requests: {} });
  });

  it('leaves the API user no stale replay tokens', async () => {
    const calls = Array.from({ length: 15 }, (_, i) => ({
      at: new Date(Date.UTC(2023, 0, 1 + i)).toISOString(),
      method: 'GET',
      url: '/api/v1/organizations/clients',
    }));
    const results = (await sim.control('POST', '/_control/replay', { calls })).json<Results>().results;
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(sim.store.admin.tokens.size).toBe(1);
  });
});
