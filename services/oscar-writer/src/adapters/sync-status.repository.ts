import type { DeadLetterDatabase } from '@pos/messaging';
import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

import type { SyncStatus } from '../core/sync-status.policy.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** `changed_at` is compared with the value read back into a Date: millisecond precision, as JavaScript's. */
const msNow = sql<Date>`date_trunc('milliseconds', now())`;

/**
 * The sync status owed to Primero, one row per case: whether its latest change reached OSCaR (`synced`) or
 * was dead-lettered (`failed`), and whether Primero has been told. Ids only.
 */
export interface SyncStatusDatabase extends DeadLetterDatabase {
  sync_status: {
    /** The events' subject, `primero:<case_id>`: what a dead letter names. */
    subject: string;
    /** Primero's record `id` (the one `PATCH /api/v2/cases/:id` takes). */
    record_id: string;
    /** Null while its events were only tried (the record id is kept for a dead letter to come). */
    status: SyncStatus | null;
    /** When `status` last changed; a report is owed while `reported_at` is older. */
    changed_at: Timestamp;
    reported_at: Timestamp | null;
    report_attempts: Generated<number>;
    next_report_at: Timestamp;
  };
  /** How far the dead letters have been read for `failed` statuses. */
  sync_status_scan: { name: string; last_dead_letter_id: string };
}

export function syncStatusMigrations(): Record<string, Migration> {
  return {
    '2026-12-02T00.10-oscar-writer-sync-status': {
      up: async (db) => {
        await db.schema
          .createTable('sync_status')
          .addColumn('subject', 'text', (c) => c.primaryKey())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('status', 'text')
          .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(msNow))
          .addColumn('reported_at', 'timestamptz')
          .addColumn('report_attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('next_report_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        // The reporter's query: statuses not yet reported, due now.
        await db.schema
          .createIndex('sync_status_owed')
          .on('sync_status')
          .column('next_report_at')
          .where(sql<boolean>`status is not null and (reported_at is null or reported_at < changed_at)`)
          .execute();
        await db.schema
          .createTable('sync_status_scan')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('last_dead_letter_id', 'bigint', (c) => c.notNull())
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('sync_status_scan').execute();
        await db.schema.dropTable('sync_status').execute();
      },
    },
  };
}

/** A case's change reached OSCaR: `synced` is owed to Primero (replacing any status not yet reported). */
export async function recordSynced(
  db: Kysely<SyncStatusDatabase>,
  row: { subject: string; recordId: string },
): Promise<void> {
  await db
    .insertInto('sync_status')
    .values({ subject: row.subject, record_id: row.recordId, status: 'synced' })
    .onConflict((oc) =>
      oc.column('subject').doUpdateSet({
        record_id: row.recordId,
        status: 'synced',
        changed_at: msNow,
        report_attempts: 0,
        next_report_at: sql`now()`,
      }),
    )
    .execute();
}

/** An event of the case failed (it may be retried, or dead-lettered): keep its record id for a `failed`. */
export async function recordTried(
  db: Kysely<SyncStatusDatabase>,
  row: { subject: string; recordId: string },
): Promise<void> {
  await db
    .insertInto('sync_status')
    .values({ subject: row.subject, record_id: row.recordId, status: null })
    .onConflict((oc) => oc.column('subject').doUpdateSet({ record_id: row.recordId }))
    .execute();
}

/**
 * Turns the dead letters written since the last scan into `failed` statuses, for the cases whose record id
 * is known and whose status did not change after the dead letter (a later change that reached OSCaR wins).
 * Returns how many statuses became `failed`.
 */
export async function recordDeadLettered(
  db: Kysely<SyncStatusDatabase>,
  routes: readonly string[],
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const scan = await trx
      .selectFrom('sync_status_scan')
      .select('last_dead_letter_id')
      .where('name', '=', 'dead_letters')
      .forUpdate()
      .executeTakeFirst();
    const after = scan?.last_dead_letter_id ?? '0';
    const newest = await trx
      .selectFrom('dead_letters')
      .select((eb) => eb.fn.max('id').as('id'))
      .where('id', '>', after)
      .executeTakeFirst();
    const upTo = newest?.id ?? null;
    if (upTo === null) return 0;
    const deadLettered = trx
      .selectFrom('dead_letters')
      .select(['subject', (eb) => eb.fn.max('failed_at').as('failed_at')])
      .where('id', '>', after)
      .where('id', '<=', upTo)
      .where('route', 'in', [...routes])
      .where('subject', 'is not', null)
      .groupBy('subject')
      .as('d');
    const failedAt = sql<Date>`date_trunc('milliseconds', d.failed_at)`;
    const failed = await trx
      .updateTable('sync_status')
      .from(deadLettered)
      .set({ status: 'failed', changed_at: failedAt, report_attempts: 0, next_report_at: msNow })
      .whereRef('sync_status.subject', '=', 'd.subject')
      .where((eb) =>
        eb.or([eb('sync_status.status', 'is', null), eb('sync_status.changed_at', '<', failedAt)]),
      )
      .returning('sync_status.subject')
      .execute();
    await trx
      .insertInto('sync_status_scan')
      .values({ name: 'dead_letters', last_dead_letter_id: String(upTo) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ last_dead_letter_id: String(upTo) }))
      .execute();
    return failed.length;
  });
}

/** A status owed to Primero. */
export interface OwedReport {
  subject: string;
  recordId: string;
  status: SyncStatus;
  changedAt: Date;
  attempts: number;
}

/** Up to `limit` statuses owed to Primero and due now, oldest first. */
export async function owedReports(db: Kysely<SyncStatusDatabase>, limit: number): Promise<OwedReport[]> {
  const rows = await db
    .selectFrom('sync_status')
    .select(['subject', 'record_id', 'status', 'changed_at', 'report_attempts'])
    .where('status', 'is not', null)
    .where((eb) => eb.or([eb('reported_at', 'is', null), eb('reported_at', '<', eb.ref('changed_at'))]))
    .where('next_report_at', '<=', sql<Date>`now()`)
    .orderBy('next_report_at')
    .limit(limit)
    .execute();
  return rows.flatMap((row) =>
    row.status === null
      ? []
      : [
          {
            subject: row.subject,
            recordId: row.record_id,
            status: row.status,
            changedAt: row.changed_at,
            attempts: row.report_attempts,
          },
        ],
  );
}

/** The status was reported (or will never be): done, unless it changed meanwhile. */
export async function settleReport(db: Kysely<SyncStatusDatabase>, report: OwedReport): Promise<void> {
  await db
    .updateTable('sync_status')
    .set({ reported_at: report.changedAt })
    .where('subject', '=', report.subject)
    .where('changed_at', '=', report.changedAt)
    .execute();
}

/** The report failed and is tried again at `next`. */
export async function deferReport(
  db: Kysely<SyncStatusDatabase>,
  report: OwedReport,
  next: Date,
): Promise<void> {
  await db
    .updateTable('sync_status')
    .set({ report_attempts: report.attempts + 1, next_report_at: next })
    .where('subject', '=', report.subject)
    .where('changed_at', '=', report.changedAt)
    .execute();
}
