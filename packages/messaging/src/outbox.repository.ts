import { context, propagation } from '@opentelemetry/api';
import type { Routes, RoutingKey } from '@pos/contracts';
import { type Kysely, sql } from 'kysely';

import type { OutboxDatabase } from './tables.ts';

/** The LISTEN/NOTIFY channel a schema's relay wakes up on. */
export function outboxChannel(schema: string): string {
  return `${schema}_outbox`;
}

export interface OutboxEvent<K extends RoutingKey = RoutingKey> {
  route: K;
  event: Routes[K];
  /** W3C trace context of the span that emitted this event; default: the active context. */
  headers?: Record<string, string>;
}

/**
 * Writes events to the outbox inside the caller's transaction (the same one that advances the cursor),
 * with the current W3C trace context, and notifies the relay when that transaction commits.
 */
export async function insertOutbox<DB extends OutboxDatabase>(
  trx: Kysely<DB>,
  schema: string,
  events: readonly OutboxEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const db = trx as unknown as Kysely<OutboxDatabase>;
  const active: Record<string, string> = {};
  propagation.inject(context.active(), active);
  await db
    .insertInto('outbox')
    .values(
      events.map(({ route, event, headers }) => ({
        event_id: event.metadata.eventId,
        route,
        subject: event.metadata.subject,
        payload: JSON.stringify(event),
        headers: JSON.stringify(headers ?? active),
      })),
    )
    .execute();
  await sql`select pg_notify(${outboxChannel(schema)}, '')`.execute(db);
}

/** Outbox rows not yet published, oldest first. */
export async function countUnpublished(db: Kysely<OutboxDatabase>): Promise<number> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('published_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
