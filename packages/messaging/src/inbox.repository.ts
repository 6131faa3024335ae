// The writer's memory of what it handled: the `inbox` (one row per event id, the outcome) drops duplicates,
// and `subject_progress` (per subject and progress key, the newest event id applied) drops an event older
// than one already applied.
import { type Kysely, sql } from 'kysely';

import type { InboxDatabase } from './tables.ts';

/**
 * What the inbox knows before an event is handled, read in one statement (one round trip): how the event
 * was handled before (`outcome`, `null` when it was not), and the newest event id applied for its subject
 * and progress key (`lastApplied`, `null` when none was).
 */
export async function findInboxState(
  db: Kysely<InboxDatabase>,
  key: { eventId: string; subject: string; progressKey: string },
): Promise<{ outcome: string | null; lastApplied: string | null }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('inbox').select('outcome').where('event_id', '=', key.eventId).as('outcome'),
      eb
        .selectFrom('subject_progress')
        .select('last_event_id')
        .where('subject', '=', key.subject)
        .where('route', '=', key.progressKey)
        .as('last_applied'),
    ])
    .executeTakeFirstOrThrow();
  return { outcome: row.outcome ?? null, lastApplied: row.last_applied ?? null };
}

/**
 * Records an event's outcome, and with `advance` moves the subject's high-water mark to it (never back).
 * One statement either way, so it is atomic without a transaction (and costs one round trip, not four):
 * with `advance`, the inbox insert is a data-modifying CTE of the progress upsert, and Postgres runs it
 * exactly once, to completion, although the upsert does not read it.
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
  const inboxRow = {
    event_id: entry.eventId,
    route: entry.route,
    subject: entry.subject,
    outcome: entry.outcome,
  };
  if (!entry.advance) {
    await db
      .insertInto('inbox')
      .values(inboxRow)
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
    return;
  }
  await db
    .with('inserted', (qc) =>
      qc
        .insertInto('inbox')
        .values(inboxRow)
        .onConflict((oc) => oc.column('event_id').doNothing()),
    )
    .insertInto('subject_progress')
    .values({ subject: entry.subject, route: entry.progressKey, last_event_id: entry.eventId })
    .onConflict((oc) =>
      oc.columns(['subject', 'route']).doUpdateSet({
        last_event_id: sql<string>`greatest(subject_progress.last_event_id, excluded.last_event_id)`,
        updated_at: sql<Date>`now()`,
      }),
    )
    .execute();
}
