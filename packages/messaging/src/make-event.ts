import type { Routes, RoutingKey, SourceSystem } from '@pos/contracts';

import { newEventId } from './event-id.ts';

type DataOf<K extends RoutingKey> = Routes[K]['data'];

const typeOf = (route: RoutingKey): 'CaseChanged' | 'ReferralDecision' =>
  route.endsWith('.case.changed') ? 'CaseChanged' : 'ReferralDecision';

/**
 * Wraps event data in its envelope: a fresh UUIDv7 event id (also the correlation id of a new chain),
 * schema version 1, the source system and the ordering subject.
 */
export function makeEvent<K extends RoutingKey>(
  route: K,
  data: DataOf<K>,
  meta: { source: SourceSystem; subject: string; occurredAt: Date; causationId?: string | null },
): Routes[K] {
  const eventId = newEventId();
  const event = {
    type: typeOf(route),
    data,
    metadata: {
      eventId,
      schemaVersion: 1,
      occurredAt: meta.occurredAt.toISOString(),
      source: meta.source,
      subject: meta.subject,
      correlationId: eventId,
      causationId: meta.causationId ?? null,
    },
  };
  return event as Routes[K];
}
