import { describe, expect, it } from 'vitest';

import { loadCatalogue } from '../src/catalogue.ts';
import { normalizeLocationCode } from '../src/core/location-code.ts';
import { parseNestedForm } from '../src/core/rack-params.ts';
import { castDate, castInteger, humanizeAttribute, isBlank } from '../src/core/rails-params.ts';
import { parseRubyTime } from '../src/core/since-date.parser.ts';
import { encodeUlid, ulidPattern } from '../src/core/ulid.ts';

describe('service catalogue', () => {
  it('loads the 52 catalogue rows, including the quoted name and the duplicates', () => {
    const catalogue = loadCatalogue();
    expect(catalogue).toHaveLength(52);
    expect(catalogue.filter((row) => row.name === 'Therapeutic interventions')).toHaveLength(2);
    expect(catalogue.some((row) => row.name === 'Material support for education (uniforms, etc)')).toBe(true);
  });
});

describe('ULIDs', () => {
  it('encodes 48-bit time and 80 random bits in Crockford base32', () => {
    expect(encodeUlid(0, new Uint8Array(10))).toBe('00000000000000000000000000');
    expect(encodeUlid(2 ** 48 - 1, new Uint8Array(10).fill(255))).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    const ulid = encodeUlid(Date.UTC(2020, 8, 10), Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    expect(ulid).toMatch(ulidPattern);
    // Cross-checked with an independent implementation.
    expect(ulid).toBe('01EHTMZN00041061050R3GG28A');
  });
});

describe('since_date parsing (Ruby Time.parse, UTC)', () => {
  it('accepts what callers send and rejects the rest', () => {
    expect(parseRubyTime('2025-08-02 00:00:00')?.toISOString()).toBe('2025-08-02T00:00:00.000Z');
    expect(parseRubyTime('2025-08-02')?.toISOString()).toBe('2025-08-02T00:00:00.000Z');
    expect(parseRubyTime('2025-08-02T10:30:00.123Z')?.toISOString()).toBe('2025-08-02T10:30:00.123Z');
    expect(parseRubyTime('2025-08-02T10:30:00+07:00')?.toISOString()).toBe('2025-08-02T03:30:00.000Z');
    expect(parseRubyTime('2025/08/02 10:30')?.toISOString()).toBe('2025-08-02T10:30:00.000Z');
    expect(parseRubyTime('20250802')?.toISOString()).toBe('2025-08-02T00:00:00.000Z');
    expect(parseRubyTime('2025-02-30')?.toISOString()).toBe('2025-03-02T00:00:00.000Z');
    for (const bad of ['', 'yesterday', '2025-13-01', '2025-01-32', '02-08-2025 00:00'])
      expect(parseRubyTime(bad)).toBeNull();
  });
});

describe('location codes', () => {
  it('pads by length and names the level', () => {
    expect(normalizeLocationCode('1')).toEqual({ level: 'province', code: '01' });
    expect(normalizeLocationCode('101')).toEqual({ level: 'district', code: '0101' });
    expect(normalizeLocationCode('10101')).toEqual({ level: 'commune', code: '010101' });
    expect(normalizeLocationCode('1070101')).toEqual({ level: 'village', code: '01070101' });
    expect(normalizeLocationCode(' ')).toBeNull();
  });
});

describe('Rails semantics', () => {
  it('blank?, integer and date casts, humanize', () => {
    expect([null, undefined, false, '', '  ', [], {}].every(isBlank)).toBe(true);
    expect([0, true, 'false', [0]].some(isBlank)).toBe(false);
    expect([castInteger(''), castInteger('12abc'), castInteger('abc'), castInteger(7.9)]).toEqual([
      null,
      12,
      0,
      7,
    ]);
    expect([
      castDate('2018/10/01'),
      castDate('01-10-2018'),
      castDate('22012-01-01'),
      castDate('2021-02-29'),
    ]).toEqual(['2018-10-01', '2018-10-01', '22012-01-01', null]);
    expect(humanizeAttribute('client_global_id')).toBe('Client global');
    expect(humanizeAttribute('level_of_risk')).toBe('Level of risk');
  });

  it('decodes nested form bodies', () => {
    expect(
      parseNestedForm(
        'organization[organization_name]=cif&organization[services][][name]=A&organization[services][][name]=B&x[]=1',
      ),
    ).toEqual({
      organization: { organization_name: 'cif', services: [{ name: 'A' }, { name: 'B' }] },
      x: ['1'],
    });
  });
});
