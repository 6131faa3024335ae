import type { Client } from './model.ts';
import { isBlank } from './rails-params.ts';

/**
 * The filter GET /organizations/clients applies to both groups (docs/upstream/oscar.md §2.1 step 1, quirk 5): a client
 * is listed only with a given name (Latin or local), a family name (Latin or local), a non-empty gender and a
 * date of birth.
 */
export function isListable(client: Client): boolean {
  return (
    !isBlank(`${client.givenName ?? ''}${client.localGivenName ?? ''}`) &&
    !isBlank(`${client.familyName ?? ''}${client.localFamilyName ?? ''}`) &&
    client.gender !== null &&
    client.gender !== '' &&
    client.dateOfBirth !== null
  );
}
