import { MappingError } from '@pos/mapping';

/** The Primero case the sync follows for one OSCaR client: the first mapped case that carried its number. */
export interface OscarLink {
  /** Primero `oscar_number` = the OSCaR client's `global_id`. */
  oscarNumber: string;
  /** Primero record `id` of the case holding it. */
  recordId: string;
  caseId: string;
}

/**
 * The OSCaR number a mapped case holds: its `oscar_number` when set and the case is enabled, else null (a
 * disabled case lets its OSCaR client go, so that a duplicate disabled in Primero no longer blocks the other).
 */
export function oscarNumberHeld(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return null;
  const { oscar_number: oscarNumber, enabled } = record as { oscar_number?: unknown; enabled?: unknown };
  if (enabled === false || typeof oscarNumber !== 'string' || oscarNumber.trim() === '') return null;
  return oscarNumber;
}

/**
 * Whether a case may carry its OSCaR number: one OSCaR client follows one Primero case (its link, its
 * referrals' client), so a second case with a number another case already holds is a duplicate — typed in
 * by hand, or left from a merge — and is refused rather than flip the client between the two. Returns the
 * case that holds the number, or null when this case may (no case holds it, or this one does).
 *
 * @example linkConflict(new Map([[g, heldByA]]), { oscarNumber: g, recordId: b, caseId }) // heldByA
 */
export function linkConflict(links: ReadonlyMap<string, OscarLink>, link: OscarLink): OscarLink | null {
  const held = links.get(link.oscarNumber);
  return held !== undefined && held.recordId !== link.recordId ? held : null;
}

/** The dead-letter reason for a duplicate: both case ids and the OSCaR number (ids only), and the fix. */
export function duplicateLinkError(link: OscarLink, held: OscarLink): MappingError {
  return new MappingError({
    code: 'IDENTITY_CONFLICT',
    recordKind: 'Primero case',
    recordId: link.caseId,
    field: 'oscar_number',
    detail:
      `OSCaR client ${link.oscarNumber} is already followed by Primero case ${held.caseId} — clear oscar_number ` +
      `on the duplicate in Primero (to keep this case instead, clear or disable it on ${held.caseId} first, then replay this dead letter)`,
  });
}
