import type { FindingKind, LookedUpIn, MappingCheckResult, RowFinding, TableCheck } from './check-result.ts';
import type { CheckedSystem } from './live-reference.ts';

const systemName: Record<CheckedSystem, string> = { primero: 'Primero', oscar: 'OSCaR' };

const placeName: Record<LookedUpIn, string> = {
  'lookup-service-type': 'service types (lookup-service-type)',
  'lookup-service-subtype': 'service subtypes (lookup-service-subtype)',
  locations: 'province locations',
  agencies: 'agencies',
  organizations: 'organisations (GET /api/v1/organizations)',
  'oscar-service-catalogue.csv': 'service catalogue (checked-in copy, oscar-service-catalogue.csv)',
};

const kindLabel: Record<FindingKind, string> = {
  missing: 'MISSING',
  disabled: 'DISABLED',
  unused: 'unused',
  unverifiable: 'unverifiable',
};

function describe(finding: RowFinding): string {
  const where = `${systemName[finding.system]}'s ${placeName[finding.lookedUpIn]}`;
  const what = `${finding.column} "${finding.value}"`;
  switch (finding.kind) {
    case 'missing':
      return `${what} is not in ${where}: records that need this row will fail`;
    case 'disabled':
      return `${what} is disabled in ${where}`;
    case 'unused':
      return `${what} is not in ${where}, so the row never applies (harmless)`;
    case 'unverifiable':
      return `${what} cannot be confirmed: ${systemName[finding.system]} does not list its internal tenants`;
  }
}

function renderTable(table: TableCheck): string[] {
  const lines = [`${table.table} — ${table.rowsChecked} rows`];
  if (table.rows.length === 0) lines.push('  every row found');
  for (const row of table.rows) {
    lines.push(`  row ${row.row}  ${row.key}`);
    for (const finding of row.findings)
      lines.push(`    ${kindLabel[finding.kind].padEnd(12)} ${describe(finding)}`);
  }
  for (const system of ['primero', 'oscar'] as const) {
    const items = table.withoutRow.filter((item) => item.system === system);
    if (items.length === 0) continue;
    const source = items.every((item) => item.live) ? '' : ' (checked-in catalogue)';
    lines.push(`  in ${systemName[system]}${source} with no row (${items.length}):`);
    for (const item of items) lines.push(`    ${item.value}${item.label ? `  ${item.label}` : ''}`);
  }
  for (const skipped of table.notChecked) {
    lines.push(`  not checked: ${skipped.column} in ${systemName[skipped.system]} — ${skipped.reason}`);
  }
  return lines;
}

/**
 * The check as a report for a terminal: the sources that failed, then each table's rows with findings,
 * what the systems have that no row covers, and the columns not checked; a summary line last.
 */
export function renderMappingCheck(result: MappingCheckResult): string {
  const lines = [
    `Mapping tables ${result.mappingVersion} against Primero and OSCaR (checked ${result.checkedAt})`,
    '',
  ];
  if (result.errors.length > 0) {
    lines.push('Could not read:');
    for (const error of result.errors) {
      lines.push(
        `  ${error.source}: ${error.code}${error.retryable ? ' (may pass on a retry)' : ''} — ${error.message}`,
      );
    }
    lines.push('');
  }
  for (const table of result.tables) lines.push(...renderTable(table), '');
  const { counts } = result;
  lines.push(
    `Summary: ${counts.missing} missing, ${counts.disabled} disabled, ${counts.unused} unused, ${counts.unverifiable} unverifiable, ${counts.withoutRow} without a row, ${counts.errors} sources not read.`,
  );
  lines.push(
    result.ok
      ? 'Result: OK — everything the tables name exists in both systems.'
      : counts.missing + counts.disabled > 0
        ? 'Result: NOT OK — fix the MISSING and DISABLED rows above (in the system, or in the table), then run again.'
        : 'Result: INCOMPLETE — a system could not be read; nothing it holds was checked.',
  );
  return `${lines.join('\n')}\n`;
}
