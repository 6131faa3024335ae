import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { deadLetterCodes } from './dead-letter-codes.ts';

/**
 * The administrator's guide answers every dead letter: each code the code can dead-letter with has an entry
 * (a heading naming it) in docs/operations.md's "What each error code means", and that section documents no
 * code that no longer exists.
 */
const guide = readFileSync(fileURLToPath(new URL('../../docs/operations.md', import.meta.url)), 'utf8');

/** The codes the headings of the error-code section name (`#### \`UNKNOWN_PROVINCE\``). */
function documentedCodes(): Set<string> {
  const start = guide.indexOf('## What each error code means');
  const end = guide.indexOf('\n## ', start + 1);
  const section = guide.slice(start, end === -1 ? undefined : end);
  const codes = new Set<string>();
  for (const line of section.split('\n')) {
    if (!/^#{3,4} /.test(line)) continue;
    for (const [, code] of line.matchAll(/`([A-Z][A-Z0-9_]+)`/g)) if (code) codes.add(code);
  }
  return codes;
}

describe('docs/operations.md', () => {
  const found = deadLetterCodes();

  it('finds the codes where the code decides them (the extraction itself works)', () => {
    const codes = found.map((f) => f.code);
    // One of each source: the mapping core's union, the upstream clients' union, the contracts' reasons, the
    // consumer's own codes, a service's PermanentError.
    for (const code of ['UNKNOWN_PROVINCE', 'SERVER_ERROR', 'UNKNOWN_ROUTE', 'POISON', 'CASE_ID_TAKEN']) {
      expect(codes).toContain(code);
    }
    expect(codes.length).toBeGreaterThan(25);
  });

  it('has an entry for every error code the system can dead-letter', () => {
    expect(guide).toContain('## What each error code means');
    const documented = documentedCodes();
    const missing = found.filter((f) => !documented.has(f.code)).map((f) => `${f.code} (${f.where})`);
    expect(missing, 'add a "#### `CODE`" entry to docs/operations.md for each').toEqual([]);
  });

  it('documents no code the system no longer has', () => {
    const codes = new Set(found.map((f) => f.code));
    expect([...documentedCodes()].filter((code) => !codes.has(code))).toEqual([]);
  });
});
