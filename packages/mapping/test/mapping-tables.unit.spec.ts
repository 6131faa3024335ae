import { describe, expect, it } from 'vitest';

import {
  CsvSyntaxError,
  MappingConfigError,
  parseCsv,
  parseMappingManifest,
  parseMappingTables,
} from '../src/index.ts';
import { loadTables, readMappingFiles } from './builders.ts';

describe('parseCsv (RFC 4180)', () => {
  it.each([
    [
      'plain rows with LF',
      'a,b\nc,d\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'CRLF and no final newline',
      'a,b\r\nc,d',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    [
      'quoted field with a comma',
      'a,b\n"x, y",z\n',
      [
        ['a', 'b'],
        ['x, y', 'z'],
      ],
    ],
    ['doubled quotes', 'a\n"say ""hi"""\n', [['a'], ['say "hi"']]],
    [
      'a line break inside quotes',
      'a,b\n"1\n2",3\n',
      [
        ['a', 'b'],
        ['1\n2', '3'],
      ],
    ],
    [
      'empty fields',
      'a,b,c\n,,\n',
      [
        ['a', 'b', 'c'],
        ['', '', ''],
      ],
    ],
    ['UTF-8 text and a BOM', '\uFEFFname\nដូដូ\n', [['name'], ['ដូដូ']]],
  ])('%s', (_name, input, expected) => {
    expect(parseCsv(input)).toEqual(expected);
  });

  it.each([
    ['a blank line', 'a\nb\n\nc\n', 3, /blank line/],
    ['an unterminated quote', 'a\n"b\n', 2, /not closed/],
    ['a quote inside an unquoted field', 'a\nb"c\n', 2, /quote inside an unquoted field/],
    ['text after a closing quote', 'a\n"b"c\n', 2, /after a closing quote/],
    ['a lone carriage return', 'a\rb\n', 1, /carriage return/],
    ['invalid UTF-8 (replacement character)', 'a\nb\uFFFD\n', 2, /not valid UTF-8/],
  ])('rejects %s with its row', (_name, input, row, message) => {
    const error = (() => {
      try {
        parseCsv(input);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).row).toBe(row);
    expect((error as CsvSyntaxError).message).toMatch(message);
  });
});

describe('parseMappingTables with config/mappings', () => {
  const tables = loadTables();

  it('loads every table with the documented row counts', () => {
    expect(tables.version).toBe('2026-11-29.1');
    expect(tables.servicesOutbound.size).toBe(51);
    expect(tables.servicesInbound.size).toBe(48);
    expect(tables.serviceCatalogue).toHaveLength(52);
    expect(tables.referralStatus.oscarToPrimeroService.size).toBe(6);
    expect(tables.referralStatus.primeroServiceToPrimeroReferral.size).toBe(3);
    expect(tables.referralStatus.primeroToOscar.size).toBe(3);
    expect(tables.provinces.size).toBe(25);
    expect(tables.agencies.size).toBe(24);
    expect(tables.riskLevels.primeroToOscar.size).toBe(4);
    expect(tables.genders.oscarToPrimero.size).toBe(6);
    expect(tables.genders.primeroToOscar.size).toBe(3);
  });

  it('keeps quoted names with commas and typos byte-exact', () => {
    expect(tables.servicesOutbound.get('training_education_material_support')).toBe(
      'Material support for education (uniforms, etc)',
    );
    expect(tables.servicesOutbound.get('disability_support_respite-care')).toBe('Disability respite care');
    expect(tables.servicesInbound.get('Prison visitation support')).toEqual({
      primeroServiceType: 'legal_support',
      primeroSubtype: 'legal_support_prision_visitation',
    });
  });

  it('has the corrected Stung Treng row and keeps 22 for Oddar Meanchey', () => {
    expect(tables.provinces.get('19')).toEqual({ province: 'Stung Treng', primeroUser: 'mgrstg' });
    expect(tables.provinces.get('22')?.primeroUser).toBe('mgromc');
  });

  it('reads the empty "to" of Referred as "leave unchanged"', () => {
    expect(tables.referralStatus.oscarToPrimeroService.get('Referred')).toBeNull();
    expect(tables.referralStatus.oscarToPrimeroService.get('Accetped')).toBe('accepted_340953');
  });

  it('ignores files that are not mapping tables', () => {
    expect(() =>
      parseMappingTables({ ...readMappingFiles(), 'README.txt': 'x' }, '2026-11-29.1'),
    ).not.toThrow();
  });
});

describe('parseMappingTables errors name the file, the row and the fix', () => {
  const files = readMappingFiles();
  const edit = (file: string, change: (text: string) => string): Record<string, string> => ({
    ...files,
    [file]: change(files[file] ?? ''),
  });

  it.each([
    [
      'a duplicate province code',
      edit('provinces.csv', (t) => `${t}19,Stung Treng,mgrstg2,\n`),
      'config/mappings/provinces.csv row 27: duplicate code "19" (first defined in row 20)',
    ],
    [
      'a province code that is not two digits',
      edit('provinces.csv', (t) => t.replace('01,Banteay', '1,Banteay')),
      'config/mappings/provinces.csv row 2: code "1" must be a two-digit province code',
    ],
    [
      'a wrong header',
      edit('agencies.csv', (t) => t.replace('oscar_organization', 'organization')),
      'config/mappings/agencies.csv row 1: header is "organization,primero_agency_id,primero_user"',
    ],
    [
      'a row with too many fields (unquoted comma)',
      edit(
        'services-inbound.csv',
        (t) => `${t}School, support,training_education,training_education_school_support\n`,
      ),
      'config/mappings/services-inbound.csv row 50: has 4 fields, expected 3',
    ],
    [
      'a duplicate inbound service name',
      edit('services-inbound.csv', (t) => `${t}Kinship care,family_based_care,family_based_care_kinship\n`),
      'config/mappings/services-inbound.csv row 50: duplicate oscar_service_name "Kinship care" (first defined in row 6)',
    ],
    [
      'an outbound name OSCaR does not know',
      edit('services-outbound.csv', (t) =>
        t.replace('counselling_trauma,Trauma counselling', 'counselling_trauma,Trauma Counselling'),
      ),
      'config/mappings/services-outbound.csv row 16: oscar_service_name "Trauma Counselling" is not in oscar-service-catalogue.csv',
    ],
    [
      'a duplicate outbound subtype',
      edit('services-outbound.csv', (t) => `${t}other,Not Specified\n`),
      'config/mappings/services-outbound.csv row 53: duplicate primero_subtype "other" (first defined in row 52)',
    ],
    [
      'an agency id that breaks the pattern',
      edit('agencies.csv', (t) => t.replace('cif,agency-cif,', 'cif,agency-cfi,')),
      'config/mappings/agencies.csv row 14: primero_agency_id "agency-cfi" must be "agency-cif"',
    ],
    [
      'an empty user',
      edit('agencies.csv', (t) => `${t}new,agency-new,\n`),
      'config/mappings/agencies.csv row 26: primero_user is empty',
    ],
    [
      'an unknown status direction',
      edit('referral-status.csv', (t) => `${t}sideways,Accepted,accepted\n`),
      'config/mappings/referral-status.csv row 14: direction "sideways" is unknown',
    ],
    [
      'an OSCaR status OSCaR would refuse',
      edit('referral-status.csv', (t) =>
        t.replace('primero_to_oscar,rejected_936484,Exited', 'primero_to_oscar,rejected_936484,Rejected'),
      ),
      'config/mappings/referral-status.csv row 12: to "Rejected" is not valid for primero_to_oscar',
    ],
    [
      'a duplicate OSCaR risk level',
      edit('risk-levels.csv', (t) => `${t}none,no action\n`),
      'config/mappings/risk-levels.csv row 6: duplicate oscar_level_of_risk "no action" (first defined in row 5)',
    ],
    [
      'an upper-case inbound gender key',
      edit('genders.csv', (t) => `${t}oscar_to_primero,Female,female\n`),
      'config/mappings/genders.csv row 11: from "Female" must be lower case',
    ],
    [
      'a catalogue uuid in upper case',
      edit('oscar-service-catalogue.csv', (t) => t.replace('042ffb1c-51de', '042FFB1C-51DE')),
      'config/mappings/oscar-service-catalogue.csv row 2: service_uuid "042FFB1C-51DE-404b-b69b-fdb9e15c9d36" must be a lower-case UUID',
    ],
    [
      'a value with trailing spaces',
      edit('provinces.csv', (t) => t.replace('mgrbtb,', 'mgrbtb ,')),
      'config/mappings/provinces.csv row 3: primero_user "mgrbtb " has leading or trailing spaces',
    ],
    [
      'a malformed quoted field',
      edit('risk-levels.csv', (t) => `${t}"low,low\n`),
      'config/mappings/risk-levels.csv row 6: a quoted field is not closed',
    ],
    [
      'a missing file',
      Object.fromEntries(Object.entries(files).filter(([name]) => name !== 'genders.csv')),
      'config/mappings/genders.csv: file is missing',
    ],
  ])('%s', (_name, input, message) => {
    const run = (): unknown => parseMappingTables(input, '2026-11-29.1');
    expect(run).toThrow(MappingConfigError);
    expect(run).toThrow(message);
  });

  it('carries file and row on the error', () => {
    try {
      parseMappingTables(
        edit('provinces.csv', (t) => `${t}19,Stung Treng,mgrstg2,\n`),
        'v',
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ name: 'MappingConfigError', file: 'provinces.csv', row: 27 });
    }
  });
});

describe('parseMappingManifest', () => {
  it('accepts the shipped manifest shape', () => {
    const manifest = {
      version: '2026-11-29.1',
      files: [...Object.keys(readMappingFiles())],
    };
    expect(parseMappingManifest(manifest).version).toBe('2026-11-29.1');
  });

  it.each([
    [{ version: 'latest', files: [] }, /version: must look like "2026-11-29.1"/],
    [{ version: '2026-11-29.1', files: ['provinces.csv'] }, /files must list services-outbound.csv/],
    [{ version: '2026-11-29.1', files: ['nope.csv'] }, /manifest.json: files.0/],
  ])('rejects %j', (manifest, message) => {
    expect(() => parseMappingManifest(manifest)).toThrow(message);
  });
});
