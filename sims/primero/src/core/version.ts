/**
 * Behaviour that changed between Primero releases (docs/upstream/primero.md §13). The default, v2.5, stands for
 * the v2.5–v2.10 line the OpenFn integration ran against.
 */

export interface VersionFlags {
  readonly version: string;
  /** v2.10.3+: `per` is capped at 1000. */
  readonly perPageCap: number | null;
  /** v2.0–v2.10: login returns the JWT as `token` in the body (and the Authorization header). */
  readonly tokenInLoginBody: boolean;
  /** v2.0–v2.10: a native user's JWT is accepted as `Authorization: Bearer`. */
  readonly bearerAccepted: boolean;
  /** v2.5–v2.10 (Solr): a filter that cannot be built (open-start range `..to`) gives 500; later it is ignored. */
  readonly invalidFilterCrashes: boolean;
  /** v2.11+ (SQL search): ID-field filter values stay strings (no leading zeros lost). */
  readonly rawIdFilterValues: boolean;
  /** HTTP status for a missing `data` param: 500 (ParameterMissing unmapped) before v2.11, 422 after. */
  readonly missingDataStatus: 500 | 422;
}

export const supportedVersionHint = 'set it to a Primero version such as 2.5, 2.10.3 or 2.11';

/** `2.10.3` → [2, 10, 3]; undefined when the string is not a dotted version of the v2 line. */
export function parseVersion(version: string): number[] | undefined {
  if (!/^2(\.\d+){1,3}$/.test(version)) return undefined;
  return version.split('.').map(Number);
}

function atLeast(parts: readonly number[], wanted: readonly number[]): boolean {
  for (let i = 0; i < wanted.length; i += 1) {
    const have = parts[i] ?? 0;
    const want = wanted[i] ?? 0;
    if (have !== want) return have > want;
  }
  return true;
}

export function versionFlags(version: string): VersionFlags {
  const parts = parseVersion(version);
  if (parts === undefined)
    throw new Error(`Primero version ${JSON.stringify(version)} is not valid: ${supportedVersionHint}`);
  const v211 = atLeast(parts, [2, 11]);
  return {
    version,
    perPageCap: atLeast(parts, [2, 10, 3]) ? 1000 : null,
    tokenInLoginBody: !v211,
    bearerAccepted: !v211,
    invalidFilterCrashes: !v211,
    rawIdFilterValues: v211,
    missingDataStatus: v211 ? 422 : 500,
  };
}
