import { z } from 'zod';

import { CsvSyntaxError, parseCsv } from './csv.parser.ts';
import { MappingConfigError } from './mapping-errors.ts';
import { primeroOption } from './primero-options.ts';

/** The eight lookup tables, as file names inside `config/mappings/`. Services read these and pass the text in. */
export const mappingFileNames = [
  'services-outbound.csv',
  'services-inbound.csv',
  'oscar-service-catalogue.csv',
  'referral-status.csv',
  'provinces.csv',
  'agencies.csv',
  'risk-levels.csv',
  'genders.csv',
] as const;
export type MappingFileName = (typeof mappingFileNames)[number];

/** `config/mappings/manifest.json`: the version of the table set, and its files. */
export const MappingManifest = z
  .object({
    version: z
      .string()
      .regex(
        /^\d{4}-\d{2}-\d{2}\.\d+$/,
        'must look like "2026-11-29.1" (date of the change, then a counter)',
      ),
    files: z.array(z.enum(mappingFileNames)),
  })
  .strict();
export type MappingManifest = z.infer<typeof MappingManifest>;

/** Primero `service_type` + `service_subtype` for one OSCaR service name (`services-inbound.csv`). */
export interface InboundService {
  readonly primeroServiceType: string;
  readonly primeroSubtype: string;
}

/** One child service of OSCaR's catalogue (`oscar-service-catalogue.csv`). */
export interface CatalogueService {
  readonly parentType: string;
  readonly parentUuid: string;
  readonly serviceName: string;
  readonly serviceUuid: string;
}

/** Primero user who owns referred cases of one province (`provinces.csv`). */
export interface ProvinceOwner {
  readonly province: string;
  readonly primeroUser: string;
}

/** Primero agency and its generic user for one OSCaR organisation (`agencies.csv`). */
export interface AgencyOwner {
  readonly primeroAgencyId: string;
  readonly primeroUser: string;
}

/**
 * The parsed, validated lookup tables of one mapping version. Keys are byte-exact (service names keep
 * OSCaR's typos); maps are read-only.
 */
export interface MappingTables {
  readonly version: string;
  /** Primero `service_subtype[0]` → OSCaR service name. */
  readonly servicesOutbound: ReadonlyMap<string, string>;
  /** OSCaR service name → Primero service type and subtype. */
  readonly servicesInbound: ReadonlyMap<string, InboundService>;
  readonly serviceCatalogue: readonly CatalogueService[];
  readonly referralStatus: {
    /** OSCaR `referral_status` → Primero `referral_status_edf41f2`; null = leave Primero unchanged. */
    readonly oscarToPrimeroService: ReadonlyMap<string, string | null>;
    /** Primero `referral_status_edf41f2` → Primero referral record `status`. */
    readonly primeroServiceToPrimeroReferral: ReadonlyMap<string, string>;
    /** Primero `referral_status_edf41f2` → OSCaR `referral_status`. */
    readonly primeroToOscar: ReadonlyMap<string, string>;
  };
  /** Two-digit province code → owner of referred cases. */
  readonly provinces: ReadonlyMap<string, ProvinceOwner>;
  /** OSCaR organisation short name (`cif`) → Primero agency and user. */
  readonly agencies: ReadonlyMap<string, AgencyOwner>;
  readonly riskLevels: {
    readonly primeroToOscar: ReadonlyMap<string, string>;
    readonly oscarToPrimero: ReadonlyMap<string, string>;
  };
  readonly genders: {
    /** Lower-cased OSCaR gender → Primero sex. */
    readonly oscarToPrimero: ReadonlyMap<string, string>;
    readonly primeroToOscar: ReadonlyMap<string, string>;
  };
}

interface Row {
  /** 1-based, the header is row 1. */
  readonly row: number;
  readonly get: (column: string) => string;
}

const headers: Record<MappingFileName, readonly string[]> = {
  'services-outbound.csv': ['primero_subtype', 'oscar_service_name'],
  'services-inbound.csv': ['oscar_service_name', 'primero_service_type', 'primero_service_subtype'],
  'oscar-service-catalogue.csv': ['parent_type', 'parent_uuid', 'service_name', 'service_uuid'],
  'referral-status.csv': ['direction', 'from', 'to'],
  'provinces.csv': ['code', 'province', 'primero_user', 'note'],
  'agencies.csv': ['oscar_organization', 'primero_agency_id', 'primero_user'],
  'risk-levels.csv': ['primero_risk_level', 'oscar_level_of_risk'],
  'genders.csv': ['direction', 'from', 'to'],
};

