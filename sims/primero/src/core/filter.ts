import type { MatchKind } from '../fields.ts';
import { filterableFields, idFields, locationFields, permittedFieldNames } from '../fields.ts';
import type { Destringified, Scalar } from './destringify.ts';
import { destringify, parseDate } from './destringify.ts';
import type { JsonValue } from './json.ts';
import type { RailsParams } from './rails-query.ts';
import { rubyDateToS, rubyTimeToS, rubyToI } from './ruby.ts';

/**
 * GET /api/v2/cases filters (SearchFilterService + SearchService, v2.5.7, docs/upstream/primero.md §7).
 *
 * A query key becomes a filter when it ends with a permitted field name (optionally followed by a digit
 * 0–5): others (`remote`, `scope`, typos) are ignored silently. Values are destringified (§7.1), then:
 * `or[…]` → any of, `not[…]` → not equal, a hash with a numeric or date `from` → inclusive range,
 * a list → any of, else equality. ID fields compare case-insensitively. A kept key that names no indexed
 * field, or a range whose start is neither a number nor a date (an open-start `..to`), makes Solr or
 * Ruby raise: the request answers 500 (v2.5) — from v2.11 the bad range is dropped instead.
 */

export interface FilterTarget {
  readonly id: string;
  readonly uniqueIdentifier: string;
  value(field: string): JsonValue | undefined;
  /** Epoch ms of a date-time field, cached by the store for `created_at` and `last_updated_at`. */
  time(field: string): number | undefined;
}

export interface LocationIndex {
  /** Admin level of a location code (`0` country … `4` village), or undefined for an unknown code. */
  levelOf(code: string): number | undefined;
  /** The code of the ancestor (or self) at `level` of `code`, if both are known. */
  ancestorAt(code: string, level: number): string | undefined;
}

export interface FilterOptions {
  /** v2.11+: ID-field values are not type-converted. */
  readonly rawIdValues: boolean;
  /** v2.5–v2.10: a filter that cannot be built (open-start range) crashes with 500; later it is dropped. */
  readonly invalidFilterCrashes: boolean;
  readonly locations: LocationIndex;
}

export type Predicate = (target: FilterTarget) => boolean;

export type FilterPlan =
  | {
      readonly ok: true;
      readonly predicate: Predicate;
      /** A top-level exact ID filter the store can answer from its index (lowercased keys). */
      readonly lookup: { readonly field: string; readonly keys: readonly string[] } | undefined;
    }
  | { readonly ok: false; readonly message: string };

const excluded = new Set([
  'format',
  'controller',
  'action',
  'page',
  'per',
  'order',
  'order_by',
  'fields',
  'id_search',
]);
const keyPatterns = permittedFieldNames.map((name) => new RegExp(`${name}[0-5]?$`));

type Filter =
  | { kind: 'value'; field: string; value: Scalar }
  | { kind: 'list'; field: string; values: Destringified[] }
  | { kind: 'range'; field: string; from: Scalar; to: Destringified }
  | { kind: 'not'; field: string; value: Destringified }
  | { kind: 'or'; filters: (Filter | undefined)[] }
  | { kind: 'unbuildable'; detail: string };

class FilterError extends Error {}

export function planFilters(params: RailsParams, options: FilterOptions): FilterPlan {
  try {
    const filters: Filter[] = [];
    for (const [key, raw] of Object.entries(params)) {
      if (excluded.has(key) || !keyPatterns.some((pattern) => pattern.test(key))) continue;
      const raws = options.rawIdValues && (key === 'id' || idFields.has(key));
      const filter = buildFilter(key, destringify(raw, true, raws));
      if (filter !== undefined) filters.push(filter);
    }
    const predicates: Predicate[] = [];
    let lookup: { field: string; keys: string[] } | undefined;
    for (const filter of filters) {
      const predicate = compile(filter, options);
      if (predicate === undefined) continue;
      predicates.push(predicate);
      lookup ??= indexLookup(filter);
    }
    const predicate: Predicate = (target) => predicates.every((p) => p(target));
    return { ok: true, predicate, lookup };
  } catch (error) {
    if (error instanceof FilterError) return { ok: false, message: error.message };
    throw error;
  }
}

