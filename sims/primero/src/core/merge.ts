import type { JsonObject, JsonValue } from './json.ts';
import { cloneJson, isJsonObject } from './json.ts';

/**
 * Primero's RecordMergeDataHashService (v2.5.7), used for both create and PATCH:
 * - hash + hash: merged key by key, recursively (keys not sent stay);
 * - array of hashes + array of hashes (an empty array counts as one): rows matched by `unique_id` are
 *   deep-merged, unmatched existing rows are kept, unmatched incoming rows are appended, and rows carrying
 *   `_destroy` are dropped afterwards. So `[]` changes nothing;
 * - anything else (scalars, `null`, arrays of scalars, a subform sent where none existed) replaces the old
 *   value wholesale, `_destroy` rows included.
 */
export function mergeData(oldValue: JsonValue | undefined, newValue: JsonValue): JsonValue {
  if (isJsonObject(oldValue) && isJsonObject(newValue)) return mergeHashes(oldValue, newValue);
  if (isArrayOfHashes(oldValue) && isArrayOfHashes(newValue)) {
    return mergeArrayOfHashes(oldValue, newValue).filter((row) => !isTruthy(row._destroy));
  }
  return cloneJson(newValue);
}

export function mergeHashes(oldData: JsonObject, newData: JsonObject): JsonObject {
  const result: JsonObject = { ...oldData };
  for (const [key, value] of Object.entries(newData)) {
    result[key] = key in oldData ? mergeData(oldData[key], value) : cloneJson(value);
  }
  return result;
}

function mergeArrayOfHashes(oldRows: JsonObject[], newRows: JsonObject[]): JsonObject[] {
  const merged = oldRows.map((oldRow) => {
    if (!isTruthy(oldRow.unique_id)) return oldRow;
    const incoming = newRows.find((row) => row.unique_id === oldRow.unique_id);
    return incoming === undefined ? oldRow : mergeHashes(oldRow, incoming);
  });
  const appended = newRows
    .filter((row) => !merged.some((existing) => sameId(existing.unique_id, row.unique_id)))
    .map((row) => cloneJson(row));
  return [...merged, ...appended];
}

/** `array_of_hashes?`: an Array that is blank or whose first element is a Hash. */
function isArrayOfHashes(value: JsonValue | undefined): value is JsonObject[] {
  return Array.isArray(value) && (value.length === 0 || isJsonObject(value[0]));
}

/** Ruby `==` on possibly missing keys: nil == nil. */
function sameId(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

/** Ruby truthiness: only nil and false are false. */
function isTruthy(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null && value !== false;
}
