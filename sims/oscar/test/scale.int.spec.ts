import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { startSim } from './harness.ts';

/** 100,000 clients must stay usable: indexes by global id, per-tenant arrays, no quadratic work. */
let sim: Harness;
let everyone: Record<string, unknown>[] = [];

beforeAll(async () => {
  sim = await startSim();
  await sim.signIn();
  const seeded = await sim.control('POST', '/_control/seed', { count: 100_000, seed: 2025 });
  expect(seeded.json()).toMatchObject({ records: { clients: 100_000 } });
  // Two days later, NGOs edit a handful of clients: the recent changes a poller asks for.
  everyone = await sim.listClients();
  sim.clock.advance(2 * 24 * 3600_000);
  for (const client of everyone.slice(0, 10)) {
    await sim.control('PATCH', `/_control/clients/${String(client.global_id)}`, {
      mosvy_number: 'MSV-SCALE',
    });
  }
});

const today = () => `${sim.clock.now.toISOString().slice(0, 10)} 00:00:00`;
afterAll(async () => {
  await sim.close();
});

describe('100k clients', () => {
  it('answers GET /clients with a recent since_date', async () => {
    const rows = await sim.listClients(`?since_date=${today()}`);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(10);
  });

  it('answers an upsert and an update_links by global id', async () => {
    const target = everyone.find((row) => row.resource === null);
    expect(target).toBeDefined();
    const links = await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: target?.global_id, external_id: 'scale-case' }],
    });
    expect(links.statusCode).toBe(200);
    const upsert = await sim.upsert({ organization_name: 'cif', external_id: 'scale-new' });
    expect(upsert.statusCode).toBe(422);
  });
});
