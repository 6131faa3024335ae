/**
 * The nearest-rank percentile of values sorted ascending (`q` from 0 to 1); NaN when there are none.
 *
 * @example
 * percentile([120, 340, 900], 0.5); // 340
 */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}
