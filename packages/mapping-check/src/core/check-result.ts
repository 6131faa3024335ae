import type { CheckedSystem, SourceError } from './live-reference.ts';

/** The tables whose values name something in Primero or OSCaR. The other four hold fixed option ids only. */
export type CheckedTable =
  'services-outbound.csv' | 'services-inbound.csv' | 'provinces.csv' | 'agencies.csv';

/**
 * - `missing`: the sync writes this value into, or relies on it in, a system that does not have it; the
 *   records that need the row fail and are dead-lettered. Fix the system or the row.
 * - `disabled`: the system has it, but disabled (a Primero agency or location).
 * - `unused`: the row is for a value the system never sends (not among its options); harmless, the row just
 *   never applies.
 * - `unverifiable`: the system hides it from its API (OSCaR's internal tenants such as `cwd`), so its
 *   presence cannot be confirmed either way.
 */
export type FindingKind = 'missing' | 'disabled' | 'unused' | 'unverifiable';

/** Where a value was looked up. `oscar-service-catalogue.csv` is the checked-in copy, not a live read. */
export type LookedUpIn =
  | 'lookup-service-type'
  | 'lookup-service-subtype'
  | 'locations'
  | 'agencies'
  | 'organizations'
  | 'oscar-service-catalogue.csv';

export interface RowFinding {
  readonly kind: FindingKind;
  readonly system: CheckedSystem;
  readonly lookedUpIn: LookedUpIn;
  /** The table's column that holds the value. */
  readonly column: string;
  readonly value: string;
}

/** One row with at least one finding. */
export interface RowCheck {
  /** 1-based line in the CSV file (the header is line 1). */
  readonly row: number;
  /** The row's key (first column): `cif`, `12`, `counselling_trauma`, `Trauma counselling`. */
  readonly key: string;
  readonly findings: readonly RowFinding[];
}

/**
 * Something a system offers that no row covers: a new NGO, province or service option. Records that carry
 * it are not mapped (an unknown organisation or province is dead-lettered; an unknown Primero service
 * subtype goes to OSCaR as "Not Specified").
 */
export interface WithoutRow {
  readonly system: CheckedSystem;
  readonly lookedUpIn: LookedUpIn;
  /** The key a row would need (`xyz`, `26`, `agency-xyz`, a subtype id, an OSCaR service name). */
  readonly value: string;
  /** The system's display name, where it has one. */
  readonly label: string | null;
  /** False when read from the checked-in catalogue copy rather than from the system. */
  readonly live: boolean;
}

/** A column that was not compared, and why (its source failed, or the system has no API for it). */
export interface NotChecked {
  readonly column: string;
  readonly system: CheckedSystem;
  readonly reason: string;
}

export interface TableCheck {
  readonly table: CheckedTable;
  /** Rows in the table; every one was compared for the columns not in `notChecked`. */
  readonly rowsChecked: number;
  /** Only the rows with findings, in file order. */
  readonly rows: readonly RowCheck[];
  readonly withoutRow: readonly WithoutRow[];
  readonly notChecked: readonly NotChecked[];
}

export interface MappingCheckCounts {
  readonly missing: number;
  readonly disabled: number;
  readonly unused: number;
  readonly unverifiable: number;
  readonly withoutRow: number;
  readonly errors: number;
}

/**
 * The answer of `checkMappingsAgainstLive`: per table, per row, what is absent on which side, what the
 * systems have that no row covers, and every source that could not be read.
 */
export interface MappingCheckResult {
  /** `manifest.json` version of the tables checked. */
  readonly mappingVersion: string;
  /** ISO 8601, when the check started. */
  readonly checkedAt: string;
  /** No `missing` or `disabled` finding and every source read. `unused`, `unverifiable` and `withoutRow` are advice. */
  readonly ok: boolean;
  readonly counts: MappingCheckCounts;
  readonly tables: readonly TableCheck[];
  readonly errors: readonly SourceError[];
}
