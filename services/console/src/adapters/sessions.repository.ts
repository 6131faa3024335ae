import type { SessionStore } from '@fastify/session';
import { migrateSchema } from '@pos/messaging';
import { type ColumnType, type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

/** The console's own schema: only its sessions. */
export const consoleSchema = 'console';

/**
 * One signed-in (or signing-in) browser: the session's data as @fastify/session keeps it — the user name,
 * the CSRF secret, a one-time notice — and when it expires. No child data is ever put in a session.
 */
export interface SessionsTable {
  id: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
}

export interface ConsoleDatabase {
  sessions: SessionsTable;
}

export function sessionMigrations(): Record<string, Migration> {
  return {
    '2026-12-02T00.00-sessions': {
      up: async (db) => {
        await db.schema
          .createTable('sessions')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('data', 'jsonb', (c) => c.notNull())
          .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
      },
      down: async (db) => {
        await db.schema.dropTable('sessions').execute();
      },
    },
  };
}

export async function migrateConsole(db: Kysely<unknown>): Promise<void> {
  await migrateSchema(db, consoleSchema, sessionMigrations());
}

/**
 * Sessions kept in Postgres (an express-session compatible store for @fastify/session), so that a sign-out
 * ends the session on the server, a restart or a second replica keeps operators signed in, and nothing grows
 * in memory. An expired session reads as none; `prune` deletes them.
 */
export function createSessionStore(
  db: Kysely<ConsoleDatabase>,
  ttlMs: number,
): SessionStore & {
  prune: () => Promise<number>;
} {
  const expiryOf = (session: { cookie?: { expires?: Date | string | null } }) => {
    const expires = session.cookie?.expires;
    return expires ? new Date(expires) : new Date(Date.now() + ttlMs);
  };
  return {
    set: (id, session, callback) => {
      const data = JSON.stringify(session);
      db.insertInto('sessions')
        .values({ id, data, expires_at: expiryOf(session) })
        .onConflict((oc) => oc.column('id').doUpdateSet({ data, expires_at: expiryOf(session) }))
        .execute()
        .then(
          () => callback(),
          (error: unknown) => callback(error as Error),
        );
    },
    get: (id, callback) => {
      db.selectFrom('sessions')
        .select('data')
        .where('id', '=', id)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst()
        .then(
          // @fastify/session restores a session from the plain object it stored.
          (row) => callback(null, (row?.data ?? null) as unknown as Parameters<typeof callback>[1]),
          (error: unknown) => callback(error, null),
        );
    },
    destroy: (id, callback) => {
      db.deleteFrom('sessions')
        .where('id', '=', id)
        .execute()
        .then(
          () => callback(),
          (error: unknown) => callback(error as Error),
        );
    },
    prune: async () => {
      const result = await db
        .deleteFrom('sessions')
        .where('expires_at', '<=', sql<Date>`now()`)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
