/**
 * Parses a raw query string the way Rack 2 (Rails 6.1, Primero v2.5) does: `&` and `;` separate pairs,
 * `+` is a space, `a[b]=1` nests into a hash, `a[]=1` appends to an array, a repeated plain key keeps the
 * last value, and a key without `=` has a nil value.
 */

export type RailsParam = string | null | RailsParam[] | RailsParams;
export interface RailsParams {
  [key: string]: RailsParam;
}

export type RailsQueryResult = { ok: true; params: RailsParams } | { ok: false; message: string };

export function parseRailsQuery(query: string): RailsQueryResult {
  const params: RailsParams = {};
  for (const pair of query.split(/[&;] */)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const rawValue = eq === -1 ? null : pair.slice(eq + 1);
    const name = unescape(rawName);
    const value = rawValue === null ? null : unescape(rawValue);
    if (name === undefined || value === undefined) {
      return { ok: false, message: 'Invalid query parameters: invalid %-encoding' };
    }
    const error = assign(params, name, value);
    if (error !== undefined) return { ok: false, message: error };
  }
  return { ok: true, params };
}

function unescape(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

function assign(params: RailsParams, name: string, value: string | null): string | undefined {
  const head = /^[[\]]*([^[\]]+)\]*/.exec(name);
  if (head?.[1] === undefined) return undefined;
  const key = head[1];
  const rest = name.slice(head[0].length);
  const segments = [...rest.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1] ?? '');
  return assignPath(params, key, segments, value);
}

function assignPath(
  container: RailsParams,
  key: string,
  segments: readonly string[],
  value: string | null,
): string | undefined {
  const [next, ...rest] = segments;
  if (next === undefined) {
    container[key] = value;
    return undefined;
  }
  if (next === '') {
    const existing = container[key] ?? [];
    if (!Array.isArray(existing)) return `expected Array (got ${describe(existing)}) for param \`${key}'`;
    if (rest.length === 0) {
      existing.push(value);
    } else {
      const last = existing[existing.length - 1];
      const [restKey, ...restSegments] = rest;
      // Rack starts a new hash when the last one already has the key.
      if (isParams(last) && restKey !== undefined && !(restKey in last)) {
        const error = assignPath(last, restKey, restSegments, value);
        if (error !== undefined) return error;
      } else {
        const fresh: RailsParams = {};
        const error = assignPath(fresh, restKey ?? '', restSegments, value);
        if (error !== undefined) return error;
        existing.push(fresh);
      }
    }
    container[key] = existing;
    return undefined;
  }
  const existing = container[key] ?? {};
  if (!isParams(existing)) return `expected Hash (got ${describe(existing)}) for param \`${key}'`;
  container[key] = existing;
  return assignPath(existing, next, rest, value);
}

function isParams(value: RailsParam | undefined): value is RailsParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: RailsParam): string {
  if (value === null) return 'NilClass';
  if (Array.isArray(value)) return 'Array';
  return typeof value === 'string' ? 'String' : 'Hash';
}
