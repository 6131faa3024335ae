/**
 * Referral transitions, kept per case in insertion order and by id (a referral is looked up globally
 * by its id, docs/upstream/primero.md §5.5).
 */

export type ReferralStatus = 'in_progress' | 'accepted' | 'rejected' | 'done' | 'revoked';

/** A `transitions` row; the key order is the table's column order, nulls are omitted on output. */
export interface Referral {
  id: string;
  type: 'Referral';
  status: ReferralStatus;
  record_id: string;
  record_type: 'Child';
  transitioned_to: string | null;
  transitioned_to_remote: string | null;
  transitioned_to_agency: string | null;
  rejected_reason: string | null;
  notes: string | null;
  transitioned_by: string;
  service: string | null;
  service_record_id: string | null;
  remote: boolean;
  type_of_export: string | null;
  consent_overridden: boolean;
  consent_individual_transfer: boolean;
  created_at: string;
  responded_at: string | null;
  rejection_note: string | null;
}

export interface ReferralStore {
  readonly size: number;
  get(id: string): Referral | undefined;
  forCase(caseId: string): readonly Referral[];
  add(referral: Referral): void;
  clear(): void;
}

export function createReferralStore(): ReferralStore {
  const byId = new Map<string, Referral>();
  const byCase = new Map<string, Referral[]>();
  return {
    get size() {
      return byId.size;
    },
    get: (id) => byId.get(id.toLowerCase()),
    forCase: (caseId) => byCase.get(caseId.toLowerCase()) ?? [],
    add(referral) {
      byId.set(referral.id.toLowerCase(), referral);
      const key = referral.record_id.toLowerCase();
      const list = byCase.get(key);
      if (list === undefined) byCase.set(key, [referral]);
      else list.push(referral);
    },
    clear() {
      byId.clear();
      byCase.clear();
    },
  };
}
