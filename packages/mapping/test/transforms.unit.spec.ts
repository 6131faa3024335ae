import { describe, expect, it } from 'vitest';

import {
  agencyIdOf,
  calcAge,
  canonicalJson,
  checkValue,
  cleanDateOfBirth,
  dateToOscar,
  displayName,
  firstSubtype,
  genderToOscar,
  genderToPrimero,
  inboundLocation,
  isIsoDate,
  organizationOf,
  oscarReferralIdOf,
  oscarReferralStatusOf,
  oscarStrings,
  outboundServiceName,
  primeroReferralStatusOf,
  provinceCode,
  referralStateOfOscar,
  referralStateOfPrimero,
  riskLevelToOscar,
  riskLevelToPrimero,
  serviceDateTime,
  serviceStatusToPrimero,
  uuidv5,
} from '../src/index.ts';
import { loadTables } from './builders.ts';

const tables = loadTables();

describe('oscarStrings', () => {
  it.each([
    [null, ''],
    [undefined, ''],
    ['', ''],
    [0, ''],
    ['x', 'x'],
    [7, 7],
  ] as const)('%j → %j', (input, expected) => {
    expect(oscarStrings(input)).toBe(expected);
  });
});

describe('checkValue (outbound location)', () => {
  it.each([
    ['2020202', '02020202'],
    ['140501', '140501'],
    ['1', '01'],
    ['101', '0101'],
    ['10101', '010101'],
    ['12', '12'],
    ['NaN', ''],
    ['', ''],
    [null, ''],
    [1070101, '01070101'],
  ] as const)('%j → %j', (input, expected) => {
    expect(checkValue(input)).toBe(expected);
  });
});

describe('inbound location (leading zeros stripped)', () => {
  it.each([
    ['01070101', '1070101'],
    ['02020202', '2020202'],
    ['120611', '120611'],
    ['', null],
    [null, null],
    ['0000', null],
    ['12a', null],
  ] as const)('%j → %j', (input, expected) => {
    expect(inboundLocation(input)).toBe(expected);
  });
});

describe('provinceCode (owner rule)', () => {
  it.each([
    ['01070101', null, '01', 'location_current_village_code'],
    ['120611', null, '12', 'location_current_village_code'],
    ['0004', null, '04', 'location_current_village_code'],
    ['19020304', '120611', '19', 'location_current_village_code'],
    ['', '120611', '12', 'organization_address_code'],
    [null, '0004', '04', 'organization_address_code'],
    ['1070101', null, '01', 'location_current_village_code'],
  ] as const)('location %j, NGO address %j → %s from %s', (location, address, code, field) => {
    expect(provinceCode(location, address)).toEqual({ code, field });
  });

  it('has no code when both are blank', () => {
    expect(provinceCode('', '')).toBeNull();
    expect(provinceCode(null, undefined)).toBeNull();
  });
});

describe('calcAge', () => {
  const on = (iso: string): Date => new Date(`${iso}T00:00:00.000Z`);
  it.each([
    ['2014-09-08', '2025-08-08', 10, 'birthday still to come'],
    ['2014-08-08', '2025-08-08', 11, 'birthday today'],
    ['2014-07-08', '2025-08-08', 11, 'birthday passed'],
    ['1994-01-01', '2025-08-08', 0, 'd = 31 > 30'],
    ['1995-01-01', '2025-08-08', 30, 'd = 30'],
    ['2025-01-01', '2025-08-08', 0, 'd = 0 < 1'],
    ['2024-12-01', '2025-08-08', 0, 'd = 1, birthday to come → 0'],
    ['2030-01-01', '2025-08-08', 0, 'future'],
    ['', '2025-08-08', 0, 'empty'],
    [null, '2025-08-08', 0, 'unknown'],
    ['22012-01-01', '2025-08-08', 13, '11-character year is cleaned first'],
    ['garbage', '2025-08-08', 0, 'unreadable'],
  ] as const)('%j on %s → %i (%s)', (dob, day, age, _why) => {
    expect(calcAge(dob, on(day))).toBe(age);
  });
});