const optionId = /^[a-z0-9_-]+$/;
const lowerUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function readRows(file: MappingFileName, text: string | undefined): Row[] {
  if (text === undefined) {
    throw new MappingConfigError(file, null, 'file is missing — every file of the manifest must be present');
  }
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new MappingConfigError(file, error.row, error.message);
    throw error;
  }
  const expected = headers[file];
  const header = records[0];
  if (header === undefined) throw new MappingConfigError(file, null, 'file is empty — it needs a header row');
  if (header.join(',') !== expected.join(',')) {
    throw new MappingConfigError(
      file,
      1,
      `header is "${header.join(',')}" — it must be exactly "${expected.join(',')}"`,
    );
  }
  return records.slice(1).map((fields, index) => {
    const row = index + 2;
    if (fields.length !== expected.length) {
      throw new MappingConfigError(
        file,
        row,
        `has ${fields.length} fields, expected ${expected.length} (${expected.join(',')}) — quote values that contain commas`,
      );
    }
    return {
      row,
      get: (column: string): string => {
        const at = expected.indexOf(column);
        return fields[at] ?? '';
      },
    };
  });
}

function required(file: MappingFileName, row: Row, column: string, pattern?: RegExp, hint?: string): string {
  const value = row.get(column);
  if (value.trim() === '') throw new MappingConfigError(file, row.row, `${column} is empty — fill it in`);
  if (value !== value.trim()) {
    throw new MappingConfigError(
      file,
      row.row,
      `${column} "${value}" has leading or trailing spaces — remove them`,
    );
  }
  if (pattern !== undefined && !pattern.test(value)) {
    throw new MappingConfigError(
      file,
      row.row,
      `${column} "${value}" ${hint ?? `must match ${String(pattern)}`}`,
    );
  }
  return value;
}

/** Adds `key` once; a second row with the same key is a configuration error naming both rows. */
function addUnique<V>(
  file: MappingFileName,
  map: Map<string, { value: V; row: number }>,
  key: string,
  what: string,
  row: Row,
  value: V,
): void {
  const first = map.get(key);
  if (first !== undefined) {
    throw new MappingConfigError(
      file,
      row.row,
      `duplicate ${what} (first defined in row ${first.row}) — keep only one of the two rows`,
    );
  }
  map.set(key, { value, row: row.row });
}

function values<V>(map: Map<string, { value: V; row: number }>): Map<string, V> {
  return new Map([...map].map(([key, entry]) => [key, entry.value]));
}

function parseCatalogue(text: string | undefined): CatalogueService[] {
  const file = 'oscar-service-catalogue.csv';
  const seen = new Map<string, { value: true; row: number }>();
  return readRows(file, text).map((row) => {
    const entry: CatalogueService = {
      parentType: required(file, row, 'parent_type'),
      parentUuid: required(file, row, 'parent_uuid', lowerUuid, 'must be a lower-case UUID'),
      serviceName: required(file, row, 'service_name'),
      serviceUuid: required(file, row, 'service_uuid', lowerUuid, 'must be a lower-case UUID'),
    };
    addUnique(
      file,
      seen,
      `${entry.parentType}\u0000${entry.serviceName}`,
      `service "${entry.serviceName}" under "${entry.parentType}"`,
      row,
      true,
    );
    return entry;
  });
}

function parseOutbound(text: string | undefined, catalogueNames: ReadonlySet<string>): Map<string, string> {
  const file = 'services-outbound.csv';
  const map = new Map<string, { value: string; row: number }>();
  for (const row of readRows(file, text)) {
    const subtype = required(
      file,
      row,
      'primero_subtype',
      optionId,
      'must be a Primero option id (a-z, 0-9, _ or -)',
    );
    const name = required(file, row, 'oscar_service_name');
    if (!catalogueNames.has(name)) {
      throw new MappingConfigError(
        file,
        row.row,
        `oscar_service_name "${name}" is not in oscar-service-catalogue.csv — OSCaR matches services by exact name; fix the spelling or add the service to the catalogue`,
      );
    }
    addUnique(file, map, subtype, `primero_subtype "${subtype}"`, row, name);
  }
  return values(map);
}

