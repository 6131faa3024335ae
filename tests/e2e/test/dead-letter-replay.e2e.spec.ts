import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, describe, expect, it } from 'vitest';

import { asRecord, primeroCasesByOscarNumber } from '../src/scenario.ts';
import { adminToken, useSystem } from '../src/system.ts';

// The operator's repair loop, end to end: an OSCaR client in a province the mapping table lacks is
// dead-lettered; the administrator adds the province, restarts the writer and runs `pnpm dlq replay`; the
// case appears in Primero with the province's owner; a second replay changes nothing.

const root = new URL('../../../', import.meta.url).pathname;
const mappings = mkdtempSync(join(tmpdir(), 'pos-mappings-'));
cpSync(join(root, 'config/mappings'), mappings, { recursive: true });
const provinces = readFileSync(join(mappings, 'provinces.csv'), 'utf8');
writeFileSync(
  join(mappings, 'provinces.csv'),
  provinces
    .split('\n')
    .filter((line) => !line.startsWith('12,'))
    .join('\n'),
);
const key = randomBytes(32).toString('base64');

function dlq(args: string[], databaseUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'packages/dlq/src/cli.ts'), ...args],
      {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: databaseUrl,
          DEAD_LETTER_KEY: key,
          DLQ_ACTOR: 'admin-test',
        },
      },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('dead-letter replay: unknown province, table extended, pnpm dlq replay', () => {
  const system = useSystem({ label: 'e2e_dlq', env: { MAPPINGS_DIR: mappings, DEAD_LETTER_KEY: key } });
  afterAll(() => rmSync(mappings, { recursive: true, force: true }));

  it('dead-letters the client, then replays it into Primero with the province owner, once', async () => {
    const created = await system.oscarControl('POST', '/_control/clients', {
      organization: 'cif',
      given_name: 'Dara',
      family_name: 'Replay',
      gender: 'male',
      date_of_birth: '2012-02-02',
      location_code: '12010203',
      case_worker: { name: 'Dara Kim', mobile: '012345678' },
      refer_to_mosvy: { services: ['Trauma counselling'], reason: 'needs care', level_of_risk: 'medium' },
    });
    expect(created.status).toBe(201);
    const globalId = String(asRecord(created.body).global_id);

    let listed: Array<Record<string, unknown>> = [];
    await system.converge(async () => {
      const out = await dlq(['list', '--global', globalId, '--json'], system.databaseUrl);
      listed = out.code === 0 ? (JSON.parse(out.stdout) as Array<Record<string, unknown>>) : [];
      return listed.length > 0;
    });
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      code: 'UNKNOWN_PROVINCE',
      service: 'primero-writer',
      replayable: true,
    });
    expect(String(listed[0]?.reason)).toContain('provinces.csv');
    expect(String(listed[0]?.reason)).not.toContain('Dara');
    expect(await primeroCasesByOscarNumber(system, globalId)).toHaveLength(0);

    const shown = await dlq(['show', String(listed[0]?.ref)], system.databaseUrl);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('UNKNOWN_PROVINCE');
    expect(shown.stdout).not.toContain('Dara');

    // The writer's admin API shows the same dead letter, with the same library — and nothing without the token.
    const api = (path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) => {
      const token = init.token === undefined ? adminToken : init.token;
      return fetch(`${system.services.get('primero-writer')?.baseUrl ?? ''}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
    };
    const overApi = await api(`/admin/dead-letters?global=${globalId}`);
    expect(overApi.status).toBe(200);
    expect(await overApi.json()).toMatchObject({
      count: 1,
      deadLetters: [{ ref: listed[0]?.ref, code: 'UNKNOWN_PROVINCE', replayable: true }],
    });
    const refused = await api('/admin/dead-letters/replay', {
      method: 'POST',
      body: { global: globalId },
      token: null,
    });
    expect(refused.status).toBe(401);

    // The administrator adds the province and restarts the writer (it loads the tables at start).
    writeFileSync(join(mappings, 'provinces.csv'), provinces);
    await system.kill('primero-writer');
    await system.startService('primero-writer');
    const apiDry = await api('/admin/dead-letters/replay', {
      method: 'POST',
      body: { global: globalId, dryRun: true, actor: 'admin-test' },
    });
    expect(await apiDry.json()).toMatchObject({
      dryRun: true,
      count: 1,
      outcomes: [{ outcome: 'would-queue' }],
    });

    const dry = await dlq(['replay', '--global', globalId, '--dry-run'], system.databaseUrl);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would-queue');
    const replayed = await dlq(['replay', '--global', globalId], system.databaseUrl);
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain('queued');

    await system.converge(async () => (await primeroCasesByOscarNumber(system, globalId)).length === 1);
    const [primeroCase] = await primeroCasesByOscarNumber(system, globalId);
    expect(primeroCase?.owned_by).toBe('mgrpnh');

    // Replaying again: nothing is open, nothing is sent.
    await system.settle();
    const writes = (await system.writes()).primero;
    const again = await dlq(['replay', '--global', globalId], system.databaseUrl);
    expect(again.code).toBe(3);
    const againOverApi = await api('/admin/dead-letters/replay', {
      method: 'POST',
      body: { global: globalId },
    });
    expect(await againOverApi.json()).toMatchObject({ count: 0, outcomes: [] });
    await sleep(1_500);
    await system.settle();
    expect((await system.writes()).primero).toBe(writes);
    expect(await primeroCasesByOscarNumber(system, globalId)).toHaveLength(1);

    // Usage errors and a replay of everything without --all are refused.
    expect((await dlq(['replay'], system.databaseUrl)).code).toBe(2);
    expect((await dlq(['show', 'not-an-id'], system.databaseUrl)).code).toBe(2);
  });
});