describe('DOB cleaning', () => {
  it.each([
    ['22012-01-01', '2012-01-01'],
    ['2012-01-01', '2012-01-01'],
    ['2012/01/01', '2012/01/01'],
    ['', null],
  ] as const)('%j → %j', (input, expected) => {
    expect(cleanDateOfBirth(input)).toBe(expected);
  });

  it.each([
    ['2012-01-01', true],
    ['2012-02-30', false],
    ['2012/01/01', false],
    ['12-01-01', false],
    [null, false],
  ] as const)('isIsoDate(%j) → %s', (input, expected) => {
    expect(isIsoDate(input)).toBe(expected);
  });
});

describe('names', () => {
  it.each([
    ['ដូដូ', 'Dodo', 'ដូដូ (Dodo)'],
    ['', 'Dodo', 'Dodo'],
    ['ដូដូ', null, 'ដូដូ'],
    ['', '', null],
    [null, undefined, null],
  ] as const)('local %j + given %j → %j', (local, given, expected) => {
    expect(displayName(local, given)).toBe(expected);
  });
});

describe('gender maps', () => {
  it.each([
    ['Female', 'female'],
    ['female', 'female'],
    ['MALE', 'male'],
    ['lgbt', 'other'],
    ['unknown', 'other'],
    ['prefer_not_to_say', 'other'],
    ['other', 'other'],
    ['something new', 'other'],
    [null, 'other'],
  ] as const)('inbound %j → %s', (input, expected) => {
    expect(genderToPrimero(input, tables)).toBe(expected);
  });

  it.each([
    ['female', 'female'],
    ['male', 'male'],
    ['other', 'other'],
    ['unknown', 'unknown'],
    [null, ''],
  ] as const)('outbound %j → %j (unchanged when not listed)', (input, expected) => {
    expect(genderToOscar(input, tables)).toBe(expected);
  });
});

describe('risk maps', () => {
  it.each([
    ['no_action', 'no action'],
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
  ])('outbound %s → %s', (input, expected) => {
    expect(riskLevelToOscar(input, tables)).toEqual({ ok: true, value: expected });
  });

  it('outbound missing → omitted, unknown → error naming the table', () => {
    expect(riskLevelToOscar(null, tables)).toEqual({ ok: true, value: undefined });
    expect(riskLevelToOscar('critical', tables)).toEqual({
      ok: false,
      detail: 'risk level "critical" is not in config/mappings/risk-levels.csv — add a row for it',
    });
  });

  it.each([
    ['no action', 'no_action'],
    ['high', 'high'],
    ['', 'no_action'],
    [null, 'no_action'],
  ] as const)('inbound %j → %s (fallback no_action)', (input, expected) => {
    expect(riskLevelToPrimero(input, tables, 'no_action')).toEqual({ ok: true, value: expected });
  });

  it('inbound missing on update → omitted', () => {
    expect(riskLevelToPrimero('', tables, undefined)).toEqual({ ok: true, value: undefined });
  });
});

describe('status maps', () => {
  it.each([
    ['Accepted', 'accepted_340953', 'accepted'],
    ['Accetped', 'accepted_340953', 'accepted'],
    ['Active', 'accepted_340953', 'accepted'],
    ['Rejected', 'rejected_936484', 'rejected'],
    ['Exited', 'rejected_936484', 'rejected'],
    ['Referred', undefined, 'pending'],
    ['Weird', undefined, null],
    [null, undefined, null],
  ] as const)('OSCaR %j → service status %j, state %j', (input, status, state) => {
    expect(serviceStatusToPrimero(input, tables)).toBe(status);
    expect(referralStateOfOscar(input, tables)).toBe(state);
  });

  it.each([
    ['accepted_340953', 'accepted', 'Accepted'],
    ['rejected_936484', 'rejected', 'Exited'],
    ['pending_310366', 'in_progress', 'Referred'],
  ])('Primero %s → referral %s, OSCaR %s', (status, referral, oscar) => {
    expect(primeroReferralStatusOf(status, tables)).toBe(referral);
    expect(oscarReferralStatusOf(status, tables)).toBe(oscar);
  });

  it('defaults outbound to Referred for missing or other statuses', () => {
    expect(oscarReferralStatusOf(null, tables)).toBe('Referred');
    expect(oscarReferralStatusOf('done', tables)).toBe('Referred');
  });

  it.each([
    ['pending_310366', 'pending'],
    ['accepted_340953', 'accepted'],
    ['rejected_936484', 'rejected'],
    ['', null],
    [undefined, null],
  ] as const)('canonical state of Primero %j → %j', (input, expected) => {
    expect(referralStateOfPrimero(input)).toBe(expected);
  });
});

