import type { Kysely } from 'kysely';

import type { InboxDatabase, OutboxDatabase } from './tables.ts';

/** How long published outbox rows (ids and timestamps only; payloads are erased at publish) are kept. */
export const outboxRetentionMs = 7 * 24 * 3600_000;
/** The inbox's deduplication window: a redelivery or replay older than this is processed again (upserts are idempotent). */
export const inboxRetentionMs = 30 * 24 * 3600_000;
/** How often the relay and the consumer prune. */
export const pruneIntervalMs = 3600_000;

/** Deletes outbox rows published before `now - retentionMs`; returns how many. */
export async function pruneOutbox(
  db: Kysely<OutboxDatabase>,
  now: Date,
  retentionMs: number = outboxRetentionMs,
): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('published_at', '<', new Date(now.getTime() - retentionMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes inbox rows processed before `now - retentionMs`; returns how many. */
export async function pruneInbox(
  db: Kysely<InboxDatabase>,
  now: Date,
  retentionMs: number = inboxRetentionMs,
): Promise<number> {
  const result = await db
    .deleteFrom('inbox')
    .where('processed_at', '<', new Date(now.getTime() - retentionMs))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
