/** A Primero write body (`{ data: … }` content): top-level fields, subform rows as objects. */
export type PrimeroData = Record<string, unknown>;

/** A `services_section` row in a write body; `unique_id` is always present. */
export type PrimeroRowData = Record<string, unknown> & { unique_id: string };

function isBlankValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.every(isBlankValue);
  return false;
}

/**
 * Equality as Primero sees it: blanks are equal to each other (absent, null, `''`, `[]`, `['']`),
 * numbers equal their decimal text (`8812` = `"8812"`), arrays compare element-wise, objects key-wise.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isBlankValue(a) || isBlankValue(b)) return isBlankValue(a) && isBlankValue(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => sameValue(item, b[index]));
  }
  if (typeof a === 'object' || typeof b === 'object') {
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((key) =>
      sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
    );
  }
  if (typeof a === 'number' && typeof b === 'string') return String(a) === b.trim();
  if (typeof a === 'string' && typeof b === 'number') return a.trim() === String(b);
  return a === b;
}

/** Drops keys whose value is undefined or null (a create has nothing to clear). */
export function withoutEmpty<T extends Record<string, unknown>>(data: T): T {
  return Object.fromEntries(
    Object.entries(data).filter(([, value]) => value !== undefined && value !== null),
  ) as T;
}

/**
 * The PATCH body that brings `existing` to `desired`, relying on Primero's merge semantics
 * (docs/upstream/primero.md §4.6): a top-level field is sent only when its value would change; `services_section` rows
 * merge by `unique_id`, so only new rows (whole) and changed fields of existing rows (with their
 * `unique_id`) are sent. Desired null/undefined values are never sent: the sync does not clear Primero
 * fields. An unchanged record gives `{}`.
 */
export function diffCase(
  desired: PrimeroData & { services_section?: PrimeroRowData[] },
  existing: Readonly<Record<string, unknown>>,
): PrimeroData {
  const patch: PrimeroData = {};
  for (const [key, value] of Object.entries(desired)) {
    if (key === 'services_section' || value === undefined || value === null) continue;
    if (!sameValue(value, existing[key])) patch[key] = value;
  }
  const existingRows = Array.isArray(existing.services_section)
    ? (existing.services_section as unknown[]).filter(
        (row): row is Record<string, unknown> => typeof row === 'object' && row !== null,
      )
    : [];
  const rows: PrimeroRowData[] = [];
  for (const row of desired.services_section ?? []) {
    const current = existingRows.find((candidate) => candidate.unique_id === row.unique_id);
    if (current === undefined) {
      rows.push(withoutEmpty(row));
      continue;
    }
    const changed: PrimeroRowData = { unique_id: row.unique_id };
    for (const [key, value] of Object.entries(row)) {
      if (key === 'unique_id' || value === undefined || value === null) continue;
      if (!sameValue(value, current[key])) changed[key] = value;
    }
    if (Object.keys(changed).length > 1) rows.push(changed);
  }
  if (rows.length > 0) patch.services_section = rows;
  return patch;
}
