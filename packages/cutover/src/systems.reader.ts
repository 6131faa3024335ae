import type { OscarClient, PrimeroClient } from '@pos/clients';

import type { SystemsSnapshot } from './first-sync.planner.ts';

type Json = Record<string, unknown>;

/**
 * Reads both systems whole, read-only, as the first sync will: every Primero case (every page), the
 * referrals of the cases with a service referred to OSCaR (the others' are never read), and every client
 * OSCaR lists (`GET /organizations/clients` without `since_date`).
 */
export async function readSystems(deps: {
  primero: PrimeroClient;
  oscar: OscarClient;
  signal?: AbortSignal;
}): Promise<SystemsSnapshot> {
  const options = deps.signal === undefined ? {} : { signal: deps.signal };
  const primeroCases: Json[] = [];
  for await (const page of deps.primero.listCases({}, options)) primeroCases.push(...page.cases);
  const primeroReferrals = new Map<string, readonly Json[]>();
  for (const record of primeroCases) {
    if (typeof record.id !== 'string' || !referredToOscar(record)) continue;
    primeroReferrals.set(record.id, await deps.primero.listReferrals(record.id, options));
  }
  const oscarClients = await deps.oscar.listClients(options);
  return { primeroCases, primeroReferrals, oscarClients };
}

function referredToOscar(record: Json): boolean {
  const rows = Array.isArray(record.services_section) ? (record.services_section as Json[]) : [];
  return rows.some((row) => row.service_response_type === 'referral_to_oscar');
}
