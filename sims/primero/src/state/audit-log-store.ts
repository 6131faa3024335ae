import type { JsonObject, JsonValue } from '../core/json.ts';

/**
 * The `audit_logs` rows the webhook machinery writes (docs/upstream/primero.md §14.2, §14.4): one per
 * delivery attempt, created `sending` and updated to `sent` or `failed` when the receiver answers; one per
 * mark-synced call; one per `POST /api/v2/cases/:id/sync`. Rows of other actions are not simulated.
 */

export interface AuditLogRow {
  /** Serial id, as the table's. */
  readonly id: number;
  /** The model: `Child` for cases. */
  readonly recordType: 'Child';
  readonly recordId: string;
  readonly action: 'webhook';
  /** The webhook url, the `mark_synced_url` sent (null when none), or `webhook` for a manual sync. */
  readonly resourceUrl: string | null;
  /** Epoch ms. */
  readonly timestamp: number;
  /** `webhook_status` and, once answered, `webhook_response`. Replaced wholesale on update. */
  metadata: JsonObject;
}

export interface AuditLogStore {
  readonly size: number;
  add(row: Omit<AuditLogRow, 'id'>): AuditLogRow;
  /** Rows of one case, oldest first. */
  forRecord(recordId: string): readonly AuditLogRow[];
  /** Every row, oldest first. */
  all(): readonly AuditLogRow[];
  clear(): void;
}

export function createAuditLogStore(): AuditLogStore {
  let rows: AuditLogRow[] = [];
  let byRecord = new Map<string, AuditLogRow[]>();
  let serial = 0;
  return {
    get size() {
      return rows.length;
    },
    add(input) {
      serial += 1;
      const row: AuditLogRow = { id: serial, ...input };
      rows.push(row);
      const key = row.recordId.toLowerCase();
      const list = byRecord.get(key);
      if (list === undefined) byRecord.set(key, [row]);
      else list.push(row);
      return row;
    },
    forRecord: (recordId) => byRecord.get(recordId.toLowerCase()) ?? [],
    all: () => rows,
    clear() {
      rows = [];
      byRecord = new Map();
    },
  };
}

/** The `webhook_status` a row holds (`sending`, `sent`, `failed`, `synced`, `not_found` or whatever was marked). */
export function webhookStatusOf(row: AuditLogRow): JsonValue | undefined {
  return row.metadata.webhook_status;
}
