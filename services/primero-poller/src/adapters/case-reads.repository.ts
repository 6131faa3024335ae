import { type Kysely, sql } from 'kysely';

import type { CaseRead, RememberedRead } from '../core/reread.policy.ts';
import type { CaseReadsDatabase } from './case-reads.table.ts';

/** A case handled by a poll, to remember once its events are committed. */
export interface HandledCase extends CaseRead {
  sourceId: string;
  rejected: boolean;
}

/** What the poll needs of `case_reads`: a small port. */
export interface CaseReadStore {
  /** What is remembered of the given record ids. */
  read: (recordIds: readonly string[]) => Promise<Map<string, RememberedRead>>;
  /** Remembers cases handled, in `trx` when given (the transaction that commits their events). */
  save: (cases: readonly HandledCase[], trx?: Kysely<CaseReadsDatabase>) => Promise<void>;
  /**
   * Forgets cases last handled before `cursor`: the next poll lists only cases with a `last_updated_at` at or
   * after it, which such a row can never match.
   */
  pruneBefore: (cursor: string) => Promise<void>;
}

export function createCaseReadStore(db: Kysely<CaseReadsDatabase>): CaseReadStore {
  return {
    read: async (recordIds) => {
      const found = new Map<string, RememberedRead>();
      for (let i = 0; i < recordIds.length; i += 1000) {
        const rows = await db
          .selectFrom('case_reads')
          .leftJoin('rejected_records', 'rejected_records.source_id', 'case_reads.source_id')
          .select([
            'case_reads.record_id',
            'case_reads.last_updated_at',
            'case_reads.mappings_version',
            'case_reads.rejected',
            'rejected_records.source_id as rejection',
          ])
          .where('case_reads.record_id', 'in', recordIds.slice(i, i + 1000))
          .execute();
        for (const row of rows) {
          found.set(row.record_id, {
            recordId: row.record_id,
            lastUpdatedAt: row.last_updated_at,
            mappingsVersion: row.mappings_version,
            rejected: row.rejected,
            rejectionOnRecord: row.rejection !== null,
          });
        }
      }
      return found;
    },
    save: async (cases, trx = db) => {
      // One row per record: a case listed twice in a walk is saved with its last reading.
      const rows = [...new Map(cases.map((handled) => [handled.recordId, handled])).values()].map(
        (handled) => ({
          record_id: handled.recordId,
          source_id: handled.sourceId,
          last_updated_at: handled.lastUpdatedAt,
          mappings_version: handled.mappingsVersion,
          rejected: handled.rejected,
        }),
      );
      for (let i = 0; i < rows.length; i += 1000) {
        await trx
          .insertInto('case_reads')
          .values(rows.slice(i, i + 1000))
          .onConflict((oc) =>
            oc.column('record_id').doUpdateSet({
              source_id: (eb) => eb.ref('excluded.source_id'),
              last_updated_at: (eb) => eb.ref('excluded.last_updated_at'),
              mappings_version: (eb) => eb.ref('excluded.mappings_version'),
              rejected: (eb) => eb.ref('excluded.rejected'),
              read_at: sql`now()`,
            }),
          )
          .execute();
      }
    },
    pruneBefore: async (cursor) => {
      await db.deleteFrom('case_reads').where('last_updated_at', '<', cursor).execute();
    },
  };
}
