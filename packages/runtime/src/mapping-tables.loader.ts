import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  MappingConfigError,
  mappingFileNames,
  type MappingTables,
  parseMappingManifest,
  parseMappingTables,
} from '@pos/mapping';

import type { Logger } from './logger.ts';
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

/**
 * Start-up helper: the tables, or — when a table is invalid — one fatal log line naming the file and the row,
 * then exit 78 (configuration error), so an administrator sees what to fix instead of a stack trace.
 */
export async function loadMappingTablesOrExit(dir: string, logger: Logger): Promise<MappingTables> {
  try {
    return await loadMappingTables(dir);
  } catch (error) {
    const missingFile = error instanceof Error && 'code' in error && error.code === 'ENOENT';
    if (!(error instanceof MappingConfigError) && !missingFile) throw error;
    logger.fatal({ reason: (error as Error).message }, 'mapping tables are invalid');
    process.exit(78);
  }
}
