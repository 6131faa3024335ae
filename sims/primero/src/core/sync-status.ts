import type { JsonObject, JsonValue } from './json.ts';
import { isPresent } from './present.ts';

/**
 * The sync-status callback (Webhookable, v2.5.7 and v2.11; docs/upstream/primero.md §14.4): which case keys
 * mark a record synced, the audit row such a save writes, and the `sync_status` / `synced_at` a case shows.
 */

/** The keys `sync_external` adds to the write schema and to what a user may read. */
export const syncFieldTypes: ReadonlyMap<string, 'boolean' | 'string'> = new Map([
  ['synced_at', 'string'],
  ['sync_status', 'string'],
  ['mark_synced', 'boolean'],
  ['mark_synced_url', 'string'],
  ['mark_synced_status', 'string'],
]);

export const markSyncedKeys = ['mark_synced', 'mark_synced_url', 'mark_synced_status'] as const;

export interface SyncLog {
  /** `mark_synced_url`, or null when the save did not carry one. */
  readonly url: string | null;
  readonly status: JsonValue;
}

/**
 * `before_update :log_sync_status, :clean_sync_attributes, if: :valid_sync_log`, on the merged data of an
 * update: when `mark_synced_status` or `mark_synced` is present, the row to log, and the three keys are
 * removed from `data` (they are never stored). Otherwise undefined and `data` is left as it is, so a lone
 * `mark_synced: false` or `mark_synced_url` stays on the record. `mark_synced_status` wins whatever its
 * value (Ruby's `||`: an empty string counts); else `mark_synced` gives `synced`.
 *
 * @example takeSyncLog({ mark_synced: true, mark_synced_url: 'https://x/hook' }) // { url: 'https://x/hook', status: 'synced' }
 */
export function takeSyncLog(data: JsonObject): SyncLog | undefined {
  const status = data.mark_synced_status;
  const marked = data.mark_synced;
  if (!isPresent(status) && !isPresent(marked)) return undefined;
  const url = data.mark_synced_url;
  const log: SyncLog = {
    url: typeof url === 'string' ? url : null,
    status:
      status !== undefined && status !== null && status !== false ? status : marked ? 'synced' : 'failed',
  };
  for (const key of markSyncedKeys) delete data[key];
  return log;
}

export interface StatusRow {
  readonly id: number;
  readonly resourceUrl: string | null;
  readonly timestamp: number;
  readonly status: JsonValue | undefined;
}

export interface SyncStatus {
  /** Status of the newest of the per-destination latest rows, or undefined when there is none. */
  readonly syncStatus: JsonValue | undefined;
  /** Epoch ms of the newest per-destination latest row that reads `synced`. */
  readonly syncedAt: number | undefined;
}

/**
 * `Webhookable#webhook_status`, `sync_status` and `synced_at`: for each destination (`resource_url`) the
 * row with the latest timestamp; rows without a url never match the query's join and are left out. Then
 * `sync_status` is the newest of those and `synced_at` the time of the newest of those that is `synced` —
 * so the echo's `sent` row for the receiver's own url hides the `synced` row before it.
 */
export function syncStatusOf(rows: readonly StatusRow[]): SyncStatus {
  const latest = new Map<string, StatusRow>();
  for (const row of rows) {
    if (row.resourceUrl === null) continue;
    const current = latest.get(row.resourceUrl);
    if (current === undefined || newer(row, current)) latest.set(row.resourceUrl, row);
  }
  const ordered = [...latest.values()].sort((a, b) => (newer(a, b) ? -1 : 1));
  const synced = ordered.find((row) => row.status === 'synced');
  return { syncStatus: ordered[0]?.status, syncedAt: synced?.timestamp };
}

/** Later timestamp first; rows of the same millisecond in the order they were written. */
function newer(a: StatusRow, b: StatusRow): boolean {
  return a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id);
}
