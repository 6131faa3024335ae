import type { PollerStateDatabase } from '@pos/messaging';
import { type ColumnType, type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';

/** One case the poller has handled: the `last_updated_at` it had then, the mapping version, the outcome. */
export interface CaseReadsTable {
  /** Primero's record `id`. */
  record_id: string;
  /** The id its rejection is recorded under (`case_id`, else `id`), as in `rejected_records.source_id`. */
  source_id: string;
  last_updated_at: string;
  mappings_version: string;
  rejected: boolean;
  read_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Which Primero case the sync follows for one OSCaR client (see `linkConflict`). */
export interface OscarLinksTable {
  oscar_number: string;
  record_id: string;
  case_id: string;
  linked_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/**
 * `case_reads`, the shared `rejected_records` it is read against, and `oscar_links`. A type, not an
 * interface, so that a poll's transaction can take these tables on (`trx.withTables<CaseReadsDatabase>()`).
 */
export type CaseReadsDatabase = Pick<PollerStateDatabase, 'rejected_records'> & {
  case_reads: CaseReadsTable;
  oscar_links: OscarLinksTable;
};

/**
 * The primero-poller's own tables, beside the shared poller state (outbox, cursor, fingerprints): the cases
 * it has read (`case_reads`) and which case it follows for each OSCaR client (`oscar_links`). Ids and times
 * only: no case content.
 */
export function caseReadsMigrations(): Record<string, Migration> {
  return {
    '2026-12-08T00.00-case-reads': {
      up: async (db) => {
        await db.schema
          .createTable('case_reads')
          .addColumn('record_id', 'text', (c) => c.primaryKey())
          .addColumn('source_id', 'text', (c) => c.notNull())
          .addColumn('last_updated_at', 'text', (c) => c.notNull())
          .addColumn('mappings_version', 'text', (c) => c.notNull())
          .addColumn('rejected', 'boolean', (c) => c.notNull().defaultTo(false))
          .addColumn('read_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createIndex('case_reads_last_updated_at')
          .on('case_reads')
          .column('last_updated_at')
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('case_reads').execute();
      },
    },
    '2026-12-16T00.00-oscar-links': {
      up: async (db) => {
        await db.schema
          .createTable('oscar_links')
          .addColumn('oscar_number', 'text', (c) => c.primaryKey())
          .addColumn('record_id', 'text', (c) => c.notNull())
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema.createIndex('oscar_links_record_id').on('oscar_links').column('record_id').execute();
      },
      down: async (db) => {
        await db.schema.dropTable('oscar_links').execute();
      },
    },
  };
}

/**
 * Migrates the primero-poller's own tables in its schema, before the shared plumbing starts polling. Their
 * bookkeeping has a table of its own (`primero_poller_migration`), because the shared one
 * (`startPollerPlumbing`) knows only the shared migrations and refuses a schema with others applied.
 */
export async function migrateCaseReads(db: Kysely<unknown>, schema: string): Promise<MigrationResultSet> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    migrationTableSchema: schema,
    migrationTableName: 'primero_poller_migration',
    migrationLockTableName: 'primero_poller_migration_lock',
    provider: { getMigrations: async () => caseReadsMigrations() },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`migrating the primero-poller's tables in schema "${schema}" failed`, {
      cause: result.error,
    });
  }
  return result;
}
