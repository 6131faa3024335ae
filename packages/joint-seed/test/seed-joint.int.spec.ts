import { buildOscarSim } from '@pos/sim-oscar';
import { buildPrimeroSim } from '@pos/sim-primero';
import { describe, expect, it } from 'vitest';

import { injectTransport, loadMappingTablesSync, seedJointWorld } from '../src/index.ts';

const tables = loadMappingTablesSync();
const token = 'sim-control';
const now = '2026-06-01T00:00:00.000Z';

type Json = Record<string, unknown>;

async function seeded(children: number, seed: number) {
  const primero = buildPrimeroSim();
  const { app: oscar, store } = buildOscarSim();
  const summary = await seedJointWorld({
    primero: injectTransport(primero, token),
    oscar: injectTransport(oscar, token),
    children,
    seed,
    now,
    tables,
  });
  const get = async (app: typeof primero, url: string) =>
    (await app.inject({ method: 'GET', url, headers: { 'x-control-token': token } })).json<Json>();
  const cases = (await get(primero, '/_control/cases?limit=100000')).data as Json[];
  const referrals = new Map<string, Json[]>();
  for (const c of cases)
    referrals.set(
      String(c.id),
      (await get(primero, `/_control/referrals?record_id=${String(c.id)}`)).data as Json[],
    );
  const stats = {
    primero: await get(primero, '/_control/stats'),
    oscar: await get(oscar, '/_control/stats'),
  };
  return { summary, cases, referrals, store, stats };
}

const byId = (cases: Json[]) => new Map(cases.map((c) => [String(c.case_id), c]));

describe('seedJointWorld', () => {
  it('builds the same world for the same seed', async () => {
    const a = await seeded(60, 21);
    const b = await seeded(60, 21);
    expect(b.cases).toEqual(a.cases);
    expect([...b.referrals]).toEqual([...a.referrals]);
    const clients = (world: typeof a) =>
      [...world.store.tenants.values()].flatMap((t) => [...t.clients.values()]).map((c) => ({ ...c }));
    expect(clients(b)).toEqual(clients(a));
  });

  it('links each pair both ways, with the history in the past and not counted as traffic', async () => {
    const { summary, cases, referrals, store, stats } = await seeded(240, 7);
    expect(summary.linkedPairs).toBeGreaterThan(180);
    expect(stats.primero.writes).toBe(0);
    expect(stats.oscar.writes).toBe(0);
    const primeroByCaseId = byId(cases);
    const clients = [...store.tenants.values()].flatMap((t) => [...t.clients.values()]);
    for (const c of cases) expect(String(c.last_updated_at) < now).toBe(true);
    for (const child of summary.children) {
      if (child.caseId === null || child.globalId === null) continue;
      const record = primeroByCaseId.get(child.caseId);
      const client = clients.find((x) => x.globalId === child.globalId);
      expect(record, `story ${child.index}`).toBeDefined();
      expect(client, `story ${child.index}`).toBeDefined();
      const linkLost = child.leftovers.includes('link-missing-in-oscar');
      expect(client?.externalId ?? null).toBe(linkLost ? null : child.caseId);
      if (!child.leftovers.includes('decision-missing-in-primero'))
        expect(record?.oscar_number).toBe(child.globalId);
    }
    // MoSVY's accepted and rejected referrals: decided on both sides, as the legacy job left them.
    for (const child of summary.children.filter((c) => c.kind === 'mosvy-referral-accepted')) {
      if (child.leftovers.includes('decision-missing-in-primero')) continue;
      const [referral] = referrals.get(String(child.primeroRecordId)) ?? [];
      expect(referral?.status).toBe('accepted');
    }
    // Stung Treng referrals never reached Primero.
    for (const child of summary.children.filter((c) => c.kind === 'ngo-referral-stung-treng'))
      expect(child.primeroRecordId).toBeNull();
  });

  it('gives every seeded outbound referral row the form default or the decision, unless planted blank', async () => {
    const { summary, cases } = await seeded(120, 9);
    const blank = new Set(
      summary.children
        .filter((c) => c.leftovers.includes('decision-missing-in-primero'))
        .map((c) => c.caseId),
    );
    for (const c of cases) {
      for (const row of (c.services_section as Json[] | undefined) ?? []) {
        if (row.service_response_type !== 'referral_to_oscar') continue;
        if (blank.has(String(c.case_id))) expect(row.referral_status_edf41f2).toBeUndefined();
        else
          expect(['pending_310366', 'accepted_340953', 'rejected_936484']).toContain(
            row.referral_status_edf41f2,
          );
      }
    }
  });
});
