import type { MappingTables } from '@pos/mapping';

import type {
  CheckedTable,
  FindingKind,
  LookedUpIn,
  MappingCheckResult,
  NotChecked,
  RowCheck,
  RowFinding,
  TableCheck,
  WithoutRow,
} from './check-result.ts';
import type { CheckedSystem, LiveReference, Source, SourceError } from './live-reference.ts';
import { oscarUnlistedTenants } from './live-reference.ts';

const userColumnReason =
  "Primero lists users only to user administrators, not to the sync's API user: check the user in Primero's Users page";

/**
 * Compares the mapping tables with what the systems have (pure). A source that could not be read leaves
 * its columns in `notChecked` and the other columns' findings standing.
 *
 * @example
 * const result = compareWithLive(tables, live, new Date().toISOString());
 * if (!result.ok) for (const table of result.tables) console.log(table.table, table.rows);
 */
export function compareWithLive(
  tables: MappingTables,
  live: LiveReference,
  checkedAt: string,
): MappingCheckResult {
  const checks = [
    servicesOutbound(tables, live),
    servicesInbound(tables, live),
    provinces(tables, live),
    agencies(tables, live),
  ];
  const errors = [live.primeroServices, live.primeroProvinces, live.primeroAgencies, live.oscarOrganizations]
    .filter((source): source is { ok: false; error: SourceError } => !source.ok)
    .map((source) => source.error);
  const kinds = checks.flatMap((check) => check.rows.flatMap((row) => row.findings.map((f) => f.kind)));
  const count = (kind: FindingKind) => kinds.filter((k) => k === kind).length;
  const counts = {
    missing: count('missing'),
    disabled: count('disabled'),
    unused: count('unused'),
    unverifiable: count('unverifiable'),
    withoutRow: checks.reduce((sum, check) => sum + check.withoutRow.length, 0),
    errors: errors.length,
  };
  return {
    mappingVersion: tables.version,
    checkedAt,
    ok: counts.missing === 0 && counts.disabled === 0 && counts.errors === 0,
    counts,
    tables: checks,
    errors,
  };
}

/** Collects one table's findings row by row; rows are numbered in file order (keys are unique, one row each). */
function tableBuilder(table: CheckedTable) {
  const rows: RowCheck[] = [];
  const withoutRow: WithoutRow[] = [];
  const notChecked: NotChecked[] = [];
  let rowsChecked = 0;
  return {
    row(key: string, findings: readonly (RowFinding | null)[]) {
      rowsChecked += 1;
      const found = findings.filter((finding): finding is RowFinding => finding !== null);
      if (found.length > 0) rows.push({ row: rowsChecked + 1, key, findings: found });
    },
    withoutRow: (item: WithoutRow) => withoutRow.push(item),
    notChecked: (column: string, system: CheckedSystem, reason: string) =>
      notChecked.push({ column, system, reason }),
    /** Records the columns a failed source leaves unchecked; returns the value when it was read. */
    from<T>(source: Source<T>, system: CheckedSystem, columns: readonly string[]): T | undefined {
      if (source.ok) return source.value;
      for (const column of columns) {
        notChecked.push({
          column,
          system,
          reason: `${source.error.source} could not be read (${source.error.code})`,
        });
      }
      return undefined;
    },
    done: (): TableCheck => ({ table, rowsChecked, rows, withoutRow, notChecked }),
  };
}

function finding(
  kind: FindingKind,
  system: CheckedSystem,
  lookedUpIn: LookedUpIn,
  column: string,
  value: string,
): RowFinding {
  return { kind, system, lookedUpIn, column, value };
}

/** Present → null; else a finding of `kind` (only when the reference was read at all). */
function presence(
  present: boolean | undefined,
  kind: FindingKind,
  system: CheckedSystem,
  lookedUpIn: LookedUpIn,
  column: string,
  value: string,
): RowFinding | null {
  return present === false ? finding(kind, system, lookedUpIn, column, value) : null;
}

function catalogueNames(tables: MappingTables): ReadonlySet<string> {
  return new Set(tables.serviceCatalogue.map((service) => service.serviceName));
}

/**
 * `primero_subtype` comes *from* Primero: one Primero does not offer is `unused`. `oscar_service_name` goes
 * *to* OSCaR and must be in its catalogue (the checked-in copy: OSCaR's interop API has no catalogue route).
 */
function servicesOutbound(tables: MappingTables, live: LiveReference): TableCheck {
  const check = tableBuilder('services-outbound.csv');
  const options = check.from(live.primeroServices, 'primero', ['primero_subtype']);
  const catalogue = catalogueNames(tables);
  for (const [subtype, oscarName] of tables.servicesOutbound) {
    check.row(subtype, [
      presence(
        options?.serviceSubtypes.has(subtype),
        'unused',
        'primero',
        'lookup-service-subtype',
        'primero_subtype',
        subtype,
      ),
      presence(
        catalogue.has(oscarName),
        'missing',
        'oscar',
        'oscar-service-catalogue.csv',
        'oscar_service_name',
        oscarName,
      ),
    ]);
  }
  for (const subtype of options?.serviceSubtypes ?? []) {
    if (!tables.servicesOutbound.has(subtype)) {
      check.withoutRow({
        system: 'primero',
        lookedUpIn: 'lookup-service-subtype',
        value: subtype,
        label: null,
        live: true,
      });
    }
  }
  return check.done();
}

