import type { FilterTarget, Predicate } from '../core/filter.ts';
import type { JsonObject, JsonValue } from '../core/json.ts';
import type { SortPlan } from '../core/sort.ts';
import { timeMs } from '../core/validate.ts';
import { idFields } from '../fields.ts';

/**
 * In-memory cases with the indexes that keep 100,000 records fast: a Map by `id`, a Map per exact-match
 * ID field (lowercased value → cases), and an array ordered by `created_at` (then insertion) for the
 * default `created_at desc` listing.
 */

export class StoredCase implements FilterTarget {
  readonly id: string;
  readonly uniqueIdentifier: string;
  readonly seq: number;
  data: JsonObject;
  createdAtMs: number;
  lastUpdatedAtMs: number;

  constructor(id: string, uniqueIdentifier: string, seq: number, data: JsonObject) {
    this.id = id;
    this.uniqueIdentifier = uniqueIdentifier;
    this.seq = seq;
    this.data = data;
    this.createdAtMs = timeMs(data.created_at) ?? 0;
    this.lastUpdatedAtMs = timeMs(data.last_updated_at) ?? 0;
  }

  value(field: string): JsonValue | undefined {
    return this.data[field];
  }

  time(field: string): number | undefined {
    if (field === 'created_at') return this.createdAtMs;
    if (field === 'last_updated_at') return this.lastUpdatedAtMs;
    return timeMs(this.data[field]);
  }

  /** `enabled` in the API is the record state. */
  get enabled(): boolean {
    return this.data.record_state !== false;
  }
}

export interface SearchQuery {
  readonly predicate: Predicate;
  readonly lookup: { readonly field: string; readonly keys: readonly string[] } | undefined;
  readonly sort: Extract<SortPlan, { ok: true }>;
  readonly offset: number;
  readonly limit: number;
}

export interface SearchResult {
  readonly total: number;
  readonly items: readonly StoredCase[];
}

export interface CaseStore {
  readonly size: number;
  get(id: string): StoredCase | undefined;
  insert(id: string, uniqueIdentifier: string, data: JsonObject): StoredCase;
  /** Bulk insert for seeding: one sort instead of one ordered insert per case; known ids are skipped. */
  insertMany(entries: readonly { id: string; uniqueIdentifier: string; data: JsonObject }[]): number;
  /** Replaces the data of a stored case and keeps every index in step. */
  update(stored: StoredCase, data: JsonObject): void;
  search(query: SearchQuery): SearchResult;
  /** Exact, case-insensitive lookup on `id` or an ID field (control API). */
  findBy(field: string, value: string): StoredCase[];
  all(): Iterable<StoredCase>;
  clear(): void;
}