function buildFilter(key: string, value: Destringified): Filter | undefined {
  if (key === 'or') {
    if (value.t === 'list') return { kind: 'or', filters: value.items.map((item) => firstFilter(item)) };
    if (value.t === 'hash') return { kind: 'or', filters: value.entries.map(([k, v]) => buildFilter(k, v)) };
    return { kind: 'unbuildable', detail: 'or' };
  }
  if (key === 'not') {
    if (value.t !== 'hash') throw new FilterError(`undefined method \`keys' for ${describe(value)}`);
    const [first] = value.entries;
    if (first === undefined) throw new FilterError("undefined method `to_sym' for nil:NilClass");
    return { kind: 'not', field: first[0], value: first[1] };
  }
  if (value.t === 'hash' || value.t === 'range') {
    const from =
      value.t === 'range' ? value.from : (value.entries.find(([k]) => k === 'from')?.[1] ?? { t: 'nil' });
    const to =
      value.t === 'range' ? value.to : (value.entries.find(([k]) => k === 'to')?.[1] ?? { t: 'nil' });
    if (from.t === 'int' || from.t === 'date' || from.t === 'time')
      return { kind: 'range', field: key, from, to };
    return { kind: 'unbuildable', detail: key };
  }
  if (value.t === 'list') return { kind: 'list', field: key, values: value.items };
  return { kind: 'value', field: key, value };
}

/** `build_filters(v).first` for `or[0][field]=…` */
function firstFilter(value: Destringified): Filter | undefined {
  if (value.t !== 'hash') return undefined;
  const [first] = value.entries;
  return first === undefined ? undefined : buildFilter(first[0], first[1]);
}

/** Returns undefined when the filter matches everything (an empty value). */
function compile(filter: Filter, options: FilterOptions): Predicate | undefined {
  switch (filter.kind) {
    case 'unbuildable':
      if (options.invalidFilterCrashes)
        throw new FilterError("undefined method `id_field_filter?' for nil:NilClass");
      return undefined;
    case 'value': {
      if (filter.value.t === 'nil') {
        resolveField(filter.field);
        return undefined;
      }
      return equality(filter.field, filter.value, options);
    }
    case 'list': {
      const kind = resolveField(filter.field);
      const items = filter.values.filter((item) => item.t !== 'nil');
      if (items.length === 0) return undefined;
      if (items[0]?.t === 'range' || items[0]?.t === 'hash') {
        const ranges = items.map((item) => {
          if (
            item.t !== 'range' ||
            !(item.from.t === 'int' || item.from.t === 'date' || item.from.t === 'time')
          ) {
            throw new FilterError(`undefined method \`[]' for ${describe(item)}`);
          }
          return rangePredicate(filter.field, kind, item.from, item.to);
        });
        return (target) => ranges.some((p) => p(target));
      }
      const predicates = items.map((item) =>
        isScalar(item) ? equality(filter.field, item, options) : () => false,
      );
      return (target) => predicates.some((p) => p(target));
    }
    case 'range':
      return rangePredicate(filter.field, resolveField(filter.field), filter.from, filter.to);
    case 'not': {
      const kind = resolveField(filter.field);
      const values = filter.value.t === 'list' ? filter.value.items : [filter.value];
      const predicates = values.map((item) => {
        if (!isScalar(item)) throw new FilterError(`undefined method \`to_solr' for ${describe(item)}`);
        // NotValue#as_location_filter never renames the field: plain equality on the code.
        if (kind === 'location')
          return (target: FilterTarget) => matchScalar('ci', stored(target, filter.field, 'ci'), item);
        return equality(filter.field, item, options);
      });
      return (target) => !predicates.some((p) => p(target));
    }
    case 'or': {
      const predicates: Predicate[] = [];
      for (const inner of filter.filters) {
        if (inner === undefined || inner.kind === 'unbuildable') {
          throw new FilterError("undefined method `id_field_filter?' for nil:NilClass");
        }
        if (inner.kind !== 'value') {
          throw new FilterError(`undefined method \`value' for #<SearchFilters::${className(inner)}>`);
        }
        if (inner.value.t === 'nil') continue;
        predicates.push(equality(inner.field, inner.value, options));
      }
      if (predicates.length === 0) return undefined;
      return (target) => predicates.some((p) => p(target));
    }
  }
}

