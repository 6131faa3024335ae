type Json = Record<string, unknown>;

/**
 * What OSCaR already has from the sync's point of view, read from its client list: the Primero ids of each
 * linked client, and the status of each referral. The oscar-writer remembers what it sent (`links`,
 * `decisions_sent`) and sends only what differs; at the cut-over it knows nothing yet, so without this it
 * would send every link and every decision the legacy job already sent. `pnpm cutover:prime` writes it
 * into the oscar-writer's tables before the first sync.
 */
export interface KnownOscarState {
  /** By OSCaR `global_id`: the Primero `case_id` / `case_id_display` OSCaR shows (`''` for none). */
  readonly links: ReadonlyMap<string, { readonly caseId: string; readonly caseIdDisplay: string }>;
  /** By `decisionKey(global_id, referral_id)`: the referral status OSCaR shows. */
  readonly decisions: ReadonlyMap<string, string>;
  /**
   * Primero referrals the oscar-writer already sent (`sent`) or holds back until the case has its OSCaR
   * global_id (`awaiting_global_id`), by Primero referral id. Empty at the cut-over; read from its tables after.
   */
  readonly sentReferrals: ReadonlyMap<string, 'sent' | 'awaiting_global_id' | 'sending'>;
}

export const nothingKnown: KnownOscarState = {
  links: new Map(),
  decisions: new Map(),
  sentReferrals: new Map(),
};

export function decisionKey(globalId: string, referralId: number): string {
  return `${globalId}#${referralId}`;
}

/**
 * Reads the known state from `GET /api/v1/organizations/clients` items. A global id whose clients in two
 * NGOs show different Primero ids is left out (the writer will send the link, which sets both).
 */
export function knownOscarState(clients: readonly Json[]): KnownOscarState {
  const links = new Map<string, { caseId: string; caseIdDisplay: string }>();
  const conflicting = new Set<string>();
  const decisions = new Map<string, string>();
  for (const client of clients) {
    const globalId = typeof client.global_id === 'string' ? client.global_id : '';
    if (globalId === '') continue;
    const caseId = typeof client.external_id === 'string' ? client.external_id.trim() : '';
    if (caseId !== '') {
      const link = {
        caseId,
        caseIdDisplay: typeof client.external_id_display === 'string' ? client.external_id_display : '',
      };
      const seen = links.get(globalId);
      if (seen && (seen.caseId !== link.caseId || seen.caseIdDisplay !== link.caseIdDisplay))
        conflicting.add(globalId);
      else links.set(globalId, link);
    }
    for (const service of Array.isArray(client.services) ? (client.services as Json[]) : []) {
      if (typeof service.referral_id !== 'number' || typeof service.referral_status !== 'string') continue;
      decisions.set(decisionKey(globalId, service.referral_id), service.referral_status);
    }
  }
  for (const globalId of conflicting) links.delete(globalId);
  return { links, decisions, sentReferrals: new Map() };
}