describe('services', () => {
  it.each([
    [['counselling_trauma'], 'Trauma counselling', 'mapped'],
    [['counselling_trauma', 'counselling_family'], 'Trauma counselling', 'first subtype only'],
    [[], 'Not Specified', 'empty list'],
    [[''], 'Not Specified', 'blank subtype'],
    [[null], 'Not Specified', 'null subtype'],
    [null, 'Not Specified', 'null'],
    [undefined, 'Not Specified', 'missing key'],
    [['no_such_subtype'], 'Not Specified', 'unmapped'],
    [['other'], 'Other Service', 'other'],
  ] as const)('%j → %s (%s)', (subtypes, name, _why) => {
    expect(outboundServiceName(firstSubtype(subtypes), tables)).toBe(name);
  });
});

describe('small helpers', () => {
  it('agency prefix both ways', () => {
    expect(agencyIdOf('cif')).toBe('agency-cif');
    expect(organizationOf('agency-cif')).toBe('cif');
    expect(organizationOf('cif')).toBeNull();
    expect(organizationOf('agency-')).toBeNull();
  });

  it('dates', () => {
    expect(dateToOscar('2018/10/01')).toBe('2018-10-01');
    expect(dateToOscar(null)).toBe('');
    expect(serviceDateTime('2024-02-01')).toBe('2024-02-01T00:00:00.000Z');
  });

  it.each([
    ['8812', 8812],
    [8812, 8812],
    [' 12 ', 12],
    ['0', null],
    ['-3', null],
    ['12a', null],
    [1.5, null],
    [null, null],
  ] as const)('OSCaR referral id %j → %j', (input, expected) => {
    expect(oscarReferralIdOf(input)).toBe(expected);
  });
});

describe('uuidv5', () => {
  it.each([
    ['python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', '886313e1-3b8a-5372-9b90-0c9aee199e5d'],
    ['www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['', undefined, '79ef8e90-93e0-50e4-a48c-9b5fef47be94'],
    [
      'oscar:01HZX3K8Q2V7RMB5T9C4WJDNEF:referral:2214:1a1accbd-90a9-4c71-a077-2595322744cb:Kinship care',
      undefined,
      'a04a03a8-3cfb-5e88-b228-85bef553951d',
    ],
    ['ដូដូ (Dodo) '.repeat(20), undefined, 'ac47c2a5-2e8c-596f-b13f-a292553bba65'],
  ])('matches RFC 9562 / Python uuid5 for %j', (name, namespace, expected) => {
    expect(uuidv5(name, namespace)).toBe(expected);
  });

  // Ids the earlier hand-written SHA-1 minted and that live on in Primero: the uuid package must keep them.
  it.each([
    [
      'oscar:01EGG9DKEQNRB1G6T2JW1EZVVW',
      '5b0f7c1e-3d0a-5a8e-9c51-6c0e2f1d7a10',
      '4a71a14b-952f-5943-92ec-b0d6d1ba5625',
    ],
    [
      'oscar:01HZX3K8Q2V7RMB5T9C4WJDNEF:program:7:2f0c6b1e-6a3d-4c8e-9b2a-1d4e5f6a7b8c:Family support',
      undefined,
      'e65110eb-b379-5629-8dba-45e301690bce',
    ],
    ['x'.repeat(55), undefined, '841c35bd-7d80-5523-a896-f9ebd55aa627'],
    ['y'.repeat(64), undefined, '1b013e80-1d65-5026-8358-4bb1d8c98c91'],
    ['z'.repeat(119), undefined, '04cbd0b8-18bd-563b-95cd-fbee30cae993'],
  ])('keeps the id the hand-written implementation gave %j', (name, namespace, expected) => {
    expect(uuidv5(name, namespace)).toBe(expected);
  });

  it('refuses a namespace that is not a UUID', () => {
    expect(() => uuidv5('name', 'not-a-uuid')).toThrow(TypeError);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order, drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null, e: undefined } })).toBe(
      '{"a":{"c":null,"d":[2,1]},"b":1}',
    );
  });

  it('gives the same text for the same content in any key order', () => {
    expect(canonicalJson({ x: 1, y: { p: 'a', q: 'b' } })).toBe(
      canonicalJson({ y: { q: 'b', p: 'a' }, x: 1 }),
    );
  });
});
