import { describe, expect, it } from 'vitest';

import { duplicateClientError, duplicateSourceId, sourceConflict } from '../src/core/client-source.policy.ts';

const globalId = '01HZX3K8Q2V7RMB5T9C4WJDNEF';
const cif = { globalId, organization: 'cif', slug: 'qvmx-1787' };
const mho = { globalId, organization: 'mho', slug: 'bja-1022' };

describe('client sources', () => {
  it('follows the first NGO client with a global_id, and keeps following it', () => {
    expect(sourceConflict(new Map(), mho)).toBeNull();
    expect(sourceConflict(new Map([[globalId, cif]]), { ...cif, slug: 'qvmx-1788' })).toBeNull();
  });

  it('refuses another NGO’s client with that global_id, under an id of its own', () => {
    expect(sourceConflict(new Map([[globalId, cif]]), mho)).toBe(cif);
    expect(duplicateSourceId(mho)).toBe(`${globalId}@mho`);
    const error = duplicateClientError(mho, cif);
    expect(error).toMatchObject({ code: 'IDENTITY_CONFLICT', recordId: globalId, field: 'global_id' });
    expect(error.message).toContain('"mho"');
    expect(error.message).toContain('"cif"');
  });

  it('names an organisation that is not a code by its length only', () => {
    const error = duplicateClientError({ ...mho, organization: 'Children of Sokha' }, cif);
    expect(error.message).not.toContain('Sokha');
  });
});
