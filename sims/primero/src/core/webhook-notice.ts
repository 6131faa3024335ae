import type { JsonObject, JsonValue } from './json.ts';
import { rubySplit } from './ruby.ts';
import { syncFieldTypes } from './sync-status.ts';

/**
 * What one webhook delivery sends (ApiConnector::WebhookConnector + ApiConnector::Connection, v2.5.7;
 * docs/upstream/primero.md §14.2): the headers of the connection and the body built from the record as the
 * job loaded it, with the fields a user holding the webhook's role may read.
 */

export interface NoticeRole {
  readonly fields: 'all' | readonly string[];
  readonly syncExternal: boolean;
}

/** PermittedFieldService's fields for every role that can read cases, whatever its forms. */
const alwaysReadable: readonly string[] = [
  // PERMITTED_CORE_FIELDS_SCHEMA
  'status',
  'state',
  'case_status_reopened',
  'record_state',
  'incident_case_id',
  'registry_record_id',
  'created_at',
  'owned_by',
  'module_id',
  // PERMITTED_FILTER_FIELD_NAMES
  'record_in_scope',
  'associated_user_names',
  'not_edited_by_owner',
  'referred_users',
  'referred_users_present',
  'transferred_to_users',
  'transferred_to_user_groups',
  'has_photo',
  'survivor_code',
  'survivor_code_no',
  'case_id_display',
  'has_incidents',
  'short_id',
  'sex',
  'age',
  'registration_date',
  'date_closure',
  'reassigned_transferred_on',
  'current_alert_types',
  'location_current',
  'reporting_location_hierarchy',
  // Child
  'workflow',
  // PERMITTED_RECORD_INFORMATION_FIELDS
  'alert_count',
  'assigned_user_names',
  'created_by',
  'created_by_agency',
  'owned_by_agency_id',
  'owned_by_text',
  'owned_by_agency_office',
  'previous_agency',
  'previously_owned_by',
  'reassigned_tranferred_on',
  'reopened_logs',
  'last_updated_at',
  'last_updated_by',
  'owned_by_groups',
  'previously_owned_by_agency',
  'created_organization',
  'consent_for_services',
  'disclosure_other_orgs',
];

/**
 * Whether a holder of `role` reads `field` of a case: every stored field for the built-in roles (sync
 * fields only with `sync_external`), else the fields every case reader has plus the role's form fields.
 */
export function roleReads(role: NoticeRole, field: string): boolean {
  if (syncFieldTypes.has(field)) return role.syncExternal;
  if (role.fields === 'all') return true;
  return alwaysReadable.includes(field) || role.fields.includes(field);
}

export interface NoticeRecord {
  readonly id: string;
  readonly data: JsonObject;
}

export interface NoticeSyncStatus {
  readonly syncStatus: JsonValue | undefined;
  /** ISO 8601, or undefined. */
  readonly syncedAt: string | undefined;
}

/**
 * `{"data": {record_id, record_type: "case", hostname, …readable fields…, last_updated_at, sync_status?,
 * synced_at?}}`: no `id` and no event name; computed fields that are nil are left out.
 */
export function noticeBody(
  record: NoticeRecord,
  role: NoticeRole,
  hostname: string | null,
  status: NoticeSyncStatus,
): JsonObject {
  const data: JsonObject = { record_id: record.id, record_type: 'case', hostname };
  for (const [key, value] of Object.entries(record.data)) {
    if (key !== 'last_updated_at' && !syncFieldTypes.has(key) && roleReads(role, key)) data[key] = value;
  }
  if (roleReads(role, 'record_in_scope')) data.record_in_scope = true;
  if (role.fields === 'all') data.flag_count = 0;
  if (roleReads(role, 'alert_count')) data.alert_count = 0;
  data.last_updated_at = record.data.last_updated_at ?? null;
  if (role.syncExternal) {
    if (status.syncStatus !== undefined && status.syncStatus !== null) data.sync_status = status.syncStatus;
    if (status.syncedAt !== undefined) data.synced_at = status.syncedAt;
  }
  return { data };
}

export interface NoticeAuth {
  readonly authType: 'api_key' | 'basic_auth' | null;
  readonly authSecret: string | null;
}

/** Faraday 0.17 over net-http-persistent, as the connector builds it. */
export function noticeHeaders(auth: NoticeAuth): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'cache-control': 'no-cache',
    'User-Agent': 'Faraday v0.17.4',
    Accept: '*/*',
    'Accept-Encoding': 'gzip;q=1.0,deflate;q=0.6,identity;q=0.3',
  };
  const secret = auth.authSecret;
  if (secret === null || secret.trim() === '') return headers;
  if (auth.authType === 'api_key') headers['x-api-key'] = secret;
  if (auth.authType === 'basic_auth') headers.Authorization = basicAuthorization(secret);
  return headers;
}

/**
 * `username, password = secret.split(':')`, then Faraday's Basic header: a secret with a second colon
 * loses everything after it, and one without a colon has an empty password.
 *
 * @example basicAuthorization('sync:pa:ss') // 'Basic ' + base64('sync:pa')
 */
export function basicAuthorization(secret: string): string {
  const [user = '', password = ''] = rubySplit(secret, ':');
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** ActiveSupport's `to_json`: `<`, `>`, `&`, U+2028 and U+2029 escaped as `\uXXXX`. */
export function railsJson(value: JsonValue): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
