import type { JsonObject } from './json.ts';

/**
 * The referral status machine (Referral#process!, v2.5.7): `in_progress → accepted | rejected`,
 * `accepted → done`; DELETE revokes from any status. A request for the current status, a transition
 * not in this table, or an unknown status does nothing (and the API still answers 200).
 */

export type ReferralAction = 'accept' | 'reject' | 'done';

export function referralAction(current: string, requested: unknown): ReferralAction | undefined {
  if (requested === current) return undefined;
  switch (requested) {
    case 'accepted':
      return current === 'in_progress' ? 'accept' : undefined;
    case 'rejected':
      return current === 'in_progress' ? 'reject' : undefined;
    case 'done':
      return current === 'accepted' ? 'done' : undefined;
    default:
      return undefined;
  }
}

/** Referral#consent_given?: CP needs both flags, GBV only `consent_for_services`, other modules never. */
export function consentGiven(data: JsonObject): boolean {
  switch (data.module_id) {
    case 'primeromodule-gbv':
      return isTruthy(data.consent_for_services);
    case 'primeromodule-cp':
      return isTruthy(data.disclosure_other_orgs) && isTruthy(data.consent_for_services);
    default:
      return false;
  }
}

function isTruthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false;
}
