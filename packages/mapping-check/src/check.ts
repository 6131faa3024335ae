import type { MappingTables } from '@pos/mapping';

import type { MappingCheckResult } from './core/check-result.ts';
import { compareWithLive } from './core/compare.ts';
import type { OscarReferenceReader, PrimeroReferenceReader } from './live-sources.ts';
import { readLiveReference } from './live-sources.ts';

export interface CheckMappingsInput {
  /** The loaded tables (`loadMappingTables(dir)` from `@pos/runtime`, or `parseMappingTables`). */
  readonly tables: MappingTables;
  /** A `PrimeroClient`; only `listLookups`, `listLocations` and `listAgencies` are called. */
  readonly primero: PrimeroReferenceReader;
  /** An `OscarClient`; only `listOrganizations` is called (no token needed). */
  readonly oscar: OscarReferenceReader;
  readonly signal?: AbortSignal | undefined;
  /** Default `() => new Date()`. */
  readonly now?: () => Date;
}

/**
 * The change-management checklist against the live systems: every service type and subtype, province and
 * agency/organisation in the tables against Primero's lookups, locations and agencies and OSCaR's
 * organisations (OSCaR's service names against the checked-in catalogue copy: its interop API has no
 * catalogue route). Read-only. Never throws for an upstream failure: that source's columns are reported
 * in `errors` and `notChecked`, and the other sources' findings still come back.
 *
 * @example
 * const result = await checkMappingsAgainstLive({ tables, primero, oscar });
 * if (!result.ok) console.log(renderMappingCheck(result));
 */
export async function checkMappingsAgainstLive(input: CheckMappingsInput): Promise<MappingCheckResult> {
  const checkedAt = (input.now ?? (() => new Date()))().toISOString();
  const live = await readLiveReference({ primero: input.primero, oscar: input.oscar, signal: input.signal });
  return compareWithLive(input.tables, live, checkedAt);
}
