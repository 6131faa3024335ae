import type { z } from 'zod';

import { CaseChanged } from './case-changed.ts';
import { ReferralDecision } from './referral-decision.ts';

/**
 * The routing registry: AMQP routing key → event schema. `<source>.<aggregate>.<event>`.
 * Publishers and consumers look keys up here, so a key and its payload type cannot drift apart.
 *
 * @example publish('primero.case.changed', caseChangedEvent)
 */
export const routes = {
  /** Primero case with referrals to OSCaR NGOs, or a link back to an OSCaR client → oscar-writer. */
  'primero.case.changed': CaseChanged,
  /** Primero decided on a referral that came from OSCaR → oscar-writer (`update_statuses`). */
  'primero.referral.decided': ReferralDecision,
  /** OSCaR client shared with MoSVY (referred or not) → primero-writer (case upsert). */
  'oscar.case.changed': CaseChanged,
  /** An NGO decided on a referral that came from Primero → primero-writer (referral + service PATCH). */
  'oscar.referral.decided': ReferralDecision,
} as const;

export type Routes = { [K in keyof typeof routes]: z.infer<(typeof routes)[K]> };
export type RoutingKey = keyof Routes;

export const routingKeys = Object.keys(routes) as RoutingKey[];

export function isRoutingKey(key: string): key is RoutingKey {
  return Object.hasOwn(routes, key);
}

/** The expected outcome of checking a message against its route. */
export type ParseResult<K extends RoutingKey> =
  { ok: true; event: Routes[K] } | { ok: false; reason: 'UNKNOWN_ROUTE' | 'INVALID'; message: string };

/**
 * Checks a decoded message body against the schema of its routing key. The message names every bad field
 * by its path (`data.ids.caseId: Invalid input: expected string, received number`) and never its value.
 */
export function parseEvent<K extends RoutingKey>(key: K, body: unknown): ParseResult<K>;
export function parseEvent(key: string, body: unknown): ParseResult<RoutingKey>;
export function parseEvent(key: string, body: unknown): ParseResult<RoutingKey> {
  if (!isRoutingKey(key))
    return { ok: false, reason: 'UNKNOWN_ROUTE', message: `unknown routing key "${key}"` };
  const result = routes[key].safeParse(body);
  if (result.success) return { ok: true, event: result.data };
  const message = result.error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: 'INVALID', message };
}
