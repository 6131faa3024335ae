import { parseEvent, type Routes, type RoutingKey } from '@pos/contracts';
import type { Kysely } from 'kysely';

import { caseKeysOf } from './core/case-keys.ts';
import type { FailureInfo } from './core/failure.ts';
import { progressKeyOf } from './core/ordering.ts';
import type { Delivery } from './delivery.ts';
import { findInboxState } from './inbox.repository.ts';
import type { InboxDatabase } from './tables.ts';

export interface CaseKeys {
  caseId: string | null;
  globalId: string | null;
}

/**
 * What to do with a delivered message, decided before any handler runs:
 * - `dead-letter` at once: the body is not JSON (`INVALID_JSON`), breaks its route's contract (the
 *   contract's reason, naming the field), was delivered too often without completing (`POISON`: the
 *   service stopped while handling it), or has no handler here (`NO_HANDLER`);
 * - `duplicate`: the inbox has it already — acknowledge, nothing else;
 * - `stale`: an event newer than it was applied for its subject — record it as stale and acknowledge;
 * - `handle`: run its handler.
 */
export type Classification =
  | { kind: 'dead-letter'; failure: FailureInfo; keys: CaseKeys }
  | { kind: 'duplicate'; outcome: string }
  | { kind: 'stale'; event: Routes[RoutingKey]; progressKey: string; newer: string }
  | { kind: 'handle'; event: Routes[RoutingKey]; keys: CaseKeys; progressKey: string };

export async function classifyDelivery(
  db: Kysely<InboxDatabase>,
  delivery: Delivery,
  options: { poisonCount: number; handles: (route: RoutingKey) => boolean },
): Promise<Classification> {
  const { eventId, route } = delivery;
  let body: unknown;
  try {
    body = JSON.parse(delivery.message.content.toString('utf8'));
  } catch {
    return {
      kind: 'dead-letter',
      failure: {
        retryable: false,
        code: 'INVALID_JSON',
        message: `event ${eventId ?? '?'}: body is not JSON`,
      },
      keys: { caseId: null, globalId: null },
    };
  }
  const parsed = parseEvent(route, body);
  if (!parsed.ok) {
    return {
      kind: 'dead-letter',
      failure: {
        retryable: false,
        code: parsed.reason,
        message: `event ${eventId ?? '?'} (${route}): ${parsed.message}`,
      },
      keys: caseKeysOf(body),
    };
  }
  const event = parsed.event;
  const keys = caseKeysOf(event);
  const id = event.metadata.eventId;

  const progressKey = progressKeyOf(route, event);
  // Both reads in one round trip; the decisions still go duplicate, then poison, then stale.
  const { outcome, lastApplied: newer } = await findInboxState(db, {
    eventId: id,
    subject: event.metadata.subject,
    progressKey,
  });
  if (outcome !== null) return { kind: 'duplicate', outcome };
  if (delivery.deliveryCount >= options.poisonCount) {
    return {
      kind: 'dead-letter',
      failure: {
        retryable: false,
        code: 'POISON',
        message: `event ${id}: delivered ${delivery.deliveryCount} times without completing (the service stopped while handling it)`,
      },
      keys,
    };
  }
  if (newer !== null && newer >= id) return { kind: 'stale', event, progressKey, newer };
  if (!options.handles(route as RoutingKey)) {
    return {
      kind: 'dead-letter',
      failure: { retryable: false, code: 'NO_HANDLER', message: `event ${id}: no handler for ${route}` },
      keys,
    };
  }
  return { kind: 'handle', event, keys, progressKey };
}
