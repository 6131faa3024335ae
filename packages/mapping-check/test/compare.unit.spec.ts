import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { UpstreamError } from '@pos/clients';
import { mappingFileNames, parseMappingTables } from '@pos/mapping';
import { describe, expect, it } from 'vitest';

import type { LiveReference, OscarReferenceReader, PrimeroReferenceReader } from '../src/index.ts';
import { compareWithLive, readLiveReference, renderMappingCheck } from '../src/index.ts';

const mappingsDir = join(import.meta.dirname, '../../../config/mappings');
const tables = parseMappingTables(
  Object.fromEntries(mappingFileNames.map((file) => [file, readFileSync(join(mappingsDir, file), 'utf8')])),
  '2026-12-01.1',
);

/** A live reference that has exactly what the seed tables name, with overrides. */
function liveWith(overrides: Partial<LiveReference> = {}): LiveReference {
  const subtypes = new Set([...tables.servicesOutbound.keys()].filter((key) => key !== 'other'));
  const types = new Set([...tables.servicesInbound.values()].map((service) => service.primeroServiceType));
  return {
    primeroServices: { ok: true, value: { serviceTypes: types, serviceSubtypes: subtypes } },
    primeroProvinces: {
      ok: true,
      value: new Map(
        [...tables.provinces].map(([code, owner]) => [
          String(Number(code)),
          { name: owner.province, disabled: false },
        ]),
      ),
    },
    primeroAgencies: {
      ok: true,
      value: new Map(
        [...tables.agencies.values()].map((agency) => [
          agency.primeroAgencyId,
          { name: agency.primeroAgencyId, disabled: false },
        ]),
      ),
    },
    oscarOrganizations: {
      ok: true,
      value: new Map([...tables.agencies.keys()].map((org) => [org, { fullName: org.toUpperCase() }])),
    },
    ...overrides,
  };
}

describe('compareWithLive', () => {
  it('reports a disabled agency and a disabled province as problems', () => {
    const live = liveWith();
    const agencies = new Map(live.primeroAgencies.ok ? live.primeroAgencies.value : []);
    agencies.set('agency-kt', { name: 'KT', disabled: true });
    const provinces = new Map(live.primeroProvinces.ok ? live.primeroProvinces.value : []);
    provinces.set('9', { name: 'Koh Kong', disabled: true });

    const result = compareWithLive(
      tables,
      liveWith({
        primeroAgencies: { ok: true, value: agencies },
        primeroProvinces: { ok: true, value: provinces },
      }),
      '2026-12-01T00:00:00.000Z',
    );

    expect(result.ok).toBe(false);
    expect(result.counts).toEqual({
      missing: 0,
      disabled: 2,
      unused: 1,
      unverifiable: 0,
      withoutRow: 2, // the catalogue's Literacy Support and Not Specified have no inbound row
      errors: 0,
    });
    const rows = result.tables.flatMap((table) =>
      table.rows.map((row) => `${table.table}:${row.row} ${row.findings.map((f) => f.kind).join()}`),
    );
    expect(rows).toEqual([
      'services-outbound.csv:52 unused',
      'provinces.csv:10 disabled',
      'agencies.csv:8 disabled',
    ]);
    expect(renderMappingCheck(result)).toContain(
      `DISABLED     primero_agency_id "agency-kt" is disabled in Primero's agencies`,
    );
  });

  it('pads a live province code to the key a row needs', () => {
    const live = liveWith();
    const provinces = new Map(live.primeroProvinces.ok ? live.primeroProvinces.value : []);
    provinces.set('26', { name: 'Atlantis', disabled: false });
    const withoutRow = compareWithLive(
      tables,
      liveWith({ primeroProvinces: { ok: true, value: provinces } }),
      '2026-12-01T00:00:00.000Z',
    ).tables.find((table) => table.table === 'provinces.csv')?.withoutRow;
    expect(withoutRow).toEqual([
      { system: 'primero', lookedUpIn: 'locations', value: '26', label: 'Atlantis', live: true },
    ]);
  });
});

function readers(primero: Partial<PrimeroReferenceReader>, oscar: Partial<OscarReferenceReader> = {}) {
  return {
    primero: {
      listLookups: async () => [],
      listLocations: async () => [],
      listAgencies: async () => [],
      ...primero,
    },
    oscar: { listOrganizations: async () => [], ...oscar },
  };
}

describe('readLiveReference', () => {
  it('reports a missing service lookup as that source failing, with the fix in words', async () => {
    const live = await readLiveReference(
      readers({
        listLookups: async () => [{ unique_id: 'lookup-service-type', values: [{ id: 'counselling' }] }],
      }),
    );
    expect(live.primeroServices).toEqual({
      ok: false,
      error: {
        source: 'primero-lookups',
        system: 'primero',
        code: 'LOOKUP_MISSING',
        message:
          'GET /api/v2/lookups has no lookup-service-subtype: the service field uses another option list, or this user cannot see it',
        retryable: false,
      },
    });
    expect(live.primeroProvinces.ok && live.oscarOrganizations.ok).toBe(true);
  });

  it('refuses records of another shape without reading the rest as empty', async () => {
    const live = await readLiveReference(
      readers({ listAgencies: async () => [{ id: 3, name: { en: 'no unique_id' } }] }),
    );
    expect(live.primeroAgencies).toMatchObject({
      ok: false,
      error: { code: 'BAD_RESPONSE', message: 'GET /api/v2/agencies: an item has no unique_id string' },
    });
  });

  it('keeps only province locations, their English leaf name and the disabled flag', async () => {
    const live = await readLiveReference(
      readers({
        listLocations: async () => [
          { code: 'KH', type: 'country', name: { en: 'Cambodia' } },
          { code: '23', type: 'province', disabled: true, name: { en: 'Cambodia::Kep', km: '' } },
          { code: '2301', type: 'district', name: { en: 'Cambodia::Kep::Kep District' } },
        ],
      }),
    );
    expect(live.primeroProvinces).toEqual({
      ok: true,
      value: new Map([['23', { name: 'Kep', disabled: true }]]),
    });
  });

  it('turns an upstream error into its code and safe message, and leaves the other system alone', async () => {
    const forbidden = new UpstreamError({
      system: 'primero',
      code: 'FORBIDDEN',
      operation: 'GET /api/v2/agencies',
      status: 403,
      retryable: false,
      details: [],
    });
    const live = await readLiveReference(
      readers(
        {
          listAgencies: async () => {
            throw forbidden;
          },
        },
        { listOrganizations: async () => [{ short_name: 'cif', full_name: 'Children in Families' }] },
      ),
    );
    expect(live.primeroAgencies).toEqual({
      ok: false,
      error: {
        source: 'primero-agencies',
        system: 'primero',
        code: 'FORBIDDEN',
        message: forbidden.message,
        retryable: false,
      },
    });
    expect(live.oscarOrganizations).toEqual({
      ok: true,
      value: new Map([['cif', { fullName: 'Children in Families' }]]),
    });
  });
});
