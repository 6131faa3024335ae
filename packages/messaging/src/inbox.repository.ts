// The writer's memory of what it handled: the `inbox` (one row per event id, the outcome) drops duplicates,
// and `subject_progress` (per subject and progress key, the newest event id applied) drops an event older
// than one already applied.
import { type Kysely, sql } from 'kysely';

import type { InboxDatabase } from './tables.ts';

/** How an event was handled before, or `null` when it was not. */
export async function findInboxOutcome(db: Kysely<InboxDatabase>, eventId: string): Promise<string | null> {
  const row = await db
    .selectFrom('inbox')
    .select('outcome')
    .where('event_id', '=', eventId)
    .executeTakeFirst();
  return row?.outcome ?? null;
}

/** The newest event id applied for this subject and progress key, or `null`. */
export async function findSubjectProgress(
  db: Kysely<InboxDatabase>,
  subject: string,
  progressKey: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('subject_progress')
    .select('last_event_id')
    .where('subject', '=', subject)
    .where('route', '=', progressKey)
    .executeTakeFirst();
  return row?.last_event_id ?? null;
}

/**
 * Records an event's outcome, and with `advance` moves the subject's high-water mark to it (never back),
 * in one transaction.
 */
export async function recordInbox(
  db: Kysely<InboxDatabase>,
  entry: {
    eventId: string;
    route: string;
    subject: string;
    progressKey: string;
    outcome: 'applied' | 'skipped' | 'stale';
    advance: boolean;
  },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('inbox')
      .values({ event_id: entry.eventId, route: entry.route, subject: entry.subject, outcome: entry.outcome })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
    if (!entry.advance) return;
    await trx
      .insertInto('subject_progress')
      .values({ subject: entry.subject, route: entry.progressKey, last_event_id: entry.eventId })
      .onConflict((oc) =>
        oc.columns(['subject', 'route']).doUpdateSet({
          last_event_id: sql<string>`greatest(subject_progress.last_event_id, excluded.last_event_id)`,
          updated_at: sql<Date>`now()`,
        }),
      )
      .execute();
  });
}
