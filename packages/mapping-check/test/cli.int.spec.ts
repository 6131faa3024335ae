import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildOscarSim } from '@pos/sim-oscar';
import { buildPrimeroSim } from '@pos/sim-primero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `pnpm mapping:check` as an administrator runs it: a report on stdout and an exit code that says what to do. */
const cli = join(import.meta.dirname, '../src/cli.ts');
const seedDir = join(import.meta.dirname, '../../../config/mappings');
const primeroSim = buildPrimeroSim();
const { app: oscarSim } = buildOscarSim();
let env: NodeJS.ProcessEnv;
const folders: string[] = [];

beforeAll(async () => {
  const primeroUrl = await primeroSim.listen({ host: '127.0.0.1', port: 0 });
  const oscarUrl = await oscarSim.listen({ host: '127.0.0.1', port: 0 });
  env = {
    PATH: process.env.PATH,
    PRIMERO_BASE_URL: primeroUrl,
    PRIMERO_USER: 'primero-sync',
    PRIMERO_PASSWORD: 'primero-sync-password',
    PRIMERO_AUTH: 'basic',
    OSCAR_BASE_URL: oscarUrl,
    OSCAR_EMAIL: 'sync@oscar.test',
    OSCAR_PASSWORD: 'oscar-sync-password',
  };
});
afterAll(async () => {
  await primeroSim.close();
  await oscarSim.close();
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

/** A copy of the seed tables, with `extra` appended to one file. */
async function mappingsWith(file?: string, extra?: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mapping-check-'));
  folders.push(folder);
  await cp(seedDir, folder, { recursive: true });
  if (file !== undefined && extra !== undefined) {
    const path = join(folder, file);
    await writeFile(path, `${(await readFile(path, 'utf8')).trimEnd()}\n${extra}\n`);
  }
  return folder;
}

function run(args: string[], extraEnv: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...env, ...extraEnv } }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1,
        stdout,
        stderr,
      });
    });
  });
}

describe('pnpm mapping:check', () => {
  it('exits 0 with a readable report when the seed tables find everything', async () => {
    const { code, stdout, stderr } = await run([], { MAPPINGS_DIR: await mappingsWith() });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Mapping tables 2026-11-29\.1 against Primero and OSCaR \(checked /);
    expect(stdout).toContain('provinces.csv — 25 rows\n  every row found\n');
    expect(stdout).toContain('Result: OK');
  });

  it('exits 1 and names the row when a table names a province Primero lacks', async () => {
    const folder = await mappingsWith('provinces.csv', '26,Atlantis,mgratl,');
    const { code, stdout } = await run([], { MAPPINGS_DIR: folder });
    expect(code).toBe(1);
    expect(stdout).toContain(
      `  row 27  26\n    MISSING      code "26" is not in Primero's province locations: records that need this row will fail\n`,
    );
    expect(stdout).toContain('Summary: 1 missing');

    const json = await run(['--json'], { MAPPINGS_DIR: folder });
    expect(json.code).toBe(1);
    const result = JSON.parse(json.stdout) as { counts: { missing: number }; ok: boolean };
    expect(result).toMatchObject({ ok: false, counts: { missing: 1 } });
  });

  it('exits 2 when a system cannot be read and nothing else is missing', async () => {
    const { code, stdout } = await run([], {
      MAPPINGS_DIR: await mappingsWith(),
      OSCAR_BASE_URL: 'http://127.0.0.1:1',
    });
    expect(code).toBe(2);
    expect(stdout).toContain('oscar-organizations: NETWORK');
    expect(stdout).toContain('Result: INCOMPLETE');
  });

  it('exits 2 with the file and row when a table is invalid', async () => {
    const folder = await mappingsWith('agencies.csv', 'cif,agency-cif,agency-cif-user');
    const { code, stdout, stderr } = await run([], { MAPPINGS_DIR: folder });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^mapping:check: .*agencies\.csv.*26/);
  });
});
