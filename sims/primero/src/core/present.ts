import type { JsonValue } from './json.ts';

/** Rails `present?`: not nil, false, blank string or empty collection. */
export function isPresent(value: JsonValue | undefined): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
