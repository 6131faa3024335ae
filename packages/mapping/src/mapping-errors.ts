/** Where the versioned lookup tables live, relative to the repository root (named in every error). */
export const mappingDir = 'config/mappings';

/**
 * Why a record cannot be mapped. Every code is permanent: retrying the same record with the same mapping
 * version gives the same answer, so the message goes to the dead-letter queue and an operator fixes the
 * record or extends the table the message names, then replays it.
 */
export type MappingErrorCode =
  /** A province code that `provinces.csv` does not list. */
  | 'UNKNOWN_PROVINCE'
  /** An OSCaR organisation / Primero agency that `agencies.csv` does not list. */
  | 'UNKNOWN_ORGANIZATION'
  /** A risk level that `risk-levels.csv` does not list. */
  | 'UNKNOWN_RISK_LEVEL'
  /** A key the mapping needs (`global_id`, `case_id`, an organisation, a referral id) is missing. */
  | 'MISSING_KEY'
  /** The upstream record does not have the expected shape (the field path is named, never the value). */
  | 'INVALID_RECORD'
  /** The two systems disagree about which record is which (different `case_id` / `oscar_number`). */
  | 'IDENTITY_CONFLICT'
  /** A linked OSCaR client (`resource: "primero"`) whose Primero case the writer could not find. */
  | 'LINKED_CASE_NOT_FOUND';

/**
 * How an error may quote an upstream value that ought to be a code (a province, an organisation, a risk
 * level): the code itself when it looks like one — up to 40 letters, digits, `_`, `-` or `.` — so that an
 * administrator can add it to the table the error names; otherwise only its length, because a value that is
 * not a code may be anything a person typed there (a name, a note) and must not reach a log.
 *
 * @example quoteCode('zz') // '"zz"'
 * @example quoteCode('the mother called') // '(not a code: 17 characters)'
 */
export function quoteCode(value: string): string {
  return isCodeLike(value) ? `"${value}"` : `(not a code: ${[...value].length} characters)`;
}

/** Up to 40 letters, digits, `_`, `-` or `.`: what `quoteCode` names in an error. */
export function isCodeLike(value: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/.test(value);
}

/** What kind of record an error is about; the first words of its message. */
export type RecordKind = 'Primero case' | 'OSCaR client' | 'CaseChanged' | 'ReferralDecision';

export interface MappingErrorInput {
  code: MappingErrorCode;
  recordKind: RecordKind;
  /** An identifier of the record (`case_id`, `global_id`, a referral id): never a name or other personal data. */
  recordId: string | null;
  /** Upstream field path, e.g. `location_current_village_code` or `services_section.2.service_subtype`. */
  field: string;
  /** What is wrong and how to fix it. Must not contain personal data (ids and codes only). */
  detail: string;
}

/**
 * A record that cannot be mapped. `permanent` is always true: the caller dead-letters, it never retries.
 *
 * @example
 * new MappingError({ code: 'UNKNOWN_PROVINCE', recordKind: 'OSCaR client', recordId: '01H8…',
 *   field: 'location_current_village_code',
 *   detail: 'province "26" is not in config/mappings/provinces.csv — add a row for it' }).message
 * // 'OSCaR client 01H8… location_current_village_code: province "26" is not in config/mappings/provinces.csv — add a row for it'
 */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  readonly permanent = true;
  readonly code: MappingErrorCode;
  readonly recordKind: RecordKind;
  readonly recordId: string | null;
  readonly field: string;

  constructor(input: MappingErrorInput) {
    super(`${input.recordKind} ${input.recordId ?? '(no id)'} ${input.field}: ${input.detail}`);
    this.code = input.code;
    this.recordKind = input.recordKind;
    this.recordId = input.recordId;
    this.field = input.field;
  }
}

/**
 * A mapping table that cannot be loaded: wrong header, malformed CSV, a bad or duplicate row. Raised at
 * start-up (fail fast); the message names the file, the row (the header is row 1) and what to change.
 *
 * @example 'config/mappings/provinces.csv row 21: duplicate code "19" (first defined in row 20) — keep one row per code'
 */
export class MappingConfigError extends Error {
  override readonly name = 'MappingConfigError';
  readonly file: string;
  /** 1-based row number (the header is row 1), or null when the problem is about the whole file. */
  readonly row: number | null;

  constructor(file: string, row: number | null, detail: string) {
    super(`${mappingDir}/${file}${row === null ? '' : ` row ${row}`}: ${detail}`);
    this.file = file;
    this.row = row;
  }
}
