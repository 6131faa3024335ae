import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Runs `pnpm dlq` against a database that is not there: usage errors are found before it is needed. */
function dlq(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' } },
      (error, _stdout, stderr) => {
        resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stderr });
      },
    );
  });
}

describe('pnpm dlq usage errors (exit 2, the flag named, the database never asked)', () => {
  it.each([
    [
      ['replay'],
      'name dead letters by id, or select them (--case, --global, --code, --older-than), or say --all',
    ],
    [['discard', '--reason', 'x'], 'or say --all'],
    [['list', '--older-than', 'yesterday'], '--older-than must look like 30m, 2h or 7d'],
    [['replay', '--newer-than', '2 weeks'], '--newer-than must look like 30m, 2h or 7d'],
    [['list', '--limit', '0'], '--limit must be a whole number above 0'],
    [['show', 'not-an-id'], '"not-an-id" is not a dead-letter id (like primero-writer/12)'],
    [['replay', 'oscar-writer/x'], 'is not a dead-letter id'],
  ])(
    'dlq %j',
    async (args, message) => {
      const { code, stderr } = await dlq(args);
      expect(stderr).toContain(message);
      expect(stderr).not.toContain('ECONNREFUSED');
      expect(code).toBe(2);
    },
    30_000,
  );
});
