/**
 * The Primero `case_id` and OSCaR `global_id` an event is about, so an operator can find a dead letter by
 * either. Works on raw bodies too (an invalid event may still carry its ids).
 */
export function caseKeysOf(body: unknown): { caseId: string | null; globalId: string | null } {
  const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
  const ids =
    data && isRecord(data.ids) ? data.ids : data && isRecord(data.referral) ? data.referral : undefined;
  const pick = (value: unknown) =>
    typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : null;
  return { caseId: pick(ids?.caseId), globalId: pick(ids?.oscarGlobalId) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