/** The Solr field behind a query key; an unknown one raises Sunspot::UnrecognizedFieldError (500). */
function resolveField(field: string): MatchKind | { level: number; field: string } {
  const kind = filterableFields.get(field);
  if (kind !== undefined) return kind;
  const admin = /^(.*)([0-5])$/.exec(field);
  if (admin?.[1] !== undefined && admin[2] !== undefined && locationFields.has(admin[1])) {
    return { level: Number(admin[2]), field: admin[1] };
  }
  throw new FilterError(`No field configured for Child with name '${field}'`);
}

function equality(field: string, value: Scalar, options: FilterOptions): Predicate {
  const kind = resolveField(field);
  if (typeof kind === 'object') {
    const code = scalarToString(value).toLowerCase();
    return (target) => {
      const own = target.value(kind.field);
      if (typeof own !== 'string') return false;
      return options.locations.ancestorAt(own, kind.level)?.toLowerCase() === code;
    };
  }
  if (kind === 'location') {
    // SearchFilters::Value#as_location_filter: the filter names the code's admin level.
    const code = scalarToString(value);
    const level = options.locations.levelOf(code);
    if (level === undefined) throw new FilterError("undefined method `admin_level' for nil:NilClass");
    const wanted = code.toLowerCase();
    return (target) => {
      const own = target.value(field);
      if (typeof own !== 'string') return false;
      return options.locations.ancestorAt(own, level)?.toLowerCase() === wanted;
    };
  }
  return (target) => matchScalar(kind, stored(target, field, kind), value);
}

function stored(target: FilterTarget, field: string, kind: MatchKind): JsonValue | number | undefined {
  if (field === 'id' || field === 'record_id') return target.id;
  if (field === 'unique_identifier') return target.uniqueIdentifier;
  if (kind === 'time') return target.time(field);
  return target.value(field);
}

function matchScalar(kind: MatchKind, own: JsonValue | number | undefined, value: Scalar): boolean {
  if (own === undefined || own === null) return false;
  switch (kind) {
    case 'ci':
    case 'location':
      return typeof own === 'string' && own.toLowerCase() === scalarToString(value).toLowerCase();
    case 'text':
      return typeof own === 'string' && own === scalarToString(value);
    case 'multi':
      return Array.isArray(own) && own.includes(scalarToString(value));
    case 'bool':
      // Sunspot's boolean type indexes any truthy value as true.
      return own === !(value.t === 'nil' || (value.t === 'bool' && !value.v));
    case 'int': {
      const wanted = value.t === 'int' ? Number(value.v) : value.t === 'str' ? rubyToI(value.v) : undefined;
      return wanted !== undefined && own === wanted;
    }
    case 'date': {
      const wanted = toDateMs(value);
      return wanted !== undefined && typeof own === 'string' && parseDate(own) === wanted;
    }
    case 'time': {
      const wanted = value.t === 'time' ? value.ms : value.t === 'date' ? value.ms : undefined;
      return wanted !== undefined && typeof own === 'number' && own === wanted;
    }
  }
}

