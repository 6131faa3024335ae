import type { Kysely } from 'kysely';

import type { OscarLink } from '../core/oscar-link.policy.ts';
import type { CaseReadsDatabase } from './case-reads.table.ts';

/** A mapped case and the OSCaR number it holds now (null: none, so it lets go of any it held). */
export interface LinkedCase {
  recordId: string;
  caseId: string;
  oscarNumber: string | null;
}

/** What the poll needs of `oscar_links`: a small port. */
export interface OscarLinkStore {
  /** The cases that hold the given OSCaR numbers. */
  read: (oscarNumbers: readonly string[]) => Promise<Map<string, OscarLink>>;
  /**
   * Records what mapped cases hold now: a case takes the number it carries unless another case holds it (the
   * caller checked), and lets go of any other number it held. In `trx` when given (the transaction that
   * commits the cases' events), else in a transaction of its own.
   */
  save: (cases: readonly LinkedCase[], trx?: Kysely<CaseReadsDatabase>) => Promise<void>;
}

export function createOscarLinkStore(db: Kysely<CaseReadsDatabase>): OscarLinkStore {
  return {
    read: async (oscarNumbers) => {
      const found = new Map<string, OscarLink>();
      const unique = [...new Set(oscarNumbers)];
      for (let i = 0; i < unique.length; i += 1000) {
        const rows = await db
          .selectFrom('oscar_links')
          .select(['oscar_number', 'record_id', 'case_id'])
          .where('oscar_number', 'in', unique.slice(i, i + 1000))
          .execute();
        for (const row of rows) {
          found.set(row.oscar_number, {
            oscarNumber: row.oscar_number,
            recordId: row.record_id,
            caseId: row.case_id,
          });
        }
      }
      return found;
    },
    save: async (cases, within) => {
      if (cases.length === 0) return;
      const inTransaction = (work: (trx: Kysely<CaseReadsDatabase>) => Promise<void>) =>
        within === undefined ? db.transaction().execute(work) : work(within);
      await inTransaction(async (trx) => {
        for (const linked of cases) {
          let released = trx.deleteFrom('oscar_links').where('record_id', '=', linked.recordId);
          if (linked.oscarNumber !== null)
            released = released.where('oscar_number', '<>', linked.oscarNumber);
          await released.execute();
          if (linked.oscarNumber === null) continue;
          await trx
            .insertInto('oscar_links')
            .values({ oscar_number: linked.oscarNumber, record_id: linked.recordId, case_id: linked.caseId })
            // Never taken from another case: only the holder itself refreshes its row.
            .onConflict((oc) =>
              oc
                .column('oscar_number')
                .doUpdateSet({ case_id: (eb) => eb.ref('excluded.case_id') })
                .where('oscar_links.record_id', '=', linked.recordId),
            )
            .execute();
        }
      });
    },
  };
}
