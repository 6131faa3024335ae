import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** A pg pool with an error listener, so an idle client dropped by the server never crashes the process. */
export function createPool(databaseUrl: string, options: { max?: number; applicationName: string }): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 5,
    application_name: options.applicationName,
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use and readiness reports it.
  });
  return pool;
}

export function createDb<DB>(pool: pg.Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

export async function pingPostgres(pool: pg.Pool): Promise<void> {
  await pool.query('select 1');
}
