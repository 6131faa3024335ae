import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { startSim } from './harness.ts';

/** 100,000 clients must stay usable: indexes by global id, per-tenant arrays, no quadratic work. */
let sim: Harness;

beforeAll(async () => {
  sim = await startSim();
  await sim.signIn();
  const seeded = await sim.control('POST', '/_control/seed', { count: 100_000, seed: 2025 });
  expect(seeded.json()).toMatchObject({ records: { clients: 100_000 } });
});
afterAll(async () => {
  await sim.close();
});

describe('100k clients', () => {
  it('answers GET /clients with a recent since_date', async () => {
    const rows = await sim.listClients('?since_date=2025-08-01 00:00:00');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(5_000);
  });

  it('answers an upsert and an update_links by global id', async () => {
    const rows = await sim.listClients('?since_date=2025-07-31 00:00:00');
    const target = rows.find((row) => row.resource === null);
    expect(target).toBeDefined();
    const links = await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: target?.global_id, external_id: 'scale-case' }],
    });
    expect(links.statusCode).toBe(200);
    const upsert = await sim.upsert({ organization_name: 'cif', external_id: 'scale-new' });
    expect(upsert.statusCode).toBe(422);
  });
});
