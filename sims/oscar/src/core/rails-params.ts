/**
 * Ruby/Rails value semantics the OSCaR controllers rely on: `blank?`/`present?`, strong-parameter
 * whitelisting and ActiveRecord 4.2 column casts.
 */

/** Ruby `blank?`: nil, false, whitespace-only strings, empty arrays and hashes. Numbers and `true` are present. */
export function isBlank(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

export function isPresent(value: unknown): boolean {
  return !isBlank(value);
}

/** Values strong parameters permit as scalars (JSON strings, numbers, booleans, null). */
export type Scalar = string | number | boolean | null;

export function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** ActiveRecord 4.2 string column cast: numbers to their text, booleans to `t`/`f`. */
export function castString(value: Scalar | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/** ActiveRecord 4.2 integer column cast: `''` → nil, `'12abc'` → 12, `'abc'` → 0. */
export function castInteger(value: Scalar | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null;
  if (value.trim() === '') return null;
  const match = /^\s*[-+]?\d+/.exec(value);
  return match ? Number.parseInt(match[0], 10) : 0;
}

/**
 * ActiveRecord 4.2 date column cast (`YYYY-MM-DD`, `YYYY/MM/DD`, `DD-MM-YYYY`, trailing time ignored). An
 * impossible date casts to nil. Years of five digits survive, as the production DOB `22012-01-01` did.
 */
export function castDate(value: Scalar | undefined): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim();
  let year: number;
  let month: number;
  let day: number;
  const ymd = /^(\d{4,5})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s])/.exec(text);
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:$|[T\s])/.exec(text);
  if (ymd) {
    [year, month, day] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
  } else if (dmy) {
    [day, month, year] = [Number(dmy[1]), Number(dmy[2]), Number(dmy[3])];
  } else {
    return null;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** `"#{a} #{b}".squish`. */
export function squish(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Rails `humanize` of an attribute name, as used in `full_messages`: `client_global_id` → `Client global`. */
export function humanizeAttribute(attribute: string): string {
  const words = attribute.replace(/_id$/, '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
