import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { mappingFileNames, type MappingTables, parseMappingManifest, parseMappingTables } from '@pos/mapping';

/** The repository's `config/mappings` folder. */
export const defaultMappingsDir = new URL('../../../config/mappings/', import.meta.url).pathname;

/** The mapping tables the services load (manifest + CSV files), for the legacy job's maps and the NGO list. */
export function loadMappingTablesSync(dir: string = defaultMappingsDir): MappingTables {
  const manifest = parseMappingManifest(
    JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as unknown,
  );
  const files = Object.fromEntries(
    mappingFileNames.map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );
  return parseMappingTables(files, manifest.version);
}
