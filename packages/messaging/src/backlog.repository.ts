import type { BacklogReadings } from '@pos/runtime';
import type { Kysely } from 'kysely';

import type { PollerStateDatabase } from './poller-state.ts';
import { retryBacklog } from './retry-store.ts';
import type { DeadLetterDatabase, InboxDatabase, OutboxDatabase } from './tables.ts';

/**
 * What a metrics scrape reads of a service's own schema: a few aggregates, each cheap — the unpublished
 * outbox rows have a partial index (`outbox_unpublished`), cursors are a row per poller, and the retries
 * and open dead letters are what an operator has to look at anyway, so few.
 */
export async function pollerBacklog(
  db: Kysely<PollerStateDatabase & DeadLetterDatabase>,
): Promise<BacklogReadings> {
  const [outbox, cursors, openDeadLetters] = await Promise.all([
    outboxBacklog(db),
    db.selectFrom('cursor').select(['name', 'value']).execute(),
    openDeadLetterCounts(db),
  ]);
  return { outbox, cursors, openDeadLetters };
}

export async function writerBacklog(db: Kysely<InboxDatabase>): Promise<BacklogReadings> {
  const [retries, openDeadLetters] = await Promise.all([retryBacklog(db), openDeadLetterCounts(db)]);
  return { retriesWaiting: retries.waiting, openDeadLetters };
}

/** Outbox rows not yet published, and when the oldest of them was written. */
export async function outboxBacklog(
  db: Kysely<OutboxDatabase>,
): Promise<{ unpublished: number; oldestCreatedAt: Date | null }> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { unpublished: Number(row.n), oldestCreatedAt: row.oldest === null ? null : new Date(row.oldest) };
}

/** Dead letters neither replayed nor discarded, by code. */
export async function openDeadLetterCounts(
  db: Kysely<DeadLetterDatabase>,
): Promise<Array<{ code: string; count: number }>> {
  const rows = await db
    .selectFrom('dead_letters')
    .select((eb) => ['code', eb.fn.countAll<string>().as('n')])
    .where('replayed_at', 'is', null)
    .where('discarded_at', 'is', null)
    .groupBy('code')
    .execute();
  return rows.map((row) => ({ code: row.code, count: Number(row.n) }));
}
