import type { JsonObject, JsonValue } from '../core/json.ts';
import { syncFieldTypes, syncStatusOf } from '../core/sync-status.ts';
import { renderCase } from '../http/render.ts';
import type { SimContext } from '../sim-context.ts';
import { roleOf } from '../sim-context.ts';
import type { AuditLogStore } from '../state/audit-log-store.ts';
import { webhookStatusOf } from '../state/audit-log-store.ts';
import type { StoredCase } from '../state/case-store.ts';
import type { User } from '../state/directory.ts';

/** `sync_status` and `synced_at` (ISO 8601) of a case, from its webhook audit rows. */
export function caseSyncStatus(
  auditLogs: AuditLogStore,
  recordId: string,
): { syncStatus: JsonValue | undefined; syncedAt: string | undefined } {
  const computed = syncStatusOf(
    auditLogs.forRecord(recordId).map((row) => ({
      id: row.id,
      resourceUrl: row.resourceUrl,
      timestamp: row.timestamp,
      status: webhookStatusOf(row),
    })),
  );
  return {
    syncStatus: computed.syncStatus,
    syncedAt: computed.syncedAt === undefined ? undefined : new Date(computed.syncedAt).toISOString(),
  };
}

/**
 * A case as `user` reads it (GET one and the list): with `sync_external` the computed `sync_status` and
 * `synced_at` follow `last_updated_at` (left out while nil); without it no sync field is shown, stored or not.
 */
export function renderCaseFor(
  ctx: SimContext,
  user: User,
  stored: StoredCase,
  selected: ReadonlySet<string> | undefined,
): JsonObject {
  const out = renderCase(stored, selected);
  if (!roleOf(ctx, user).syncExternal) {
    for (const key of syncFieldTypes.keys()) delete out[key];
    return out;
  }
  const wanted = (key: string) => selected === undefined || selected.has(key);
  if (!wanted('sync_status') && !wanted('synced_at')) return out;
  const status = caseSyncStatus(ctx.auditLogs, stored.id);
  if (wanted('sync_status') && status.syncStatus !== undefined && status.syncStatus !== null) {
    delete out.sync_status;
    out.sync_status = status.syncStatus;
  }
  if (wanted('synced_at') && status.syncedAt !== undefined) {
    delete out.synced_at;
    out.synced_at = status.syncedAt;
  }
  return out;
}
