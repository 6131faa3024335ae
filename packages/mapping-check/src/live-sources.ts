import type { OscarClient, PrimeroClient, UnknownRecord } from '@pos/clients';
import { UpstreamError } from '@pos/clients';

import type {
  CheckedSystem,
  LiveReference,
  OscarOrganization,
  PrimeroAgency,
  PrimeroProvince,
  PrimeroServiceOptions,
  Source,
  SourceName,
} from './core/live-reference.ts';

/** The reads the check needs; a full `PrimeroClient` / `OscarClient` fits. */
export type PrimeroReferenceReader = Pick<PrimeroClient, 'listLookups' | 'listLocations' | 'listAgencies'>;
export type OscarReferenceReader = Pick<OscarClient, 'listOrganizations'>;

export interface ReadLiveOptions {
  readonly primero: PrimeroReferenceReader;
  readonly oscar: OscarReferenceReader;
  readonly signal?: AbortSignal | undefined;
}

/** A record that does not have the shape the check reads (a different API version, a proxy page). */
class ShapeError extends Error {
  readonly code: 'BAD_RESPONSE' | 'LOOKUP_MISSING';
  constructor(code: ShapeError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * Reads the four sources at once (Primero lookups, locations and agencies; OSCaR's organisations), each on
 * its own: a failure becomes that source's `SourceError` and never hides the others.
 */
export async function readLiveReference(options: ReadLiveOptions): Promise<LiveReference> {
  const call = { signal: options.signal };
  const [primeroServices, primeroProvinces, primeroAgencies, oscarOrganizations] = await Promise.all([
    read('primero-lookups', 'primero', async () => serviceOptions(await options.primero.listLookups(call))),
    read('primero-locations', 'primero', async () =>
      provinceLocations(await options.primero.listLocations(call)),
    ),
    read('primero-agencies', 'primero', async () => agencyRecords(await options.primero.listAgencies(call))),
    read('oscar-organizations', 'oscar', async () =>
      organizationRecords(await options.oscar.listOrganizations(call)),
    ),
  ]);
  return { primeroServices, primeroProvinces, primeroAgencies, oscarOrganizations };
}

async function read<T>(
  source: SourceName,
  system: CheckedSystem,
  load: () => Promise<T>,
): Promise<Source<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (error) {
    if (error instanceof UpstreamError) {
      return {
        ok: false,
        error: { source, system, code: error.code, message: error.message, retryable: error.retryable },
      };
    }
    if (error instanceof ShapeError) {
      return {
        ok: false,
        error: { source, system, code: error.code, message: error.message, retryable: false },
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { source, system, code: 'UNEXPECTED', message, retryable: false } };
  }
}

function shapeError(code: ShapeError['code'], message: string): ShapeError {
  return new ShapeError(code, message);
}

function text(record: UnknownRecord, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value === '') {
    throw shapeError('BAD_RESPONSE', `${what}: an item has no ${key} string`);
  }
  return value;
}

/** Primero's translated names are `{en: "…", km: "…"}`; locations prefix their ancestors (`Cambodia::Kep`). */
function englishName(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  const en = (value as Record<string, unknown>).en;
  return typeof en === 'string' ? (en.split('::').at(-1) ?? en) : '';
}

function optionIds(lookups: readonly UnknownRecord[], uniqueId: string): ReadonlySet<string> {
  const lookup = lookups.find((item) => item.unique_id === uniqueId);
  if (lookup === undefined) {
    throw shapeError(
      'LOOKUP_MISSING',
      `GET /api/v2/lookups has no ${uniqueId}: the service field uses another option list, or this user cannot see it`,
    );
  }
  const values = lookup.values;
  if (!Array.isArray(values)) throw shapeError('BAD_RESPONSE', `${uniqueId}: values is not an array`);
  return new Set(
    values.map((value: unknown) => {
      if (typeof value !== 'object' || value === null) {
        throw shapeError('BAD_RESPONSE', `${uniqueId}: a value is not an object`);
      }
      return text(value as UnknownRecord, 'id', uniqueId);
    }),
  );
}

function serviceOptions(lookups: readonly UnknownRecord[]): PrimeroServiceOptions {
  return {
    serviceTypes: optionIds(lookups, 'lookup-service-type'),
    serviceSubtypes: optionIds(lookups, 'lookup-service-subtype'),
  };
}

function provinceLocations(locations: readonly UnknownRecord[]): ReadonlyMap<string, PrimeroProvince> {
  const provinces = new Map<string, PrimeroProvince>();
  for (const location of locations) {
    if (location.type !== 'province') continue;
    provinces.set(text(location, 'code', 'GET /api/v2/locations'), {
      name: englishName(location.name),
      disabled: location.disabled === true,
    });
  }
  return provinces;
}

function agencyRecords(agencies: readonly UnknownRecord[]): ReadonlyMap<string, PrimeroAgency> {
  return new Map(
    agencies.map((agency) => [
      text(agency, 'unique_id', 'GET /api/v2/agencies'),
      { name: englishName(agency.name), disabled: agency.disabled === true },
    ]),
  );
}

function organizationRecords(
  organizations: readonly UnknownRecord[],
): ReadonlyMap<string, OscarOrganization> {
  return new Map(
    organizations.map((organization) => [
      text(organization, 'short_name', 'GET /api/v1/organizations'),
      { fullName: typeof organization.full_name === 'string' ? organization.full_name : '' },
    ]),
  );
}
