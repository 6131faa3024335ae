import { readFileSync } from 'node:fs';

import { parseCsv } from '@pos/mapping';

import type { CatalogueService } from './core/model.ts';

/** The checked-in copy of the OSCaR service catalogue (docs/upstream/oscar.md §4), so the sim needs nothing outside it. */
export const catalogueFile = new URL('../data/service-catalogue.csv', import.meta.url);

/**
 * Loads the catalogue rows (RFC 4180, parsed by the mapping package's CSV parser: the
 * "Material support for education (uniforms, etc)" name is quoted because of its comma). Names are matched
 * exactly; "Therapeutic interventions"/"Therapeutic training" appear twice (two rows, one uuid each),
 * "Not Specified" and "Other Service" share a uuid.
 */
export function loadCatalogue(file: URL = catalogueFile): CatalogueService[] {
  const [header = [], ...rows] = parseCsv(readFileSync(file, 'utf8'));
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${file.pathname}: no "${name}" column in the header — restore it`);
    return index;
  };
  const [parentType, parentUuid, name, uuid] = [
    column('parent_type'),
    column('parent_uuid'),
    column('service_name'),
    column('service_uuid'),
  ];
  return rows.map((cells, index) => ({
    rowId: index + 1,
    parentType: cells[parentType] ?? '',
    parentUuid: cells[parentUuid] ?? '',
    name: cells[name] ?? '',
    uuid: cells[uuid] ?? '',
  }));
}
