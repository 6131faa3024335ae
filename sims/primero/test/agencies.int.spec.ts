import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { CaseList, Harness } from './sim-harness.ts';
import { startHarness } from './sim-harness.ts';

/** `GET /api/v2/agencies`: Primero's agency partial, paged like every other collection. */

let sim: Harness;
beforeEach(() => {
  sim = startHarness();
});
afterEach(async () => {
  await sim.close();
});

describe('GET /api/v2/agencies', () => {
  it("lists MoSVY's, UNICEF's and every NGO's agency, 20 a page by default", async () => {
    const first = (await sim.get('/api/v2/agencies')).json<CaseList>();
    expect(first.metadata).toEqual({ total: 26, per: 20, page: 1 });
    expect(first.data).toHaveLength(20);
    const all = (await sim.get('/api/v2/agencies?per=100')).json<CaseList>().data;
    expect(all.map((agency) => agency.unique_id)).toEqual(
      expect.arrayContaining(['agency-mosvy', 'agency-unicef', 'agency-cif', 'agency-cwd', 'agency-wmo']),
    );
    const cif = all.find((agency) => agency.unique_id === 'agency-cif');
    expect(cif).toMatchObject({
      agency_code: 'CIF',
      name: { en: 'CIF (OSCaR NGO)' },
      disabled: false,
      services: [],
      user_ids: [expect.any(Number)],
    });
    const last = (await sim.get('/api/v2/agencies?page=2')).json<CaseList>();
    expect(last.data).toHaveLength(6);
    expect(last.metadata).toEqual({ total: 26, per: 20, page: 2 });
  });

  it('needs credentials like every record endpoint', async () => {
    expect((await sim.request('GET', '/api/v2/agencies', { auth: 'none' })).status).toBe(401);
  });
});