/**
 * `oscar_service_name` comes *from* OSCaR: a name not in its catalogue is `unused`. The Primero type and
 * subtype are written *into* Primero's service rows and must be among its options.
 */
function servicesInbound(tables: MappingTables, live: LiveReference): TableCheck {
  const check = tableBuilder('services-inbound.csv');
  const options = check.from(live.primeroServices, 'primero', [
    'primero_service_type',
    'primero_service_subtype',
  ]);
  const catalogue = catalogueNames(tables);
  for (const [oscarName, { primeroServiceType, primeroSubtype }] of tables.servicesInbound) {
    check.row(oscarName, [
      presence(
        catalogue.has(oscarName),
        'unused',
        'oscar',
        'oscar-service-catalogue.csv',
        'oscar_service_name',
        oscarName,
      ),
      presence(
        options?.serviceTypes.has(primeroServiceType),
        'missing',
        'primero',
        'lookup-service-type',
        'primero_service_type',
        primeroServiceType,
      ),
      presence(
        options?.serviceSubtypes.has(primeroSubtype),
        'missing',
        'primero',
        'lookup-service-subtype',
        'primero_service_subtype',
        primeroSubtype,
      ),
    ]);
  }
  for (const name of catalogue) {
    if (!tables.servicesInbound.has(name)) {
      check.withoutRow({
        system: 'oscar',
        lookedUpIn: 'oscar-service-catalogue.csv',
        value: name,
        label: null,
        live: false,
      });
    }
  }
  return check.done();
}

/** Primero stores admin codes without leading zeros (`1` for `01`). */
function primeroCode(code: string): string {
  return /^\d+$/.test(code) ? String(Number.parseInt(code, 10)) : code;
}

/** The row key for a Primero province code: two digits, as OSCaR writes it. */
function rowCode(primeroProvinceCode: string): string {
  return /^\d$/.test(primeroProvinceCode) ? `0${primeroProvinceCode}` : primeroProvinceCode;
}

/** Each province code must be a Primero province location: it decides the owner of a referred child's case. */
function provinces(tables: MappingTables, live: LiveReference): TableCheck {
  const check = tableBuilder('provinces.csv');
  const known = check.from(live.primeroProvinces, 'primero', ['code']);
  check.notChecked('primero_user', 'primero', userColumnReason);
  check.notChecked(
    'code',
    'oscar',
    "OSCaR's interop API lists no provinces (the codes are Cambodia's fixed admin codes)",
  );
  const covered = new Set<string>();
  for (const [code] of tables.provinces) {
    covered.add(primeroCode(code));
    const location = known?.get(primeroCode(code));
    check.row(code, [
      known === undefined
        ? null
        : location === undefined
          ? finding('missing', 'primero', 'locations', 'code', code)
          : location.disabled
            ? finding('disabled', 'primero', 'locations', 'code', code)
            : null,
    ]);
  }
  for (const [code, location] of known ?? []) {
    if (!covered.has(code)) {
      check.withoutRow({
        system: 'primero',
        lookedUpIn: 'locations',
        value: rowCode(code),
        label: location.name,
        live: true,
      });
    }
  }
  return check.done();
}

/** Each row joins an OSCaR NGO and a Primero agency; both must exist. */
function agencies(tables: MappingTables, live: LiveReference): TableCheck {
  const check = tableBuilder('agencies.csv');
  const organizations = check.from(live.oscarOrganizations, 'oscar', ['oscar_organization']);
  const primeroAgencies = check.from(live.primeroAgencies, 'primero', ['primero_agency_id']);
  check.notChecked('primero_user', 'primero', userColumnReason);
  const agencyIds = new Set<string>();
  for (const [organization, { primeroAgencyId }] of tables.agencies) {
    agencyIds.add(primeroAgencyId);
    const agency = primeroAgencies?.get(primeroAgencyId);
    check.row(organization, [
      organizations === undefined || organizations.has(organization)
        ? null
        : finding(
            oscarUnlistedTenants.has(organization) ? 'unverifiable' : 'missing',
            'oscar',
            'organizations',
            'oscar_organization',
            organization,
          ),
      primeroAgencies === undefined
        ? null
        : agency === undefined
          ? finding('missing', 'primero', 'agencies', 'primero_agency_id', primeroAgencyId)
          : agency.disabled
            ? finding('disabled', 'primero', 'agencies', 'primero_agency_id', primeroAgencyId)
            : null,
    ]);
  }
  for (const [shortName, organization] of organizations ?? []) {
    if (!tables.agencies.has(shortName)) {
      check.withoutRow({
        system: 'oscar',
        lookedUpIn: 'organizations',
        value: shortName,
        label: organization.fullName,
        live: true,
      });
    }
  }
  for (const [uniqueId, agency] of primeroAgencies ?? []) {
    if (!agencyIds.has(uniqueId)) {
      check.withoutRow({
        system: 'primero',
        lookedUpIn: 'agencies',
        value: uniqueId,
        label: agency.name,
        live: true,
      });
    }
  }
  return check.done();
}
