/**
 * A Primero webhook notice (docs/upstream/primero.md, "Webhooks"): `{"data": {"record_id", "record_type",
 * …fields}}`, with no event name, no delivery id and no signature. The fields are those the webhook's role may
 * read, as they were when the job ran — possibly after later saves, possibly before — so the sync takes the
 * record id and nothing else, and reads the case again.
 */
export type Notice = { ok: true; recordId: string } | { ok: false; reason: 'MALFORMED' | 'NOT_A_CASE' };

/** Primero record ids are UUIDs; anything else is not a case we can read. */
const recordIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The case a notice is about, or why it names none. Incidents and tracing requests send notices too
 * (`record_type` other than `case`): they are not the sync's.
 *
 * @example
 * parseNotice({ data: { record_id: '0b8f…', record_type: 'case', sex: 'female' } }) // { ok: true, recordId: '0b8f…' }
 */
export function parseNotice(body: unknown): Notice {
  if (typeof body !== 'object' || body === null) return { ok: false, reason: 'MALFORMED' };
  const data = (body as { data?: unknown }).data;
  if (typeof data !== 'object' || data === null) return { ok: false, reason: 'MALFORMED' };
  const { record_id: recordId, record_type: recordType } = data as {
    record_id?: unknown;
    record_type?: unknown;
  };
  if (recordType !== undefined && recordType !== 'case') return { ok: false, reason: 'NOT_A_CASE' };
  if (typeof recordId !== 'string' || !recordIdPattern.test(recordId)) {
    return { ok: false, reason: 'MALFORMED' };
  }
  return { ok: true, recordId: recordId.toLowerCase() };
}
