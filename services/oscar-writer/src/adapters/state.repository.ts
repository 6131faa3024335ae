import type { InboxDatabase } from '@pos/messaging';
import { type ColumnType, type Generated, type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** What OSCaR already has from us, so an unchanged case causes no write and a referral is sent once. */
export interface OscarWriterDatabase extends InboxDatabase {
  sent_referrals: {
    /** The stable identity of the outbound referral (the Primero referral id). */
    referral_key: string;
    case_id: string;
    organization: string;
    /**
     * `sent`; `awaiting_global_id` when OSCaR already has the case and needs its global_id; `sending` from
     * just before the upsert until its answer is recorded (found on a redelivery, it means the writer
     * stopped while OSCaR may or may not have saved the referral).
     */
    state: 'sent' | 'awaiting_global_id' | 'sending';
    sent_with_global_id: string | null;
    updated_at: Timestamp;
  };
  links: { global_id: string; case_id: string; case_id_display: string; updated_at: Timestamp };
  decisions_sent: { global_id: string; referral_id: number; status: string; updated_at: Timestamp };
  /** Referrals sent again after a stop left it unknown whether OSCaR had saved them: possible duplicates to check. */
  ambiguous_sends: {
    id: Generated<string>;
    referral_key: string;
    case_id: string;
    organization: string;
    detected_at: Timestamp;
  };
}

export function oscarWriterMigrations(): Record<string, Migration> {
  return {
    '2026-12-01T00.20-oscar-writer-ambiguous-sends': {
      up: async (db) => {
        await db.schema
          .createTable('ambiguous_sends')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('referral_key', 'text', (c) => c.notNull())
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('organization', 'text', (c) => c.notNull())
          .addColumn('detected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('ambiguous_sends').execute();
      },
    },
    '2026-11-29T00.10-oscar-writer-state': {
      up: async (db) => {
        await db.schema
          .createTable('sent_referrals')
          .addColumn('referral_key', 'text', (c) => c.primaryKey())
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('organization', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('sent_with_global_id', 'text')
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createTable('links')
          .addColumn('global_id', 'text', (c) => c.primaryKey())
          .addColumn('case_id', 'text', (c) => c.notNull())
          .addColumn('case_id_display', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema
          .createTable('decisions_sent')
          .addColumn('global_id', 'text', (c) => c.notNull())
          .addColumn('referral_id', 'integer', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addPrimaryKeyConstraint('decisions_sent_pk', ['global_id', 'referral_id'])
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('decisions_sent').execute();
        await db.schema.dropTable('links').execute();
        await db.schema.dropTable('sent_referrals').execute();
      },
    },
  };
}

export async function findSentReferral(db: Kysely<OscarWriterDatabase>, key: string) {
  return db.selectFrom('sent_referrals').selectAll().where('referral_key', '=', key).executeTakeFirst();
}

export async function saveSentReferral(
  db: Kysely<OscarWriterDatabase>,
  row: {
    referral_key: string;
    case_id: string;
    organization: string;
    state: 'sent' | 'awaiting_global_id' | 'sending';
    sent_with_global_id: string | null;
  },
): Promise<void> {
  await db
    .insertInto('sent_referrals')
    .values(row)
    .onConflict((oc) =>
      oc.column('referral_key').doUpdateSet({
        state: row.state,
        sent_with_global_id: row.sent_with_global_id,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

export async function findLink(db: Kysely<OscarWriterDatabase>, globalId: string) {
  return db.selectFrom('links').selectAll().where('global_id', '=', globalId).executeTakeFirst();
}

export async function saveLink(
  db: Kysely<OscarWriterDatabase>,
  row: { global_id: string; case_id: string; case_id_display: string },
): Promise<void> {
  await db
    .insertInto('links')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('global_id')
        .doUpdateSet({ case_id: row.case_id, case_id_display: row.case_id_display, updated_at: sql`now()` }),
    )
    .execute();
}

export async function findDecisionSent(
  db: Kysely<OscarWriterDatabase>,
  globalId: string,
  referralId: number,
) {
  return db
    .selectFrom('decisions_sent')
    .selectAll()
    .where('global_id', '=', globalId)
    .where('referral_id', '=', referralId)
    .executeTakeFirst();
}

export async function saveDecisionSent(
  db: Kysely<OscarWriterDatabase>,
  row: { global_id: string; referral_id: number; status: string },
): Promise<void> {
  await db
    .insertInto('decisions_sent')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['global_id', 'referral_id']).doUpdateSet({ status: row.status, updated_at: sql`now()` }),
    )
    .execute();
}

/** Forgets a `sending` mark after OSCaR answered that it did not save the referral. */
export async function restoreSentReferral(
  db: Kysely<OscarWriterDatabase>,
  key: string,
  previous:
    { state: 'sent' | 'awaiting_global_id' | 'sending'; sent_with_global_id: string | null } | undefined,
): Promise<void> {
  if (!previous || previous.state === 'sending') {
    await db.deleteFrom('sent_referrals').where('referral_key', '=', key).execute();
    return;
  }
  await db
    .updateTable('sent_referrals')
    .set({ state: previous.state, sent_with_global_id: previous.sent_with_global_id, updated_at: sql`now()` })
    .where('referral_key', '=', key)
    .execute();
}

export async function recordAmbiguousSend(
  db: Kysely<OscarWriterDatabase>,
  row: { referral_key: string; case_id: string; organization: string },
): Promise<void> {
  await db.insertInto('ambiguous_sends').values(row).execute();
}
