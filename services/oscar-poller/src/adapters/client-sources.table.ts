import { type ColumnType, type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';

/** Which NGO's client the sync follows for one global_id (see `sourceConflict`). Ids and codes only. */
export interface ClientSourcesTable {
  global_id: string;
  organization: string;
  slug: string | null;
  followed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

// A type, not an interface, so that a poll's transaction can take it on (`trx.withTables<…>()`).
export type ClientSourcesDatabase = {
  client_sources: ClientSourcesTable;
};

/** The oscar-poller's own tables, beside the shared poller state (outbox, cursor, fingerprints). */
export function clientSourcesMigrations(): Record<string, Migration> {
  return {
    '2026-12-16T00.00-client-sources': {
      up: async (db) => {
        await db.schema
          .createTable('client_sources')
          .addColumn('global_id', 'text', (c) => c.primaryKey())
          .addColumn('organization', 'text', (c) => c.notNull())
          .addColumn('slug', 'text')
          .addColumn('followed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('client_sources').execute();
      },
    },
  };
}

/**
 * Migrates the oscar-poller's own tables in its schema, before the shared plumbing starts polling. Their
 * bookkeeping has a table of its own (`oscar_poller_migration`), because the shared one
 * (`startPollerPlumbing`) knows only the shared migrations and refuses a schema with others applied.
 */
export async function migrateClientSources(db: Kysely<unknown>, schema: string): Promise<MigrationResultSet> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    migrationTableSchema: schema,
    migrationTableName: 'oscar_poller_migration',
    migrationLockTableName: 'oscar_poller_migration_lock',
    provider: { getMigrations: async () => clientSourcesMigrations() },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`migrating the oscar-poller's tables in schema "${schema}" failed`, {
      cause: result.error,
    });
  }
  return result;
}
