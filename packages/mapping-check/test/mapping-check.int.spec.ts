import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { OscarClient, PrimeroClient } from '@pos/clients';
import { createOscarClient, createPrimeroClient } from '@pos/clients';
import type { MappingTables } from '@pos/mapping';
import { mappingFileNames, parseMappingTables } from '@pos/mapping';
import { buildOscarSim } from '@pos/sim-oscar';
import { buildPrimeroSim } from '@pos/sim-primero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { MappingCheckResult, TableCheck } from '../src/index.ts';
import { checkMappingsAgainstLive, renderMappingCheck } from '../src/index.ts';

/**
 * The check against both simulators as seeded: the checked-in tables find everything they need; rows for
 * things the systems lack are reported on the right side; live NGOs and agencies without a row are listed;
 * one unreadable system leaves the other's findings standing.
 */
const mappingsDir = join(import.meta.dirname, '../../../config/mappings');
const seedFiles: Record<string, string> = Object.fromEntries(
  mappingFileNames.map((file) => [file, readFileSync(join(mappingsDir, file), 'utf8')]),
);

/** The seed's tables with some files edited (`edit(file text) → new text`). */
function tablesWith(
  edits: Partial<Record<(typeof mappingFileNames)[number], (text: string) => string>> = {},
) {
  const files = { ...seedFiles };
  for (const [file, edit] of Object.entries(edits)) files[file] = edit(files[file] ?? '');
  return parseMappingTables(files, '2026-12-01.1');
}

const addRows =
  (...rows: string[]) =>
  (text: string) =>
    `${[text.trimEnd(), ...rows].join('\n')}\n`;
const dropRow = (prefix: string) => (text: string) =>
  text
    .split('\n')
    .filter((line) => !line.startsWith(prefix))
    .join('\n');

// A per-page cap of 20 makes every Primero collection (2 pages of agencies, ~45 of locations) take several pages.
const primeroSim = buildPrimeroSim({ perPageCap: 20 });
const { app: oscarSim } = buildOscarSim();
let primero: PrimeroClient;
let oscar: OscarClient;
let primeroUrl: string;

beforeAll(async () => {
  primeroUrl = await primeroSim.listen({ host: '127.0.0.1', port: 0 });
  const oscarUrl = await oscarSim.listen({ host: '127.0.0.1', port: 0 });
  primero = createPrimeroClient({
    baseUrl: primeroUrl,
    user: 'primero-sync',
    password: 'primero-sync-password',
    auth: 'basic',
    maxRequestsPerSecond: 1000,
  });
  oscar = createOscarClient({ baseUrl: oscarUrl, email: 'sync@oscar.test', password: 'oscar-sync-password' });
});
afterAll(async () => {
  await primeroSim.close();
  await oscarSim.close();
});

const check = (tables: MappingTables, clients: { primero?: PrimeroClient; oscar?: OscarClient } = {}) =>
  checkMappingsAgainstLive({
    tables,
    primero: clients.primero ?? primero,
    oscar: clients.oscar ?? oscar,
    now: () => new Date('2026-12-01T03:00:00Z'),
  });

function table(result: MappingCheckResult, name: TableCheck['table']): TableCheck {
  const found = result.tables.find((item) => item.table === name);
  if (found === undefined) throw new Error(`no ${name} in the result`);
  return found;
}

/** `row key: kind system column=value` for every finding, for whole-table comparisons. */
function findings(result: MappingCheckResult, name: TableCheck['table']): string[] {
  return table(result, name).rows.flatMap((row) =>
    row.findings.map((f) => `${row.row} ${row.key}: ${f.kind} ${f.system} ${f.column}=${f.value}`),
  );
}

