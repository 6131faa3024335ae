import type { CaseChangedData, ReferralDecisionData } from '@pos/contracts';

function canonicalize(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : canonicalize(item)));
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalize((value as { toJSON: () => unknown }).toJSON());
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && typeof item !== 'function') out[key] = canonicalize(item);
  }
  return out;
}

/**
 * JSON with object keys sorted at every level (arrays keep their order; `undefined` members are dropped as
 * `JSON.stringify` does), so equal content gives equal text. Services hash it (sha256) for fingerprints.
 *
 * @example canonicalJson({ b: 1, a: { d: [2, 1], c: null } }) // '{"a":{"c":null,"d":[2,1]},"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalize(value)) ?? 'null';
}

/**
 * The text a poller hashes for an event's fingerprint: canonical JSON without the fingerprint itself and
 * without volatile fields that change when nothing the other system cares about changed
 * (`sourceUpdatedAt`, bumped by every Primero save including our own echoes; a decision's `decidedAt`).
 */
export function fingerprintContent(
  data: Omit<CaseChangedData, 'fingerprint'> | CaseChangedData | ReferralDecisionData,
): string {
  if ('decidedAt' in data) {
    const { decidedAt: _decidedAt, ...stable } = data;
    return canonicalJson(stable);
  }
  const { sourceUpdatedAt: _sourceUpdatedAt, ...rest } = data;
  const { fingerprint: _fingerprint, ...stable } = rest as typeof rest & { fingerprint?: string };
  return canonicalJson(stable);
}