function parseInbound(text: string | undefined): Map<string, InboundService> {
  const file = 'services-inbound.csv';
  const map = new Map<string, { value: InboundService; row: number }>();
  for (const row of readRows(file, text)) {
    const name = required(file, row, 'oscar_service_name');
    const value: InboundService = {
      primeroServiceType: required(
        file,
        row,
        'primero_service_type',
        optionId,
        'must be a Primero option id',
      ),
      primeroSubtype: required(file, row, 'primero_service_subtype', optionId, 'must be a Primero option id'),
    };
    addUnique(file, map, name, `oscar_service_name "${name}"`, row, value);
  }
  return values(map);
}

const statusTargets = {
  oscar_to_primero_service: [primeroOption.accepted, primeroOption.rejected, primeroOption.pending, ''],
  primero_service_to_primero_referral: ['accepted', 'rejected', 'in_progress'],
  primero_to_oscar: ['Accepted', 'Exited', 'Referred'],
} as const;
type StatusDirection = keyof typeof statusTargets;

function isStatusDirection(value: string): value is StatusDirection {
  return Object.hasOwn(statusTargets, value);
}

function parseReferralStatus(text: string | undefined): MappingTables['referralStatus'] {
  const file = 'referral-status.csv';
  const maps = {
    oscar_to_primero_service: new Map<string, { value: string | null; row: number }>(),
    primero_service_to_primero_referral: new Map<string, { value: string | null; row: number }>(),
    primero_to_oscar: new Map<string, { value: string | null; row: number }>(),
  };
  for (const row of readRows(file, text)) {
    const direction = required(file, row, 'direction');
    if (!isStatusDirection(direction)) {
      throw new MappingConfigError(
        file,
        row.row,
        `direction "${direction}" is unknown — use one of ${Object.keys(statusTargets).join(', ')}`,
      );
    }
    const from = required(file, row, 'from');
    const to = row.get('to');
    const allowed: readonly string[] = statusTargets[direction];
    if (!allowed.includes(to)) {
      throw new MappingConfigError(
        file,
        row.row,
        `to "${to}" is not valid for ${direction} — use one of ${allowed.map((v) => (v === '' ? '(empty)' : v)).join(', ')}`,
      );
    }
    addUnique(file, maps[direction], from, `from "${from}" for ${direction}`, row, to === '' ? null : to);
  }
  const nonNull = (map: Map<string, { value: string | null; row: number }>): Map<string, string> =>
    new Map([...map].flatMap(([key, entry]) => (entry.value === null ? [] : [[key, entry.value] as const])));
  return {
    oscarToPrimeroService: values(maps.oscar_to_primero_service),
    primeroServiceToPrimeroReferral: nonNull(maps.primero_service_to_primero_referral),
    primeroToOscar: nonNull(maps.primero_to_oscar),
  };
}

function parseProvinces(text: string | undefined): Map<string, ProvinceOwner> {
  const file = 'provinces.csv';
  const map = new Map<string, { value: ProvinceOwner; row: number }>();
  for (const row of readRows(file, text)) {
    const code = required(file, row, 'code', /^\d{2}$/, 'must be a two-digit province code such as "01"');
    const value: ProvinceOwner = {
      province: required(file, row, 'province'),
      primeroUser: required(file, row, 'primero_user', /^\S+$/, 'must be a Primero user name without spaces'),
    };
    addUnique(file, map, code, `code "${code}"`, row, value);
  }
  return values(map);
}

function parseAgencies(text: string | undefined): Map<string, AgencyOwner> {
  const file = 'agencies.csv';
  const map = new Map<string, { value: AgencyOwner; row: number }>();
  for (const row of readRows(file, text)) {
    const organization = required(
      file,
      row,
      'oscar_organization',
      /^[a-z0-9_-]+$/,
      'must be an OSCaR organisation short name (a-z, 0-9, _ or -)',
    );
    const agencyId = required(file, row, 'primero_agency_id');
    if (agencyId !== `agency-${organization}`) {
      throw new MappingConfigError(
        file,
        row.row,
        `primero_agency_id "${agencyId}" must be "agency-${organization}" — the sync derives agency ids from organisation names`,
      );
    }
    const value: AgencyOwner = {
      primeroAgencyId: agencyId,
      primeroUser: required(file, row, 'primero_user', /^\S+$/, 'must be a Primero user name without spaces'),
    };
    addUnique(file, map, organization, `oscar_organization "${organization}"`, row, value);
  }
  return values(map);
}