describe('checkMappingsAgainstLive', () => {
  it('finds everything the seed tables need in the seeded systems', async () => {
    const result = await check(tablesWith());

    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ missing: 0, disabled: 0, errors: 0 });
    expect(result.mappingVersion).toBe('2026-12-01.1');
    expect(result.checkedAt).toBe('2026-12-01T03:00:00.000Z');
    expect(result.tables.map((t) => [t.table, t.rowsChecked])).toEqual([
      ['services-outbound.csv', 51],
      ['services-inbound.csv', 48],
      ['provinces.csv', 25],
      ['agencies.csv', 24],
    ]);
    // The advice that stays true of the seed: the legacy outbound key `other` is not a Primero option,
    // and cwd is an internal OSCaR tenant the listing hides.
    expect(findings(result, 'services-outbound.csv')).toEqual([
      '52 other: unused primero primero_subtype=other',
    ]);
    expect(findings(result, 'services-inbound.csv')).toEqual([]);
    expect(findings(result, 'provinces.csv')).toEqual([]);
    expect(findings(result, 'agencies.csv')).toEqual(['16 cwd: unverifiable oscar oscar_organization=cwd']);
    expect(table(result, 'agencies.csv').withoutRow.map((item) => `${item.system} ${item.value}`)).toEqual([
      'oscar demo',
      'primero agency-unicef',
      'primero agency-mosvy',
    ]);
    expect(table(result, 'services-inbound.csv').withoutRow).toEqual([
      {
        system: 'oscar',
        lookedUpIn: 'oscar-service-catalogue.csv',
        value: 'Literacy Support',
        label: null,
        live: false,
      },
      {
        system: 'oscar',
        lookedUpIn: 'oscar-service-catalogue.csv',
        value: 'Not Specified',
        label: null,
        live: false,
      },
    ]);
    expect(table(result, 'provinces.csv').withoutRow).toEqual([]);
    expect(table(result, 'services-outbound.csv').withoutRow).toEqual([]);
    expect(renderMappingCheck(result)).toContain('Result: OK');
  });

  it('reports rows for a province, an agency and services the systems lack, on the side that lacks them', async () => {
    const result = await check(
      tablesWith({
        'provinces.csv': addRows('26,Atlantis,mgratl,'),
        'agencies.csv': addRows('xyz,agency-xyz,agency-xyz-user', 'demo,agency-demo,agency-demo-user'),
        'services-inbound.csv': addRows(
          'Literacy Support,training_education,training_education_literacy',
          'Not Specified,unspecified,other_other_service',
        ),
        'services-outbound.csv': addRows('counselling_art_therapy,Trauma counselling'),
      }),
    );

    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([]);
    expect(findings(result, 'provinces.csv')).toEqual(['27 26: missing primero code=26']);
    expect(findings(result, 'agencies.csv')).toEqual([
      '16 cwd: unverifiable oscar oscar_organization=cwd',
      '26 xyz: missing oscar oscar_organization=xyz',
      '26 xyz: missing primero primero_agency_id=agency-xyz',
      // OSCaR has the demo tenant; only Primero lacks its agency.
      '27 demo: missing primero primero_agency_id=agency-demo',
    ]);
    expect(findings(result, 'services-inbound.csv')).toEqual([
      '50 Literacy Support: missing primero primero_service_subtype=training_education_literacy',
      '51 Not Specified: missing primero primero_service_type=unspecified',
    ]);
    expect(findings(result, 'services-outbound.csv')).toEqual([
      '52 other: unused primero primero_subtype=other',
      '53 counselling_art_therapy: unused primero primero_subtype=counselling_art_therapy',
    ]);
    expect(result.counts).toMatchObject({ missing: 6, disabled: 0, unused: 2, unverifiable: 1, errors: 0 });
    // demo now has a row, so only Primero's own agencies are left without one; the two services have rows.
    expect(table(result, 'agencies.csv').withoutRow.map((item) => item.value)).toEqual([
      'agency-unicef',
      'agency-mosvy',
    ]);
    expect(table(result, 'services-inbound.csv').withoutRow).toEqual([]);

    const report = renderMappingCheck(result);
    expect(report).toContain('row 27  26');
    expect(report).toContain(
      `MISSING      code "26" is not in Primero's province locations: records that need this row will fail`,
    );
    expect(report).toContain('Result: NOT OK');
  });

  it('lists a live NGO and its Primero agency that have no row', async () => {
    const result = await check(tablesWith({ 'agencies.csv': dropRow('mho,') }));

    expect(result.ok).toBe(true);
    expect(table(result, 'agencies.csv').rowsChecked).toBe(23);
    expect(table(result, 'agencies.csv').withoutRow).toEqual(
      expect.arrayContaining([
        {
          system: 'oscar',
          lookedUpIn: 'organizations',
          value: 'mho',
          label: "Mother's Heart Organisation",
          live: true,
        },
        {
          system: 'primero',
          lookedUpIn: 'agencies',
          value: 'agency-mho',
          label: 'MHO (OSCaR NGO)',
          live: true,
        },
      ]),
    );
    expect(renderMappingCheck(result)).toMatch(
      /in OSCaR with no row \(2\):\n {4}demo {2}Demo Organisation\n {4}mho/,
    );
  });

  it('lists a live province that has no row', async () => {
    const result = await check(tablesWith({ 'provinces.csv': dropRow('23,Kep') }));

    expect(table(result, 'provinces.csv').withoutRow).toEqual([
      { system: 'primero', lookedUpIn: 'locations', value: '23', label: 'Kep', live: true },
    ]);
  });

  it("still reports Primero's findings when OSCaR cannot be reached", async () => {
    const closed = buildOscarSim().app;
    const closedUrl = await closed.listen({ host: '127.0.0.1', port: 0 });
    await closed.close();
    const result = await check(tablesWith({ 'provinces.csv': addRows('26,Atlantis,mgratl,') }), {
      oscar: createOscarClient({ baseUrl: closedUrl, email: 'sync@oscar.test', password: 'x' }),
    });

    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      expect.objectContaining({
        source: 'oscar-organizations',
        system: 'oscar',
        code: 'NETWORK',
        retryable: true,
      }),
    ]);
    expect(findings(result, 'provinces.csv')).toEqual(['27 26: missing primero code=26']);
    expect(findings(result, 'agencies.csv')).toEqual([]);
    expect(table(result, 'agencies.csv').notChecked).toContainEqual({
      column: 'oscar_organization',
      system: 'oscar',
      reason: 'oscar-organizations could not be read (NETWORK)',
    });
    expect(renderMappingCheck(result)).toContain(
      'Could not read:\n  oscar-organizations: NETWORK (may pass on a retry)',
    );
  });

  it("still reports OSCaR's findings when Primero refuses the credentials", async () => {
    const result = await check(tablesWith({ 'agencies.csv': addRows('xyz,agency-xyz,agency-xyz-user') }), {
      primero: createPrimeroClient({
        baseUrl: primeroUrl,
        user: 'primero-sync',
        password: 'wrong',
        auth: 'basic',
      }),
    });

    expect(result.errors.map((error) => `${error.source} ${error.code} ${error.retryable}`)).toEqual([
      'primero-lookups AUTH_FAILED false',
      'primero-locations AUTH_FAILED false',
      'primero-agencies AUTH_FAILED false',
    ]);
    expect(result.errors.every((error) => !error.message.includes('wrong'))).toBe(true);
    expect(findings(result, 'agencies.csv')).toEqual([
      '16 cwd: unverifiable oscar oscar_organization=cwd',
      '26 xyz: missing oscar oscar_organization=xyz',
    ]);
    expect(table(result, 'agencies.csv').withoutRow.map((item) => item.value)).toEqual(['demo']);
    expect(renderMappingCheck(result)).toContain('Result: NOT OK');
  });
});
