import { describe, expect, it } from 'vitest';

import { hashPassword, isPasswordHash, verifyPassword } from '../src/auth/password-hash.ts';

// A cheap cost for the tests; the default is OWASP's minimum (N=2^15).
const cost = { N: 1024, r: 8, p: 1 };

describe('console password hashes (scrypt)', () => {
  it('verifies the password a hash was made from, and no other', async () => {
    const hash = await hashPassword('correct horse battery', cost);
    expect(isPasswordHash(hash)).toBe(true);
    expect(hash).toMatch(/^scrypt:1024:8:1:/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password', cost)).not.toBe(await hashPassword('same password', cost));
  });

  it('rejects what is not a hash it made', async () => {
    for (const text of [
      '',
      'plain-password',
      'scrypt:1000:8:1:c2FsdHNhbHQ=:aGFzaGhhc2hoYXNoaGFzaA==',
      '$2b$10$abc',
      'scrypt$1024$8$1$c2FsdHNhbHQ=$aGFzaGhhc2hoYXNoaGFzaA==',
    ]) {
      expect(isPasswordHash(text), text).toBe(false);
      expect(await verifyPassword('plain-password', text)).toBe(false);
    }
  });

  it('verifies a hash made with the default cost', async () => {
    const hash = await hashPassword('a longer pass phrase');
    expect(hash).toMatch(/^scrypt:32768:8:1:/);
    expect(await verifyPassword('a longer pass phrase', hash)).toBe(true);
  });
});
