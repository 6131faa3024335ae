import type { PrimeroClient } from '@pos/clients';
import { PermanentError } from '@pos/messaging';

type UnknownRecord = Record<string, unknown>;

/**
 * Looks a case up by its cross-system ids: `case_id` first, then `oscar_number`. Never guesses: more than
 * one match is a permanent failure naming the key, so an operator merges or disables the duplicates in
 * Primero and replays; none is `null`.
 */
export async function findCaseByIds(
  primero: PrimeroClient,
  ids: { caseId: string | null; oscarGlobalId: string | null },
  signal: AbortSignal,
  what: string,
): Promise<UnknownRecord | null> {
  const lookups: Array<{ case_id: string } | { oscar_number: string }> = [];
  if (ids.caseId) lookups.push({ case_id: ids.caseId });
  if (ids.oscarGlobalId) lookups.push({ oscar_number: ids.oscarGlobalId });
  if (lookups.length === 0) {
    throw new PermanentError(
      'MISSING_KEY',
      `${what}: neither a Primero case_id nor an OSCaR global_id to look the case up by`,
    );
  }
  for (const filter of lookups) {
    const matches = await primero.findCases(filter, { signal });
    if (matches.length > 1) {
      const [key, value] = Object.entries(filter)[0] ?? ['?', '?'];
      throw new PermanentError(
        'AMBIGUOUS_IDENTITY',
        `${what}: ${matches.length} Primero cases have ${key} ${value} — merge or disable the duplicates in Primero, then replay`,
      );
    }
    const [match] = matches;
    if (match) return match;
  }
  return null;
}
