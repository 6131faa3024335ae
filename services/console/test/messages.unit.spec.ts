import { describe, expect, it } from 'vitest';

import { catalogue, en, km, languages, plainReasonKey, translator } from '../src/core/messages.ts';

/** Labels that are the same in both languages: product names and codes. */
const sameInBoth = new Set<string>([]);

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogue', () => {
  it('has every key in every language, none empty, none left in English in the Khmer catalogue', () => {
    for (const language of languages) {
      const messages = catalogue[language] as Record<string, unknown>;
      for (const key of Object.keys(en)) {
        expect(typeof messages[key], `${language}: ${key}`).toBe('string');
        expect(String(messages[key]).trim(), `${language}: ${key}`).not.toBe('');
      }
      expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
    }
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      if (sameInBoth.has(key)) continue;
      expect(km[key], `km: ${key} is still the English text`).not.toBe(en[key]);
      // Khmer text has Khmer letters (U+1780–U+17FF).
      expect(km[key], `km: ${key}`).toMatch(/[\u1780-\u17ff]/);
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(km[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('en');
    expect(t('auth.signedInAs', { user: 'admin' })).toBe('Signed in as admin');
    expect(t('auth.signedInAs')).toBe('Signed in as {user}');
    expect(translator('km')('auth.signedInAs', { user: 'admin' })).toBe('បានចូលជា admin');
  });

  it('explains every mapping error code in plain words, and others generically', () => {
    for (const code of [
      'UNKNOWN_PROVINCE',
      'UNKNOWN_ORGANIZATION',
      'UNKNOWN_RISK_LEVEL',
      'MISSING_KEY',
      'INVALID_RECORD',
      'IDENTITY_CONFLICT',
      'LINKED_CASE_NOT_FOUND',
    ]) {
      expect(plainReasonKey(code)).toBe(`code.${code}`);
    }
    expect(plainReasonKey('SOMETHING_NEW')).toBe('code.other');
    expect(plainReasonKey('toString')).toBe('code.other');
  });
});
