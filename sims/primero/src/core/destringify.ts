import type { RailsParam } from './rails-query.ts';
import { rubySplit } from './ruby.ts';

/**
 * Primero's `DestringifyService` (v2.5.7) as used by the case filters: every query value is cast, in this
 * order, to nil (`''`), a Date (`YYYY-MM-DD`), a Time (ActiveSupport's date-time pattern), a boolean, an
 * Integer (all digits, so leading zeros are lost), a list (contains `,`) or a range (contains `..`).
 * A hash whose keys are all digits (`field[0]=a&field[1]=b`) becomes a list.
 */

export type Scalar =
  | { t: 'nil' }
  | { t: 'str'; v: string }
  | { t: 'int'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'date'; ms: number }
  | { t: 'time'; ms: number };

export type Destringified =
  | Scalar
  | { t: 'list'; items: Destringified[] }
  | { t: 'range'; from: Destringified; to: Destringified }
  | { t: 'hash'; entries: [string, Destringified][] };

const nil: Scalar = { t: 'nil' };
const dateRegex = /^\d{4}-\d{2}-\d{2}$/;
const dateTimeRegex =
  /^(?:\d{4}-\d{2}-\d{2}|(\d{4})-(\d{1,2})-(\d{1,2})[T \t]+(\d{1,2}):(\d{2}):(\d{2})(\.[0-9]*)?(?:[ \t]*(Z)|([-+])(\d{2})?(?::(\d{2}))?)?)$/;

/**
 * @param raw when true (v2.11+ ID filters) strings are not cast; lists are still split on commas.
 */
export function destringify(
  value: RailsParam | undefined,
  listsAndRanges: boolean,
  raw = false,
): Destringified {
  if (value === undefined || value === null || value === '') return nil;
  if (Array.isArray(value))
    return { t: 'list', items: value.map((v) => destringify(v, listsAndRanges, raw)) };
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
      const sorted = [...keys].sort((a, b) => Number(a) - Number(b));
      return { t: 'list', items: sorted.map((k) => destringify(value[k], listsAndRanges, raw)) };
    }
    return { t: 'hash', entries: keys.map((k) => [k, destringify(value[k], listsAndRanges, raw)]) };
  }
  if (raw) {
    if (listsAndRanges && value.includes(',')) {
      return { t: 'list', items: rubySplit(value, ',').map((v) => (v === '' ? nil : { t: 'str', v })) };
    }
    return { t: 'str', v: value };
  }
  const scalar = castScalar(value);
  if (scalar !== undefined) return scalar;
  if (listsAndRanges) {
    if (value.includes(',')) {
      return { t: 'list', items: rubySplit(value, ',').map((v) => destringify(v, listsAndRanges)) };
    }
    if (value.includes('..')) {
      const [from, to] = rubySplit(value, '..');
      return { t: 'range', from: destringify(from, listsAndRanges), to: destringify(to, listsAndRanges) };
    }
  }
  return { t: 'str', v: value };
}

function castScalar(value: string): Scalar | undefined {
  if (dateRegex.test(value)) {
    const ms = parseDate(value);
    return ms === undefined ? { t: 'str', v: value } : { t: 'date', ms };
  }
  const dateTime = dateTimeRegex.exec(value);
  if (dateTime !== null) {
    const ms = parseDateTime(dateTime);
    return ms === undefined ? { t: 'str', v: value } : { t: 'time', ms };
  }
  if (value === 'true' || value === 'false') return { t: 'bool', v: value === 'true' };
  if (/^\d+$/.test(value)) return { t: 'int', v: BigInt(value) };
  return undefined;
}

/** Milliseconds of a valid calendar date at 00:00 UTC, else undefined (Ruby's `Date.parse` raises). */
export function parseDate(value: string): number | undefined {
  const [y, m, d] = value.split('-').map(Number);
  if (y === undefined || m === undefined || d === undefined) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d)
    return undefined;
  return ms;
}

function parseDateTime(match: RegExpExecArray): number | undefined {
  const [, y, mo, d, h, mi, s, fraction, , sign, offsetHours, offsetMinutes] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60)
    return undefined;
  const millis = fraction === undefined ? 0 : Number((fraction.slice(1) + '000').slice(0, 3));
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (sign !== undefined) {
    const offset = (Number(offsetHours ?? '0') * 60 + Number(offsetMinutes ?? '0')) * 60_000;
    ms += sign === '+' ? -offset : offset;
  }
  return ms;
}
