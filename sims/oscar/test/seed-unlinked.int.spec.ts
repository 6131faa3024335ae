import { describe, expect, it } from 'vitest';

import { buildOscarSim } from '../src/index.ts';

describe('control: seed without links to Primero', () => {
  it('creates no client linked to a Primero case when linked is false, and some when it is not', async () => {
    const linkedCount = async (linked: boolean | undefined) => {
      const { app, store } = buildOscarSim();
      const response = await app.inject({
        method: 'POST',
        url: '/_control/seed',
        headers: { 'x-control-token': 'sim-control' },
        payload: { count: 200, seed: 42, ...(linked === undefined ? {} : { linked }) },
      });
      expect(response.statusCode).toBe(200);
      const clients = [...store.tenants.values()].flatMap((tenant) => [...tenant.clients.values()]);
      await app.close();
      expect(clients).toHaveLength(200);
      return clients.filter((client) => client.externalId).length;
    };
    expect(await linkedCount(false)).toBe(0);
    expect(await linkedCount(undefined)).toBeGreaterThan(20);
  });
});