function parseRiskLevels(text: string | undefined): MappingTables['riskLevels'] {
  const file = 'risk-levels.csv';
  const out = new Map<string, { value: string; row: number }>();
  const back = new Map<string, { value: string; row: number }>();
  for (const row of readRows(file, text)) {
    const primero = required(file, row, 'primero_risk_level', optionId, 'must be a Primero option id');
    const oscar = required(file, row, 'oscar_level_of_risk');
    addUnique(file, out, primero, `primero_risk_level "${primero}"`, row, oscar);
    addUnique(file, back, oscar, `oscar_level_of_risk "${oscar}"`, row, primero);
  }
  return { primeroToOscar: values(out), oscarToPrimero: values(back) };
}

function parseGenders(text: string | undefined): MappingTables['genders'] {
  const file = 'genders.csv';
  const maps = {
    oscar_to_primero: new Map<string, { value: string; row: number }>(),
    primero_to_oscar: new Map<string, { value: string; row: number }>(),
  };
  for (const row of readRows(file, text)) {
    const direction = required(file, row, 'direction');
    if (direction !== 'oscar_to_primero' && direction !== 'primero_to_oscar') {
      throw new MappingConfigError(
        file,
        row.row,
        `direction "${direction}" is unknown — use oscar_to_primero or primero_to_oscar`,
      );
    }
    const from = required(file, row, 'from');
    if (direction === 'oscar_to_primero' && from !== from.toLowerCase()) {
      throw new MappingConfigError(
        file,
        row.row,
        `from "${from}" must be lower case — OSCaR genders are lower-cased before the lookup`,
      );
    }
    addUnique(file, maps[direction], from, `from "${from}" for ${direction}`, row, required(file, row, 'to'));
  }
  return { oscarToPrimero: values(maps.oscar_to_primero), primeroToOscar: values(maps.primero_to_oscar) };
}

/**
 * Parses and validates the eight mapping tables (file name → UTF-8 text, as read from `config/mappings/`).
 * Pure: the caller does the reading. Throws `MappingConfigError` naming the file, the row and the fix on
 * the first problem (wrong header, malformed CSV, empty or badly formed value, duplicate key, an outbound
 * service name that is not in OSCaR's catalogue). Files not in `mappingFileNames` are ignored.
 *
 * @example
 * const files = Object.fromEntries(mappingFileNames.map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
 * const tables = parseMappingTables(files, manifest.version);
 */
export function parseMappingTables(files: Readonly<Record<string, string>>, version: string): MappingTables {
  if (version.trim() === '') throw new MappingConfigError('manifest.json', null, 'version is empty');
  const text = (file: MappingFileName): string | undefined =>
    Object.hasOwn(files, file) ? files[file] : undefined;
  const serviceCatalogue = parseCatalogue(text('oscar-service-catalogue.csv'));
  const catalogueNames = new Set(serviceCatalogue.map((service) => service.serviceName));
  return {
    version,
    servicesOutbound: parseOutbound(text('services-outbound.csv'), catalogueNames),
    servicesInbound: parseInbound(text('services-inbound.csv')),
    serviceCatalogue,
    referralStatus: parseReferralStatus(text('referral-status.csv')),
    provinces: parseProvinces(text('provinces.csv')),
    agencies: parseAgencies(text('agencies.csv')),
    riskLevels: parseRiskLevels(text('risk-levels.csv')),
    genders: parseGenders(text('genders.csv')),
  };
}

/**
 * Validates `config/mappings/manifest.json` (already JSON-decoded): a version like `2026-11-29.1` and
 * exactly the eight table files.
 */
export function parseMappingManifest(json: unknown): MappingManifest {
  const result = MappingManifest.safeParse(json);
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
      .join('; ');
    throw new MappingConfigError('manifest.json', null, detail);
  }
  const missing = mappingFileNames.filter((file) => !result.data.files.includes(file));
  if (missing.length > 0) {
    throw new MappingConfigError('manifest.json', null, `files must list ${missing.join(', ')}`);
  }
  return result.data;
}
