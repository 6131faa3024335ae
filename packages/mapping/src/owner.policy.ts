import type { CaseChangedData } from '@pos/contracts';

import { MappingError, quoteCode } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import type { Result } from './record-parse.ts';
import { provinceCode, text } from './transforms.ts';

/** What the owner rule needs from an OSCaR-sourced `CaseChanged`. */
export type OwnerInput = Pick<
  CaseChangedData,
  'ids' | 'origin' | 'isReferred' | 'locationCode' | 'organizationAddressCode' | 'organization'
>;

/**
 * Primero owner user of a referred client: the province user of the province code (`provinces.csv`);
 * null when the client has no location code and the NGO no address code; an unknown province is a
 * permanent error naming the table to extend.
 */
export function provinceUser(event: OwnerInput, tables: MappingTables): Result<string | null> {
  const province = provinceCode(event.locationCode, event.organizationAddressCode);
  if (province === null) return { ok: true, value: null };
  if (!/^\d{2}$/.test(province.code)) {
    return {
      ok: false,
      error: new MappingError({
        code: 'INVALID_RECORD',
        recordKind: 'OSCaR client',
        recordId: event.ids.oscarGlobalId,
        field: province.field,
        detail:
          'is not a Cambodian admin code (digits), so the province user cannot be found — fix the address in OSCaR',
      }),
    };
  }
  const owner = tables.provinces.get(province.code);
  if (owner === undefined) {
    return {
      ok: false,
      error: new MappingError({
        code: 'UNKNOWN_PROVINCE',
        recordKind: 'OSCaR client',
        recordId: event.ids.oscarGlobalId,
        field: province.field,
        detail: `province "${province.code}" is not in config/mappings/provinces.csv — add a row for it`,
      }),
    };
  }
  return { ok: true, value: owner.primeroUser };
}

/**
 * Primero owner user of a client that was not referred: the generic user of the NGO's agency
 * (`agencies.csv`). An empty organisation or one the table lacks is a permanent error (legacy omitted the
 * owner silently for unknown organisations; we dead-letter so an administrator extends the table).
 */
export function agencyUser(event: OwnerInput, tables: MappingTables): Result<string> {
  const organization = text(event.organization);
  if (organization === null) {
    return {
      ok: false,
      error: new MappingError({
        code: 'MISSING_KEY',
        recordKind: 'OSCaR client',
        recordId: event.ids.oscarGlobalId,
        field: 'organization_name',
        detail:
          'the client has no organisation, so no agency user can own the case — fix the client in OSCaR',
      }),
    };
  }
  const agency = tables.agencies.get(organization);
  if (agency === undefined) {
    return {
      ok: false,
      error: new MappingError({
        code: 'UNKNOWN_ORGANIZATION',
        recordKind: 'OSCaR client',
        recordId: event.ids.oscarGlobalId,
        field: 'organization_name',
        detail: /^[a-z0-9_-]{1,40}$/.test(organization)
          ? `organisation "${organization}" is not in config/mappings/agencies.csv — add a row for it (${organization},agency-${organization},agency-${organization}-user)`
          : `organisation ${quoteCode(organization)} is not in config/mappings/agencies.csv — OSCaR names its NGOs by short codes; check the client's NGO in OSCaR`,
      }),
    };
  }
  return { ok: true, value: agency.primeroUser };
}

/**
 * `owned_by` for an OSCaR client's Primero case (docs/legacy-integration.md §5.3):
 *
 * | situation | owner |
 * |---|---|
 * | new case, `is_referred` | province user (`provinceUser`), null without any location code |
 * | new case, not referred | agency user (`agencyUser`) |
 * | existing case, OSCaR-originated (`origin: oscar`) | recomputed on every sync, as above |
 * | existing case, `resource: "primero"` (`origin: primero`) | undefined: keep the Primero owner |
 *
 * Returns undefined to omit the field, null when no owner can be derived (the caller omits it too).
 */
export function ownerFor(
  event: OwnerInput,
  isCreate: boolean,
  tables: MappingTables,
): Result<string | null | undefined> {
  if (!isCreate && event.origin === 'primero') return { ok: true, value: undefined };
  return event.isReferred === true ? provinceUser(event, tables) : agencyUser(event, tables);
}
