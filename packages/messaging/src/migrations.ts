import { type Kysely, sql } from 'kysely';
import { type Migration, type MigrationResultSet, Migrator } from 'kysely/migration';

import { deadLetterMigrations } from './dead-letters.ts';
import { retryMigrations } from './retry-store.ts';

/** Tables of a poller's outbox, in the poller's own schema. */
export function outboxMigrations(): Record<string, Migration> {
  return {
    '2026-11-29T00.00-outbox': {
      up: async (db) => {
        await db.schema
          .createTable('outbox')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
          .addColumn('route', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('payload', 'jsonb')
          .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('published_at', 'timestamptz')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex('outbox_unpublished')
          .on('outbox')
          .column('id')
          .where(sql.ref('published_at'), 'is', null)
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('outbox').execute();
      },
    },
  };
}

/** Tables of a writer's inbox and dead-letter copy, in the writer's own schema. */
export function inboxMigrations(): Record<string, Migration> {
  return {
    '2026-11-29T00.00-inbox': {
      up: async (db) => {
        await db.schema
          .createTable('inbox')
          .addColumn('event_id', 'uuid', (c) => c.primaryKey())
          .addColumn('route', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema.createIndex('inbox_processed_at').on('inbox').column('processed_at').execute();
        await db.schema
          .createTable('subject_progress')
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('route', 'text', (c) => c.notNull())
          .addColumn('last_event_id', 'uuid', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addPrimaryKeyConstraint('subject_progress_pk', ['subject', 'route'])
          .execute();
        await db.schema
          .createTable('dead_letters')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('event_id', 'uuid')
          .addColumn('route', 'text')
          .addColumn('subject', 'text')
          .addColumn('case_id', 'text')
          .addColumn('global_id', 'text')
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('original_routing_key', 'text')
          .addColumn('original_queue', 'text', (c) => c.notNull())
          .addColumn('payload', 'jsonb')
          .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
          .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('replayed_at', 'timestamptz')
          .execute();
        await db.schema.createIndex('dead_letters_case_id').on('dead_letters').column('case_id').execute();
        await db.schema
          .createIndex('dead_letters_global_id')
          .on('dead_letters')
          .column('global_id')
          .execute();
        await db.schema
          .createIndex('dead_letters_subject')
          .on('dead_letters')
          .columns(['subject', 'id'])
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('dead_letters').execute();
        await db.schema.dropTable('subject_progress').execute();
        await db.schema.dropTable('inbox').execute();
      },
    },
    ...retryMigrations(),
    ...deadLetterMigrations(),
  };
}

/**
 * Migrates a service's own schema with kysely's Migrator: creates the schema, then applies the given
 * migrations (timestamp-named, in order) with the migration bookkeeping in that schema too.
 * `db` must already be scoped to the schema (`db.withSchema(schema)`).
 */
export async function migrateSchema(
  db: Kysely<unknown>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<MigrationResultSet> {
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const migrator = new Migrator({
    db: db.withSchema(schema),
    migrationTableSchema: schema,
    provider: { getMigrations: async () => migrations },
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw new Error(`migrating schema "${schema}" failed`, { cause: result.error });
  }
  return result;
}
