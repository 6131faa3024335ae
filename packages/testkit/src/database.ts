import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

/** A fresh database, created from the test server's URL and dropped again afterwards. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  drop: () => Promise<void>;
}

export async function createTestDatabase(serverUrl: string, label = 'spec'): Promise<TestDatabase> {
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdminClient(serverUrl, async (client) => {
        await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [
          name,
        ]);
        await client.query(`drop database if exists "${name}"`);
      }),
  };
}

async function withAdminClient<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * Gives the calling spec file its own database for all its tests (created in beforeAll, dropped in
 * afterAll). Read `.url` inside tests or hooks, not at module load.
 */
export function useTestDatabase(label?: string): { readonly url: string } {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseUrl'), label);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return {
    get url() {
      if (!database) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
      return database.url;
    },
  };
}
