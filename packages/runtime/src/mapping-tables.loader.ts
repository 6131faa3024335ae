import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { mappingFileNames, type MappingTables, parseMappingManifest, parseMappingTables } from '@pos/mapping';

import { resolveFromRepository } from './service-env.ts';

/**
 * Reads the versioned mapping tables (`manifest.json` + the CSV files) from a folder and validates them.
 * Fails fast at start-up with a MappingConfigError that names the file and the row.
 */
export async function loadMappingTables(dir: string): Promise<MappingTables> {
  const folder = resolveFromRepository(dir);
  const manifest = parseMappingManifest(
    JSON.parse(await readFile(join(folder, 'manifest.json'), 'utf8')) as unknown,
  );
  const files: Record<string, string> = {};
  for (const name of mappingFileNames) files[name] = await readFile(join(folder, name), 'utf8');
  return parseMappingTables(files, manifest.version);
}
