/** A parsed JSON object whose fields are not validated here (record validation belongs to @pos/mapping). */
export type UnknownRecord = Record<string, unknown>;

/**
 * A request body the clients send as JSON. Typed `object` rather than `UnknownRecord` so that callers' own
 * interfaces (which have no index signature) are accepted as they are.
 */
export type RequestRecord = object;

export function isRecord(value: unknown): value is UnknownRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isRecordArray(value: unknown): value is UnknownRecord[] {
  return Array.isArray(value) && value.every(isRecord);
}

export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** A field name, JSON pointer or Rails attribute: safe to show because it is structure, not content. */
const structuralToken = /^[A-Za-z0-9_.\-/[\]]{1,120}$/;

export function isStructuralToken(value: string): boolean {
  return structuralToken.test(value);
}

/** Shortens an upstream message so one odd body cannot flood a log line. */
export function clip(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
