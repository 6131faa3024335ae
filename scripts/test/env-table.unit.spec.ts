import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { renderEnvTable } from '../env-table-lib.ts';

describe('README environment table', () => {
  it('matches the services’ config schemas (regenerate with `pnpm env:table`)', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const embedded = /<!-- env-table:start -->([\s\S]*?)<!-- env-table:end -->/.exec(readme)?.[1]?.trim();
    expect(embedded).toBe(await renderEnvTable());
  });
});
