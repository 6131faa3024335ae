import type { ColumnType, Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Migration } from 'kysely/migration';

import { insertOutbox, type OutboxEvent } from './outbox.repository.ts';
import type { OutboxDatabase } from './tables.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface PollerStateDatabase extends OutboxDatabase {
  cursor: { name: string; value: string; updated_at: Timestamp };
  fingerprints: { key: string; fingerprint: string; updated_at: Timestamp };
  rejected_records: {
    source_id: string;
    code: string;
    reason: string;
    fingerprint: string;
    last_seen: Timestamp;
  };
}

/** Cursor, last-emitted fingerprints and rejected records of a poller, next to its outbox. */
export function pollerStateMigrations(): Record<string, Migration> {
  return {
    '2026-11-29T00.01-poller-state': {
      up: async (db) => {
        await db.schema
          .createTable('cursor')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createTable('fingerprints')
          .addColumn('key', 'text', (c) => c.primaryKey())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createTable('rejected_records')
          .addColumn('source_id', 'text', (c) => c.primaryKey())
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('fingerprint', 'text', (c) => c.notNull())
          .addColumn('last_seen', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('rejected_records').execute();
        await db.schema.dropTable('fingerprints').execute();
        await db.schema.dropTable('cursor').execute();
      },
    },
  };
}

export async function readCursor(db: Kysely<PollerStateDatabase>, name: string): Promise<string | null> {
  const row = await db.selectFrom('cursor').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value ?? null;
}

/** Of the given key → fingerprint pairs, those whose fingerprint differs from the one last emitted. */
export async function changedFingerprints(
  db: Kysely<PollerStateDatabase>,
  entries: ReadonlyMap<string, string>,
): Promise<Set<string>> {
  const keys = [...entries.keys()];
  const stored = new Map<string, string>();
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await db
      .selectFrom('fingerprints')
      .select(['key', 'fingerprint'])
      .where('key', 'in', keys.slice(i, i + 1000))
      .execute();
    for (const row of rows) stored.set(row.key, row.fingerprint);
  }
  return new Set(keys.filter((key) => stored.get(key) !== entries.get(key)));
}

/**
 * The hand-off: events, their fingerprints and (optionally) the advanced cursor, in one transaction. The
 * cursor moves only together with everything it covered being durably queued.
 */
export async function commitPoll(
  db: Kysely<PollerStateDatabase>,
  schema: string,
  input: {
    events: readonly OutboxEvent[];
    fingerprints: ReadonlyMap<string, string>;
    cursor?: { name: string; value: string };
    /** More writes that must commit with these events (a poller's own tables), in the same transaction. */
    alsoWrite?: (trx: Kysely<PollerStateDatabase>) => Promise<void>;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await insertOutbox<PollerStateDatabase>(trx, schema, input.events);
    const rows = [...input.fingerprints].map(([key, fingerprint]) => ({ key, fingerprint }));
    for (let i = 0; i < rows.length; i += 1000) {
      await trx
        .insertInto('fingerprints')
        .values(rows.slice(i, i + 1000))
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ fingerprint: (eb) => eb.ref('excluded.fingerprint'), updated_at: sql`now()` }),
        )
        .execute();
    }
    if (input.cursor) {
      await trx
        .insertInto('cursor')
        .values({ name: input.cursor.name, value: input.cursor.value })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({ value: input.cursor?.value ?? '', updated_at: sql`now()` }),
        )
        .execute();
    }
    await input.alsoWrite?.(trx);
  });
}

/**
 * Records a malformed source record. Returns true the first time this content is rejected (the caller
 * then dead-letters it), false when the same content was already rejected.
 */
export async function recordRejected(
  db: Kysely<PollerStateDatabase>,
  record: { sourceId: string; code: string; reason: string; fingerprint: string },
): Promise<boolean> {
  const existing = await db
    .selectFrom('rejected_records')
    .select('fingerprint')
    .where('source_id', '=', record.sourceId)
    .executeTakeFirst();
  await db
    .insertInto('rejected_records')
    .values({
      source_id: record.sourceId,
      code: record.code,
      reason: record.reason,
      fingerprint: record.fingerprint,
    })
    .onConflict((oc) =>
      oc.column('source_id').doUpdateSet({
        code: record.code,
        reason: record.reason,
        fingerprint: record.fingerprint,
        last_seen: sql`now()`,
      }),
    )
    .execute();
  return existing?.fingerprint !== record.fingerprint;
}

/** Forgets a record's rejection once it maps again. */
export async function clearRejected(
  db: Kysely<PollerStateDatabase>,
  sourceIds: readonly string[],
): Promise<void> {
  if (sourceIds.length === 0) return;
  await db
    .deleteFrom('rejected_records')
    .where('source_id', 'in', [...sourceIds])
    .execute();
}
