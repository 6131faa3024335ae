import type { ReferralState } from '@pos/contracts';

import { quoteCode } from './mapping-errors.ts';
import type { MappingTables } from './mapping-tables.ts';
import { oscarValue, primeroOption } from './primero-options.ts';

/** Transform rules of docs/legacy-integration.md §2.6, one small pure function each. */

/** True for null, undefined, `''` (after trimming) and empty arrays. */
export function isBlank(value: unknown): value is null | undefined | '' | [] {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/** A text value, or null when blank; numbers are stringified (Primero may return numeric codes). */
export function text(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'number' ? String(value) : value;
  return s.trim() === '' ? null : s;
}

/**
 * `oscarStrings` (outbound): OSCaR wants `""` instead of null. Truthy values pass unchanged; anything
 * falsy (null, undefined, `''`, `0`) becomes `''`.
 *
 * @example oscarStrings(null) // ''
 */
export function oscarStrings<T extends string | number | boolean>(value: T | null | undefined): T | '' {
  return value || '';
}

/**
 * `checkValue` (outbound location): `'NaN'` or falsy → `''`; a code of length 1, 3, 5 or 7 gets one
 * leading `0` back (Primero stores codes without leading zeros); other lengths pass unchanged.
 *
 * @example checkValue('2020202') // '02020202'
 */
export function checkValue(value: string | number | null | undefined): string {
  if (!value || value === 'NaN') return '';
  const code = String(value);
  return [1, 3, 5, 7].includes(code.length) ? `0${code}` : code;
}

/**
 * Inbound location: Primero stores admin codes without leading zeros (legacy: integer parse, then back to
 * text). Blank, non-numeric or all-zero codes give null.
 *
 * @example inboundLocation('01070101') // '1070101'
 */
export function inboundLocation(code: string | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  const trimmed = code.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const stripped = trimmed.replace(/^0+/, '');
  return stripped === '' ? null : stripped;
}

/** The province part of a location code and which field it came from. */
export interface ProvinceCode {
  readonly code: string;
  readonly field: 'location_current_village_code' | 'organization_address_code';
}

/**
 * Province code for the owner rule: the client's `location_current_village_code`, else the NGO's
 * `organization_address_code`. A code of odd length first gets its lost leading zero back (so `1070101`
 * reads as province `01`, not `10`: legacy bug 17). If the code starts with `00` the province is
 * characters 3–4, else characters 1–2. No code at all → null.
 *
 * @example provinceCode('01070101', null) // { code: '01', field: 'location_current_village_code' }
 * @example provinceCode('', '0004') // { code: '04', field: 'organization_address_code' }
 */
export function provinceCode(
  locationCode: string | null | undefined,
  organizationAddressCode: string | null | undefined,
): ProvinceCode | null {
  const location = text(locationCode);
  const fallback = text(organizationAddressCode);
  const source = location ?? fallback;
  if (source === null) return null;
  const field = location !== null ? 'location_current_village_code' : 'organization_address_code';
  const padded = checkValue(source.trim());
  const code = padded.startsWith('00') ? padded.slice(2, 4) : padded.slice(0, 2);
  return { code, field };
}

/**
 * DOB cleaning: OSCaR has produced 11-character years like `22012-01-01`; drop the first character.
 * Other values pass unchanged (check them with `isIsoDate`).
 *
 * @example cleanDateOfBirth('22012-01-01') // '2012-01-01'
 */
export function cleanDateOfBirth(value: string | null | undefined): string | null {
  const dob = text(value);
  if (dob === null) return null;
  return dob.length === 11 ? dob.slice(1) : dob;
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: string | null | undefined): value is string {
  if (value === null || value === undefined) return false;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * `calcAge`: 0 when the date of birth is blank or unreadable; d = this year − birth year; 0 when d > 30
 * or d < 1 (checked before the birthday adjustment, as legacy does); else d, minus 1 if this year's
 * birthday has not come yet. Uses the UTC calendar date of the injected `today`.
 *
 * @example calcAge('2014-09-08', new Date('2025-08-08T00:00:00Z')) // 10
 */
export function calcAge(dateOfBirth: string | null | undefined, today: Date): number {
  const dob = cleanDateOfBirth(dateOfBirth);
  if (dob === null) return 0;
  const match = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(dob);
  if (match === null) return 0;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const years = today.getUTCFullYear() - year;
  if (years > 30 || years < 1) return 0;
  const thisMonth = today.getUTCMonth() + 1;
  const birthdayPassed = thisMonth > month || (thisMonth === month && today.getUTCDate() >= day);
  return birthdayPassed ? years : years - 1;
}

/**
 * Inbound names: both the Khmer (local) and the English name → `"<local> (<given>)"`; only one → that
 * one; neither → null.
 *
 * @example displayName('ដូដូ', 'Dodo') // 'ដូដូ (Dodo)'
 */
export function displayName(
  local: string | null | undefined,
  latin: string | null | undefined,
): string | null {
  const l = text(local);
  const g = text(latin);
  if (l !== null && g !== null) return `${l} (${g})`;
  return l ?? g;
}

/**
 * Inbound gender: lower-cased, then `genders.csv` (`oscar_to_primero`); anything else, including blank,
 * → `other`.
 *
 * @example genderToPrimero('Female', tables) // 'female'
 */
export function genderToPrimero(gender: string | null | undefined, tables: MappingTables): string {
  const key = text(gender)?.toLowerCase();
  return (key === undefined ? undefined : tables.genders.oscarToPrimero.get(key)) ?? 'other';
}

/** Outbound gender: `genders.csv` (`primero_to_oscar`) when listed, else the value unchanged; blank → `''`. */
export function genderToOscar(sex: string | null | undefined, tables: MappingTables): string {
  const value = text(sex);
  if (value === null) return '';
  return tables.genders.primeroToOscar.get(value) ?? value;
}

/** A table lookup: the value (undefined = omit the field) or why the value is not in the table. */
export type Lookup = { ok: true; value: string | undefined } | { ok: false; detail: string };

/**
 * Outbound risk: Primero `risk_level` → OSCaR `level_of_risk` through `risk-levels.csv`
 * (`no_action` → `no action`); blank → omitted (there is no default since 2022-09-20).
 */
export function riskLevelToOscar(risk: string | null | undefined, tables: MappingTables): Lookup {
  const value = text(risk);
  if (value === null) return { ok: true, value: undefined };
  const mapped = tables.riskLevels.primeroToOscar.get(value);
  if (mapped === undefined) {
    return {
      ok: false,
      detail: `risk level ${quoteCode(value)} is not in config/mappings/risk-levels.csv — add a row for it`,
    };
  }
  return { ok: true, value: mapped };
}

/**
 * Inbound risk: OSCaR `level_of_risk` → Primero `risk_level` (`no action` → `no_action`); blank →
 * `fallback` (legacy: `no_action`; the case writer passes undefined on updates so nothing is overwritten).
 */
export function riskLevelToPrimero(
  level: string | null | undefined,
  tables: MappingTables,
  fallback: string | undefined,
): Lookup {
  const value = text(level);
  if (value === null) return { ok: true, value: fallback };
  const mapped = tables.riskLevels.oscarToPrimero.get(value);
  if (mapped === undefined) {
    return {
      ok: false,
      detail: `level of risk ${quoteCode(value)} is not in config/mappings/risk-levels.csv — add a row for it`,
    };
  }
  return { ok: true, value: mapped };
}

/**
 * Inbound referral status: OSCaR `referral_status` → Primero `referral_status_edf41f2`
 * (`referral-status.csv`, `oscar_to_primero_service`). `Referred` and unknown values → undefined: the
 * field is omitted so a Primero decision is never overwritten by a pending OSCaR status.
 */
export function serviceStatusToPrimero(
  status: string | null | undefined,
  tables: MappingTables,
): string | undefined {
  const value = text(status);
  if (value === null) return undefined;
  return tables.referralStatus.oscarToPrimeroService.get(value) ?? undefined;
}

/** Canonical decision state of an OSCaR `referral_status`: `Referred` → pending; unknown → null. */
export function referralStateOfOscar(
  status: string | null | undefined,
  tables: MappingTables,
): ReferralState | null {
  const value = text(status);
  if (value === null || !tables.referralStatus.oscarToPrimeroService.has(value)) return null;
  return referralStateOfPrimero(
    tables.referralStatus.oscarToPrimeroService.get(value) ?? primeroOption.pending,
  );
}

/** Canonical decision state of a Primero `referral_status_edf41f2`; blank or unknown → null. */
export function referralStateOfPrimero(status: string | null | undefined): ReferralState | null {
  switch (status) {
    case primeroOption.pending:
      return 'pending';
    case primeroOption.accepted:
      return 'accepted';
    case primeroOption.rejected:
      return 'rejected';
    default:
      return null;
  }
}

/** Primero `referral_status_edf41f2` option for a canonical decision. */
export function primeroServiceStatusOf(decision: 'accepted' | 'rejected'): string {
  return decision === 'accepted' ? primeroOption.accepted : primeroOption.rejected;
}

/**
 * Primero referral record `status` for a service status (`referral-status.csv`,
 * `primero_service_to_primero_referral`): `accepted_340953` → `accepted`, …; unknown → undefined.
 */
export function primeroReferralStatusOf(serviceStatus: string, tables: MappingTables): string | undefined {
  return tables.referralStatus.primeroServiceToPrimeroReferral.get(serviceStatus);
}

/**
 * OSCaR `referral_status` for a Primero service status (`referral-status.csv`, `primero_to_oscar`):
 * accepted → `Accepted`, rejected → `Exited`, anything else → `Referred` (never sent as a decision).
 */
export function oscarReferralStatusOf(
  serviceStatus: string | null | undefined,
  tables: MappingTables,
): string {
  const value = text(serviceStatus);
  return (value === null ? undefined : tables.referralStatus.primeroToOscar.get(value)) ?? 'Referred';
}

/**
 * The first Primero subtype, or null when the list is missing, empty or starts with a blank (`[]`,
 * `['']`, `[null]`). Only the first subtype counts when several are ticked (legacy 2022-10-20).
 */
export function firstSubtype(
  subtypes: readonly (string | null)[] | string | null | undefined,
): string | null {
  if (typeof subtypes === 'string') return text(subtypes);
  if (subtypes === null || subtypes === undefined) return null;
  return text(subtypes[0]);
}

/**
 * Outbound service name: `services-outbound.csv` of the first subtype; missing, blank or unmapped →
 * `Not Specified`.
 *
 * @example outboundServiceName('counselling_trauma', tables) // 'Trauma counselling'
 */
export function outboundServiceName(subtype: string | null | undefined, tables: MappingTables): string {
  const value = text(subtype);
  return (value === null ? undefined : tables.servicesOutbound.get(value)) ?? oscarValue.notSpecified;
}

/** Primero agency id of an OSCaR organisation: `cif` → `agency-cif`. */
export function agencyIdOf(organization: string): string {
  return `agency-${organization}`;
}

/** OSCaR organisation of a Primero agency id: `agency-cif` → `cif`; an id without the prefix → null. */
export function organizationOf(agencyId: string | null | undefined): string | null {
  const value = text(agencyId);
  if (value === null || !value.startsWith('agency-')) return null;
  return text(value.slice('agency-'.length));
}

/** Outbound dates: every `/` becomes `-` (`2018/10/01` → `2018-10-01`); blank → `''`. */
export function dateToOscar(value: string | null | undefined): string {
  return text(value)?.replaceAll('/', '-') ?? '';
}

/** Inbound service time: `YYYY-MM-DD` → `YYYY-MM-DDT00:00:00.000Z`. */
export function serviceDateTime(date: string): string {
  return `${date}T00:00:00.000Z`;
}
