/**
 * What the two systems say exists, reduced to what the mapping tables refer to. Each part is read on its own
 * (one request walk per source), so one failing source leaves the others' results standing.
 */

export type CheckedSystem = 'primero' | 'oscar';

/** One read of one system: a Primero collection, or OSCaR's organisation list. */
export type SourceName = 'primero-lookups' | 'primero-locations' | 'primero-agencies' | 'oscar-organizations';

/** Why a source could not be read. Safe to show: it names the operation and the error code, never data. */
export interface SourceError {
  readonly source: SourceName;
  readonly system: CheckedSystem;
  /** `UpstreamError` code (`NETWORK`, `AUTH_FAILED`, `FORBIDDEN`, `BAD_RESPONSE`, …), or `LOOKUP_MISSING`. */
  readonly code: string;
  readonly message: string;
  /** Trying again later may help (network, timeouts, 5xx); otherwise the configuration must change. */
  readonly retryable: boolean;
}

export type Source<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SourceError };

/** Primero's service options: the ids of `lookup-service-type` and `lookup-service-subtype`. */
export interface PrimeroServiceOptions {
  readonly serviceTypes: ReadonlySet<string>;
  readonly serviceSubtypes: ReadonlySet<string>;
}

/** One province-level Primero location, keyed by its code as Primero stores it (`1` for `01`). */
export interface PrimeroProvince {
  readonly name: string;
  readonly disabled: boolean;
}

/** One Primero agency, keyed by `unique_id` (`agency-cif`). */
export interface PrimeroAgency {
  readonly name: string;
  readonly disabled: boolean;
}

/** One OSCaR NGO, keyed by `short_name` (`cif`). */
export interface OscarOrganization {
  readonly fullName: string;
}

export interface LiveReference {
  readonly primeroServices: Source<PrimeroServiceOptions>;
  /** Only `type: province` locations; every other level is left out. */
  readonly primeroProvinces: Source<ReadonlyMap<string, PrimeroProvince>>;
  readonly primeroAgencies: Source<ReadonlyMap<string, PrimeroAgency>>;
  readonly oscarOrganizations: Source<ReadonlyMap<string, OscarOrganization>>;
}

/**
 * OSCaR tenants that `GET /api/v1/organizations` never lists (docs/upstream/oscar.md §2.5). A table row for
 * one of them cannot be confirmed from the API, which is not the same as it being absent.
 */
export const oscarUnlistedTenants: ReadonlySet<string> = new Set([
  'cwd',
  'myan',
  'rok',
  'shared',
  'my',
  'tutorials',
  'cifcp',
]);
