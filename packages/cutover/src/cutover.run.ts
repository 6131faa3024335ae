import type { OscarClient, PrimeroClient } from '@pos/clients';
import type { MappingTables } from '@pos/mapping';
import type { OscarWriterDatabase } from '@pos/oscar-writer/state';
import { createDb, createPool } from '@pos/runtime';
import type { Kysely } from 'kysely';

import type { CutoverReport } from './cutover.report.ts';
import { summarizeFirstSync } from './cutover.report.ts';
import type { FirstSyncPlan, SystemsSnapshot } from './first-sync.planner.ts';
import { planFirstSync } from './first-sync.planner.ts';
import { primeOscarWriter, readOscarWriterMemory } from './oscar-writer-memory.repository.ts';
import type { KnownOscarState } from './oscar-writer-memory.ts';
import { knownOscarState, nothingKnown } from './oscar-writer-memory.ts';
import { readSystems } from './systems.reader.ts';

/** The oscar-writer's schema (services/oscar-writer/src/main.ts). */
export const oscarWriterSchema = 'oscar_writer';

export interface ReportInput {
  readonly primero: PrimeroClient;
  readonly oscar: OscarClient;
  readonly tables: MappingTables;
  readonly referralsCreatedSince: string;
  /**
   * What the oscar-writer knows OSCaR has: `'database'` reads its tables at `databaseUrl` (what it will
   * really compare against), `'as-if-primed'` assumes `pnpm cutover:prime` ran.
   */
  readonly known:
    { readonly from: 'database'; readonly databaseUrl: string } | { readonly from: 'as-if-primed' };
  readonly now?: Date;
  readonly signal?: AbortSignal;
}

export interface ReportOutcome {
  readonly report: CutoverReport;
  readonly plan: FirstSyncPlan;
  readonly snapshot: SystemsSnapshot;
}

/** Reads both systems (read-only) and computes the cut-over report. */
export async function buildCutoverReport(input: ReportInput): Promise<ReportOutcome> {
  const now = input.now ?? new Date();
  const snapshot = await readSystems({
    primero: input.primero,
    oscar: input.oscar,
    ...(input.signal === undefined ? {} : { signal: input.signal }),
  });
  let known: KnownOscarState;
  let primed: boolean;
  if (input.known.from === 'as-if-primed') {
    known = knownOscarState(snapshot.oscarClients);
    primed = true;
  } else {
    const memory = await withOscarWriterDb(input.known.databaseUrl, readOscarWriterMemory);
    known = memory ?? nothingKnown;
    primed = memory !== null && (memory.links.size > 0 || memory.decisions.size > 0);
  }
  const plan = planFirstSync({
    snapshot,
    tables: input.tables,
    referralsCreatedSince: input.referralsCreatedSince,
    known,
    now,
  });
  const report = summarizeFirstSync(plan, {
    generatedAt: now,
    referralsCreatedSince: input.referralsCreatedSince,
    primed,
    read: { primeroCases: snapshot.primeroCases.length, oscarClients: snapshot.oscarClients.length },
  });
  return { report, plan, snapshot };
}

/**
 * Reads OSCaR's client list and writes what it shows (links, referral statuses) into the oscar-writer's
 * memory, so the first sync does not send them again. The oscar-writer must have started once (it creates
 * its tables); run this before the pollers start.
 */
export async function primeFromOscar(input: {
  oscar: OscarClient;
  databaseUrl: string;
  signal?: AbortSignal;
}): Promise<{ clients: number; links: number; decisions: number }> {
  const clients = await input.oscar.listClients(input.signal === undefined ? {} : { signal: input.signal });
  const added = await withOscarWriterDb(input.databaseUrl, async (db) => {
    if ((await readOscarWriterMemory(db)) === null)
      throw new Error(
        `the oscar-writer's tables are not in ${oscarWriterSchema}: start the oscar-writer once (it creates them), then prime`,
      );
    return primeOscarWriter(db, knownOscarState(clients));
  });
  return { clients: clients.length, ...added };
}

async function withOscarWriterDb<T>(
  databaseUrl: string,
  run: (db: Kysely<OscarWriterDatabase>) => Promise<T>,
): Promise<T> {
  const pool = createPool(databaseUrl, { max: 2, applicationName: 'pos-cutover' });
  const db = createDb<OscarWriterDatabase>(pool).withSchema(oscarWriterSchema);
  try {
    return await run(db);
  } finally {
    await db.destroy();
  }
}
