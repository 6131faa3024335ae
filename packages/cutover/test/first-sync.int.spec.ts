import { createOscarClient, createPrimeroClient } from '@pos/clients';
import { expectedFirstSync, injectTransport, loadMappingTablesSync, seedJointWorld } from '@pos/joint-seed';
import { buildOscarSim } from '@pos/sim-oscar';
import { buildPrimeroSim } from '@pos/sim-primero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { renderCutoverReport } from '../src/cutover.report.ts';
import { buildCutoverReport } from '../src/cutover.run.ts';
import { planFirstSync, routes } from '../src/first-sync.planner.ts';
import { nothingKnown } from '../src/oscar-writer-memory.ts';
import { readSystems } from '../src/systems.reader.ts';

/**
 * The cut-over report over a world seeded as the legacy job leaves it: it must find exactly the leftovers
 * the seed planted (the end-to-end test then holds the running services to the same figures).
 */
const tables = loadMappingTablesSync();
const token = 'sim-control';
const cutover = '2026-06-01T00:00:00.000Z';
const primeroSim = buildPrimeroSim();
const { app: oscarSim } = buildOscarSim();
let clients: Pick<Parameters<typeof buildCutoverReport>[0], 'primero' | 'oscar'>;
let summary: Awaited<ReturnType<typeof seedJointWorld>>;

beforeAll(async () => {
  summary = await seedJointWorld({
    primero: injectTransport(primeroSim, token),
    oscar: injectTransport(oscarSim, token),
    children: 240,
    seed: 7,
    now: cutover,
    tables,
  });
  const primeroUrl = await primeroSim.listen({ host: '127.0.0.1', port: 0 });
  const oscarUrl = await oscarSim.listen({ host: '127.0.0.1', port: 0 });
  clients = {
    primero: createPrimeroClient({
      baseUrl: primeroUrl,
      user: 'primero-sync',
      password: 'primero-sync-password',
      auth: 'basic',
      maxRequestsPerSecond: 1000,
      maxConcurrency: 8,
    }),
    oscar: createOscarClient({
      baseUrl: oscarUrl,
      email: 'sync@oscar.test',
      password: 'oscar-sync-password',
    }),
  };
});
afterAll(async () => {
  await primeroSim.close();
  await oscarSim.close();
});

const nonZero = (counts: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('the cut-over report', () => {
  it('predicts writes only for the leftovers the legacy job left, by kind and by route', async () => {
    const { report } = await buildCutoverReport({
      ...clients,
      tables,
      referralsCreatedSince: cutover,
      known: { from: 'as-if-primed' },
    });
    const expected = expectedFirstSync(summary.plan);
    expect(Object.fromEntries(Object.entries(report.changes).map(([kind, g]) => [kind, g.count]))).toEqual(
      expected.changes,
    );
    expect(report.requests.primero).toEqual(nonZero(expected.requests.primero));
    expect(report.requests.oscar).toEqual(nonZero(expected.requests.oscar));
    expect(report.attention['referral-before-cutover']?.count).toBe(expected.referralsBeforeCutover);
    expect(report.attention['dead-letter']).toBeUndefined();
    // Ids only: no name of a seeded child in the text an administrator reads.
    const text = renderCutoverReport(report, 1000);
    for (const story of summary.plan.stories.slice(0, 50))
      expect(text).not.toContain(`${story.person.givenName} ${story.person.familyName}`);
  });

  it('without priming, predicts the oscar-writer sending again every link and decision OSCaR already has', async () => {
    const snapshot = await readSystems(clients);
    const plan = planFirstSync({
      snapshot,
      tables,
      referralsCreatedSince: cutover,
      known: nothingKnown,
      now: new Date(),
    });
    const count = (route: string) => plan.writes.filter((w) => w.route === route).length;
    const expected = expectedFirstSync(summary.plan);
    const linkedCases = snapshot.primeroCases.filter((c) => c.oscar_number && c.case_id).length;
    // Cases the first sync creates or gives their OSCaR ids get a link too.
    const gainLink = (expected.changes['case-created'] ?? 0) + (expected.changes['ids-written'] ?? 0);
    expect(count(routes.updateLinks)).toBe(linkedCases + gainLink);
    expect(count(routes.updateStatuses)).toBeGreaterThan(10 * (expected.changes['decision-to-oscar'] ?? 1));
  });
});
