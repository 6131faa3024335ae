import { readFileSync } from 'node:fs';

import { parseCsvRecords } from './core/csv.parser.ts';
import type { CatalogueService } from './core/model.ts';

/** The checked-in copy of the OSCaR service catalogue (docs/upstream/oscar.md §4), so the sim needs nothing outside it. */
export const catalogueFile = new URL('../data/service-catalogue.csv', import.meta.url);

/**
 * Loads the catalogue rows. Names are matched exactly; "Therapeutic interventions"/"Therapeutic training" appear
 * twice (two rows, one uuid each), "Not Specified" and "Other Service" share a uuid.
 */
export function loadCatalogue(file: URL = catalogueFile): CatalogueService[] {
  return parseCsvRecords(readFileSync(file, 'utf8')).map((row, index) => ({
    rowId: index + 1,
    parentType: row.parent_type ?? '',
    parentUuid: row.parent_uuid ?? '',
    name: row.service_name ?? '',
    uuid: row.service_uuid ?? '',
  }));
}
