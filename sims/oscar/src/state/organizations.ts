import type { Organization } from '../core/model.ts';

/**
 * The NGO tenants: every short name of the Primero interop (mappings/agencies.csv) plus `demo`.
 * Confirmed in the sources: `cif` = Children in Families (id 46), `mho` = Mother's Heart Organisation,
 * `gpc` = Garden of Hope, `demo` id 7. The other ids, full names and addresses are invented.
 */
const table: readonly [id: number, shortName: string, fullName: string, address: string][] = [
  [7, 'demo', 'Demo Organisation', '120611'],
  [12, 'gpc', 'Garden of Hope', '1205'],
  [15, 'tpo', 'Transcultural Psychosocial Organisation', '120101'],
  [18, 'eao', 'Education and Outreach', '17'],
  [21, 'goh', 'Good Hope Cambodia', '0203'],
  [23, 'sk', 'Samaritan Kids', '170101'],
  [25, 'colt', 'Children of Light', '08'],
  [27, 'kt', 'Kanyka Trust', '1204'],
  [29, 'ea', 'Essential Aid', '020101'],
  [31, 'fsi', 'Family Support International', '1208'],
  [33, 'oec', 'Orphans Education Centre', '03'],
  [35, 'cct', 'Cambodian Children Trust', '020102'],
  [38, 'cfi', 'Children First Initiative', '1206'],
  [46, 'cif', 'Children in Families', '120611'],
  [48, 'css', 'Child Safe Services', '0701'],
  [50, 'cwd', 'Children With Disabilities', '1209'],
  [52, 'holt', 'Holt Cambodia', '120105'],
  [54, 'isf', 'International Support Foundation', '18'],
  [56, 'kmr', 'Khmer Rising', '1701'],
  [58, 'mho', "Mother's Heart Organisation", '120301'],
  [60, 'msl', 'My Safe Life', '0402'],
  [62, 'mtp', 'Mith Thmey Partners', '14'],
  [64, 'tlc', 'The Life Centre', '1207'],
  [66, 'tmw', 'The Mekong Way', '010201'],
  [68, 'wmo', 'World Mission Outreach', ''],
];

/** Tenants `GET /api/v1/organizations` never lists (docs/upstream/oscar.md §2.5). */
export const internalTenants: ReadonlySet<string> = new Set([
  'cwd',
  'myan',
  'rok',
  'shared',
  'my',
  'tutorials',
  'cifcp',
]);

/** Fresh organization rows in DB (id) order; `created_at` grows with the id. */
export function defaultOrganizations(): Organization[] {
  return table.map(([id, shortName, fullName, address]) => ({
    id,
    shortName,
    fullName,
    country: 'cambodia',
    demo: shortName === 'demo',
    integrated: true,
    createdAt: new Date(Date.UTC(2017, 0, 1) + id * 86_400_000),
    address: {
      province: address.length >= 2 ? address.slice(0, 2) : null,
      district: address.length >= 4 ? address.slice(0, 4) : null,
      commune: address.length >= 6 ? address.slice(0, 6) : null,
    },
  }));
}
