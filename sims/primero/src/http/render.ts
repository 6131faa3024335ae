import type { JsonObject, JsonValue } from '../core/json.ts';
import type { StoredCase } from '../state/case-store.ts';
import type { User } from '../state/directory.ts';
import type { Referral } from '../state/referral-store.ts';

/**
 * JSON views (api/v2/records/_record and api/v2/transitions/_transition, v2.5.7): a record is `id`,
 * `enabled`, the selected fields that have a key in its data, then `last_updated_at`; a transition is
 * its columns without nulls, `record_type: "case"`, and the computed access flags.
 */

/** Keys rendered first, in this order, when present; the rest follow in stored order. */
const leadingKeys = [
  'case_id',
  'case_id_display',
  'short_id',
  'status',
  'record_state',
  'module_id',
  'workflow',
];

/** Computed per request (RecordDataService#embed_*); rendered only when selected. */
const computed: Readonly<Record<string, (stored: StoredCase) => JsonValue>> = {
  record_in_scope: () => true,
  alert_count: () => 0,
  flag_count: () => 0,
};

/**
 * @param selected field names to render; undefined renders every stored field and the computed ones.
 */
export function renderCase(stored: StoredCase, selected?: ReadonlySet<string>): JsonObject {
  const out: JsonObject = { id: stored.id, enabled: stored.enabled };
  const data = stored.data;
  const wanted = (key: string) => key !== 'last_updated_at' && (selected === undefined || selected.has(key));
  for (const key of leadingKeys) {
    const value = data[key];
    if (value !== undefined && wanted(key)) out[key] = value;
  }
  for (const [key, value] of Object.entries(data)) {
    if (!(key in out) && wanted(key)) out[key] = value;
  }
  for (const [key, compute] of Object.entries(computed)) {
    if (selected === undefined || selected.has(key)) out[key] = compute(stored);
  }
  out.last_updated_at = data.last_updated_at ?? null;
  return out;
}

export function renderReferral(referral: Referral, viewer: User, record?: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(referral) as [string, JsonValue][]) {
    if (value === null) continue;
    out[key] = key === 'record_type' ? 'case' : value;
  }
  out.record_access_denied = false;
  out.user_can_accept_or_reject =
    !referral.remote && referral.status === 'in_progress' && viewer.userName === referral.transitioned_to;
  if (record !== undefined) out.record = record;
  return out;
}