function rangePredicate(
  field: string,
  kind: MatchKind | { level: number; field: string },
  from: Scalar,
  to: Destringified,
): Predicate {
  const open = to.t === 'nil' || (to.t === 'bool' && !to.v);
  if (typeof kind === 'object' || kind === 'location' || kind === 'bool') return () => false;
  const bound = (value: Destringified): number | string | undefined => {
    if (!isScalar(value)) return undefined;
    switch (kind) {
      case 'int':
        return value.t === 'int' ? Number(value.v) : undefined;
      case 'date':
        return toDateMs(value);
      case 'time':
        return value.t === 'time' || value.t === 'date' ? value.ms : undefined;
      case 'ci':
        return scalarToString(value).toLowerCase();
      case 'text':
      case 'multi':
        return scalarToString(value);
    }
  };
  const low = bound(from);
  const high = open ? undefined : bound(to);
  if (low === undefined || (!open && high === undefined)) return () => false;
  const inRange = (v: number | string): boolean =>
    compare(v, low) !== undefined &&
    (compare(v, low) ?? -1) >= 0 &&
    (high === undefined || (compare(v, high) ?? 1) <= 0);
  return (target) => {
    const own = stored(target, field, kind);
    if (own === undefined || own === null) return false;
    switch (kind) {
      case 'int':
        return typeof own === 'number' && inRange(own);
      case 'date': {
        const ms = typeof own === 'string' ? parseDate(own) : undefined;
        return ms !== undefined && inRange(ms);
      }
      case 'time':
        return typeof own === 'number' && inRange(own);
      case 'ci':
        return typeof own === 'string' && inRange(own.toLowerCase());
      case 'text':
        return typeof own === 'string' && inRange(own);
      case 'multi':
        return Array.isArray(own) && own.some((item) => typeof item === 'string' && inRange(item));
    }
  };
}

/** Orders two bounds of the same type; undefined when the types differ (Solr would not match). */
function compare(a: number | string, b: number | string): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function indexLookup(filter: Filter): { field: string; keys: string[] } | undefined {
  if (filter.kind === 'value' && isIndexed(filter.field) && filter.value.t !== 'nil') {
    return { field: filter.field, keys: [scalarToString(filter.value).toLowerCase()] };
  }
  if (filter.kind === 'list' && isIndexed(filter.field) && filter.values.every(isScalar)) {
    const keys = filter.values.filter(isScalar).filter((v) => v.t !== 'nil');
    if (keys.length === 0) return undefined;
    return { field: filter.field, keys: keys.map((v) => scalarToString(v).toLowerCase()) };
  }
  return undefined;
}

function isIndexed(field: string): boolean {
  return field === 'id' || idFields.has(field);
}

function isScalar(value: Destringified): value is Scalar {
  return value.t !== 'list' && value.t !== 'range' && value.t !== 'hash';
}

function toDateMs(value: Scalar): number | undefined {
  if (value.t === 'date') return value.ms;
  if (value.t === 'time') return parseDate(rubyDateToS(value.ms));
  return undefined;
}

/** How Sunspot's string type indexes a query value (`value.to_s`). */
export function scalarToString(value: Scalar): string {
  switch (value.t) {
    case 'nil':
      return '';
    case 'str':
      return value.v;
    case 'int':
      return value.v.toString();
    case 'bool':
      return String(value.v);
    case 'date':
      return rubyDateToS(value.ms);
    case 'time':
      return rubyTimeToS(value.ms);
  }
}

function describe(value: Destringified): string {
  switch (value.t) {
    case 'nil':
      return 'nil:NilClass';
    case 'str':
      return `${JSON.stringify(value.v)}:String`;
    case 'int':
      return `${value.v.toString()}:Integer`;
    case 'bool':
      return `${String(value.v)}:${value.v ? 'TrueClass' : 'FalseClass'}`;
    case 'list':
      return 'Array';
    default:
      return 'Hash';
  }
}

function className(filter: Filter): string {
  switch (filter.kind) {
    case 'list':
      return 'ValueList';
    case 'range':
      return filter.from.t === 'int' ? 'NumericRange' : 'DateRange';
    case 'not':
      return 'NotValue';
    case 'or':
      return 'Or';
    default:
      return 'Value';
  }
}