export function createCaseStore(): CaseStore {
  const byId = new Map<string, StoredCase>();
  const byIdField = new Map<string, Map<string, Set<StoredCase>>>([...idFields].map((f) => [f, new Map()]));
  let ordered: StoredCase[] = [];
  let seq = 0;

  const indexKey = (stored: StoredCase, field: string): string | undefined => {
    const value = field === 'unique_identifier' ? stored.uniqueIdentifier : stored.data[field];
    return typeof value === 'string' ? value.toLowerCase() : undefined;
  };
  const addToIndexes = (stored: StoredCase) => {
    for (const [field, index] of byIdField) {
      const key = indexKey(stored, field);
      if (key === undefined) continue;
      let set = index.get(key);
      if (set === undefined) {
        set = new Set();
        index.set(key, set);
      }
      set.add(stored);
    }
  };
  const removeFromIndexes = (stored: StoredCase) => {
    for (const [field, index] of byIdField) {
      const key = indexKey(stored, field);
      if (key === undefined) continue;
      const set = index.get(key);
      set?.delete(stored);
      if (set?.size === 0) index.delete(key);
    }
  };
  const before = (a: StoredCase, b: StoredCase) =>
    a.createdAtMs < b.createdAtMs || (a.createdAtMs === b.createdAtMs && a.seq < b.seq);
  const insertOrdered = (stored: StoredCase) => {
    let low = 0;
    let high = ordered.length;
    const last = ordered[high - 1];
    if (last === undefined || before(last, stored)) {
      ordered.push(stored);
      return;
    }
    while (low < high) {
      const mid = (low + high) >>> 1;
      const item = ordered[mid];
      if (item !== undefined && before(item, stored)) low = mid + 1;
      else high = mid;
    }
    ordered.splice(low, 0, stored);
  };

  return {
    get size() {
      return byId.size;
    },
    get: (id) => byId.get(id.toLowerCase()),
    insert(id, uniqueIdentifier, data) {
      seq += 1;
      const stored = new StoredCase(id, uniqueIdentifier, seq, data);
      byId.set(id.toLowerCase(), stored);
      addToIndexes(stored);
      insertOrdered(stored);
      return stored;
    },
    insertMany(entries) {
      let added = 0;
      for (const entry of entries) {
        if (byId.has(entry.id.toLowerCase())) continue;
        seq += 1;
        const stored = new StoredCase(entry.id, entry.uniqueIdentifier, seq, entry.data);
        byId.set(entry.id.toLowerCase(), stored);
        addToIndexes(stored);
        ordered.push(stored);
        added += 1;
      }
      ordered.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
      return added;
    },
    update(stored, data) {
      removeFromIndexes(stored);
      const createdAtMs = timeMs(data.created_at) ?? 0;
      stored.data = data;
      stored.lastUpdatedAtMs = timeMs(data.last_updated_at) ?? 0;
      addToIndexes(stored);
      if (createdAtMs !== stored.createdAtMs) {
        ordered = ordered.filter((item) => item !== stored);
        stored.createdAtMs = createdAtMs;
        insertOrdered(stored);
      }
    },
    search(query) {
      const { predicate, lookup, sort } = query;
      let matches: StoredCase[];
      if (lookup !== undefined) {
        const candidates = new Set<StoredCase>();
        for (const key of lookup.keys) {
          if (lookup.field === 'id') {
            const hit = byId.get(key);
            if (hit !== undefined) candidates.add(hit);
          } else {
            for (const hit of byIdField.get(lookup.field)?.get(key) ?? []) candidates.add(hit);
          }
        }
        matches = [...candidates].filter(predicate).sort((a, b) => (before(a, b) ? -1 : 1));
      } else {
        matches = ordered.filter(predicate);
      }
      if (sort.field === 'created_at') {
        if (sort.descending) matches.reverse();
      } else {
        matches = sortBy(matches, sort);
      }
      return { total: matches.length, items: matches.slice(query.offset, query.offset + query.limit) };
    },
    findBy(field, value) {
      if (field === 'id') {
        const hit = byId.get(value.toLowerCase());
        return hit === undefined ? [] : [hit];
      }
      return [...(byIdField.get(field)?.get(value.toLowerCase()) ?? [])];
    },
    all: () => ordered,
    clear() {
      byId.clear();
      for (const index of byIdField.values()) index.clear();
      ordered = [];
    },
  };
}

type SortKey = number | string | boolean | undefined;

/** Stable sort on one field; missing values last in both directions; ties keep `created_at` order. */
function sortBy(items: StoredCase[], sort: Extract<SortPlan, { ok: true }>): StoredCase[] {
  const keyOf = (stored: StoredCase): SortKey => {
    if (sort.kind === 'time') return stored.time(sort.field);
    const value = sort.field === 'id' ? stored.id : stored.data[sort.field];
    if (typeof value === 'string')
      return sort.kind === 'ci' || sort.kind === 'location' ? value.toLowerCase() : value;
    if (typeof value === 'number' || typeof value === 'boolean') return value;
    return undefined;
  };
  const keyed = items.map((stored) => ({ stored, key: keyOf(stored) }));
  keyed.sort((a, b) => {
    if (a.key === undefined || b.key === undefined) {
      if (a.key === b.key) return 0;
      return a.key === undefined ? 1 : -1;
    }
    const order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return sort.descending ? -order : order;
  });
  return keyed.map((entry) => entry.stored);
}
