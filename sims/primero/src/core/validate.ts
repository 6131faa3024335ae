import type { CoreFieldRule, FieldDefinition } from '../fields.ts';
import { caseFormFields, coreFieldRules } from '../fields.ts';
import { parseDate } from './destringify.ts';
import { JsonFloat } from './json.ts';

/**
 * Primero's strict write schema (RecordJsonValidatorService + PERMITTED_CORE_FIELDS_SCHEMA, v2.5.7):
 * `additionalProperties: false` at the top level and in every subform row. Returns the JSON pointers of
 * the offending values, in the order json_schemer reports them (declared properties first, then unknown
 * keys); an empty list means valid.
 */
export function validateCaseData(
  data: unknown,
  extraFields: ReadonlyMap<string, 'boolean' | 'string'> = new Map(),
): string[] {
  if (!isPlainObject(data)) return [''];
  const errors: string[] = [];
  const known = new Set<string>();
  for (const [name, field] of caseFormFields) {
    known.add(name);
    if (name in data) checkField(field, data[name], `/${escapePointer(name)}`, errors);
  }
  for (const [name, rule] of coreFieldRules) {
    if (known.has(name)) continue;
    known.add(name);
    if (name in data) checkCore(rule, data[name], `/${escapePointer(name)}`, errors);
  }
  // Fields a permission adds (`sync_external`: the mark-synced keys).
  for (const [name, type] of extraFields) {
    if (known.has(name)) continue;
    known.add(name);
    if (name in data && typeof data[name] !== type) errors.push(`/${escapePointer(name)}`);
  }
  for (const key of Object.keys(data)) {
    if (!known.has(key)) errors.push(`/${escapePointer(key)}`);
  }
  return errors;
}

/** Primero's UUID_REGEX: lowercase only. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkField(field: FieldDefinition, value: unknown, pointer: string, errors: string[]): void {
  switch (field.type) {
    case 'text_field':
    case 'textarea':
      if (!(value === null || typeof value === 'string')) errors.push(pointer);
      return;
    case 'radio_button':
      if (!(value === null || typeof value === 'string' || typeof value === 'boolean')) errors.push(pointer);
      return;
    case 'select_box':
      if (field.multiSelect !== true) {
        if (!(value === null || typeof value === 'string')) errors.push(pointer);
        return;
      }
      if (value === null) return;
      if (!Array.isArray(value)) {
        errors.push(pointer);
        return;
      }
      value.forEach((item: unknown, index) => {
        if (typeof item !== 'string') errors.push(`${pointer}/${index}`);
      });
      return;
    case 'tick_box':
      if (typeof value !== 'boolean') errors.push(pointer);
      return;
    case 'numeric_field':
      if (value === null) return;
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < -2_147_483_648 ||
        value > 2_147_483_647
      ) {
        errors.push(pointer);
      }
      return;
    case 'date_field':
      if (value === null) return;
      if (typeof value !== 'string') {
        errors.push(pointer);
        return;
      }
      if (field.dateIncludeTime === true ? !isRfc3339DateTime(value) : !isIsoDate(value))
        errors.push(pointer);
      return;
    case 'subform':
      checkSubform(field.subform ?? [], value, pointer, errors);
      return;
  }
}

function checkSubform(
  fields: readonly FieldDefinition[],
  value: unknown,
  pointer: string,
  errors: string[],
): void {
  if (value === null) return;
  if (!Array.isArray(value)) {
    errors.push(pointer);
    return;
  }
  value.forEach((row: unknown, index) => {
    const rowPointer = `${pointer}/${index}`;
    if (!isPlainObject(row)) {
      errors.push(rowPointer);
      return;
    }
    const known = new Set<string>(['unique_id', '_destroy']);
    for (const field of fields) {
      known.add(field.name);
      if (field.name in row)
        checkField(field, row[field.name], `${rowPointer}/${escapePointer(field.name)}`, errors);
    }
    if ('_destroy' in row && !(row._destroy === null || typeof row._destroy === 'boolean')) {
      errors.push(`${rowPointer}/_destroy`);
    }
    if ('unique_id' in row && !(typeof row.unique_id === 'string' && uuidPattern.test(row.unique_id))) {
      errors.push(`${rowPointer}/unique_id`);
    }
    for (const key of Object.keys(row)) {
      if (!known.has(key)) errors.push(`${rowPointer}/${escapePointer(key)}`);
    }
  });
}

function checkCore(rule: CoreFieldRule, value: unknown, pointer: string, errors: string[]): void {
  switch (rule.kind) {
    case 'uuid':
      if (!(typeof value === 'string' && uuidPattern.test(value))) errors.push(pointer);
      return;
    case 'string':
      if (!(typeof value === 'string' || (rule.nullable && value === null))) errors.push(pointer);
      return;
    case 'boolean':
      if (!(typeof value === 'boolean' || (rule.nullable && value === null))) errors.push(pointer);
      return;
    case 'date-time':
      if (!(typeof value === 'string' && isRfc3339DateTime(value))) errors.push(pointer);
      return;
    case 'enum':
      if (!(typeof value === 'string' && rule.values.includes(value))) errors.push(pointer);
      return;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof JsonFloat)
  );
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** json_schemer `format: date`: `YYYY-MM-DD` and a real calendar date. */
export function isIsoDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && parseDate(value) !== undefined;
}

const rfc3339 =
  /^\s*(-?\d{4})-(\d{2})-(\d{2})(?:t|\s)(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(z|[-+]\d{2}:\d{2})\s*$/i;

/** json_schemer `format: date-time` (Ruby `DateTime.rfc3339`): a zone is required, `T` or a space. */
export function isRfc3339DateTime(value: string): boolean {
  const match = rfc3339.exec(value);
  if (match === null) return false;
  const [, y, mo, d, h, mi, s] = match;
  if (parseDate(`${y}-${mo}-${d}`) === undefined) return false;
  return Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 60;
}

/** Milliseconds of an ISO date-time string as stored (`2023-08-24T06:00:00.000Z`), or undefined. */
export function timeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
