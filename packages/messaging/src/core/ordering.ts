import type { Routes, RoutingKey } from '@pos/contracts';

/**
 * The key under which a consumer remembers the newest event it applied, so an older one that arrives
 * late (back from a retry, redelivered after a crash) is dropped instead of undoing the newer one.
 *
 * A `CaseChanged` is a snapshot of the whole case, so the newest one of a case covers every older one: the
 * key is the route. A `ReferralDecision` is about one referral of the case: a decision on one referral
 * says nothing about another, so its key includes the referral; a case-wide key would drop the first
 * referral's decision whenever the second one's was applied while the first waited for a retry.
 */
export function progressKeyOf(route: string, event: Routes[RoutingKey]): string {
  if (event.type !== 'ReferralDecision') return route;
  const ref = event.data.referral;
  const referral =
    ref.oscarReferralId !== null
      ? `oscar:${ref.oscarReferralId}`
      : (ref.primeroReferralId ?? ref.primeroServiceId ?? ref.oscarServiceName ?? ref.primeroSubtype ?? '?');
  return `${route}#${referral}`;
}
