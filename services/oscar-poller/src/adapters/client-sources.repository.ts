import type { Kysely } from 'kysely';

import type { ClientSource } from '../core/client-source.policy.ts';
import type { ClientSourcesDatabase } from './client-sources.table.ts';

/** What the poll needs of `client_sources`: a small port. */
export interface ClientSourceStore {
  /** The clients followed for the given global_ids. */
  read: (globalIds: readonly string[]) => Promise<Map<string, ClientSource>>;
  /**
   * Records clients now followed (the caller checked no other NGO's is); never takes a global_id over. In
   * `trx` when given (the transaction that commits the clients' events).
   */
  save: (sources: readonly ClientSource[], trx?: Kysely<ClientSourcesDatabase>) => Promise<void>;
}

export function createClientSourceStore(db: Kysely<ClientSourcesDatabase>): ClientSourceStore {
  return {
    read: async (globalIds) => {
      const found = new Map<string, ClientSource>();
      const unique = [...new Set(globalIds)];
      for (let i = 0; i < unique.length; i += 1000) {
        const rows = await db
          .selectFrom('client_sources')
          .select(['global_id', 'organization', 'slug'])
          .where('global_id', 'in', unique.slice(i, i + 1000))
          .execute();
        for (const row of rows) {
          found.set(row.global_id, {
            globalId: row.global_id,
            organization: row.organization,
            slug: row.slug,
          });
        }
      }
      return found;
    },
    save: async (sources, trx = db) => {
      const rows = [...new Map(sources.map((s) => [s.globalId, s])).values()].map((s) => ({
        global_id: s.globalId,
        organization: s.organization,
        slug: s.slug,
      }));
      for (let i = 0; i < rows.length; i += 1000) {
        await trx
          .insertInto('client_sources')
          .values(rows.slice(i, i + 1000))
          .onConflict((oc) =>
            oc
              .column('global_id')
              .doUpdateSet({ slug: (eb) => eb.ref('excluded.slug') })
              .whereRef('client_sources.organization', '=', 'excluded.organization'),
          )
          .execute();
      }
    },
  };
}
