import { z } from 'zod';

/**
 * Loose zod schemas of `GET /api/v1/organizations/clients` items (docs/upstream/oscar.md §2.1). One schema covers both
 * serializations; `oscarClientShape` tells them apart by their keys. Unknown keys are kept.
 */

/**
 * Text the mapping reads is bounded: a name, code or id runs to a few dozen characters, and a field holding a
 * megabyte is broken, not a long name (every value travels in an event and may become a key).
 */
const optText = z.string().max(1_000).nullish();
/** Reasons: free text, long but bounded. */
const longText = z.string().max(100_000).nullish();

/** One `services[]` item: a program service or a referral service (docs/upstream/oscar.md §2.1.3). */
export const OscarService = z.looseObject({
  uuid: optText,
  name: optText,
  program_name: optText,
  /** `YYYY-MM-DD`, or null for referral services. Null (not absent) matters: see `serviceDirection`. */
  enrollment_date: optText,
  referral_id: z.union([z.number(), z.string().max(1_000)]).nullish(),
  referral_status: optText,
  reason_for_referral: longText,
});
export type OscarService = z.infer<typeof OscarService>;

/** A shared client, in either the Referred or the Shared shape. */
export const OscarClient = z.looseObject({
  global_id: optText,
  slug: optText,
  external_id: optText,
  external_id_display: optText,
  mosvy_number: z.union([z.string().max(1_000), z.number()]).nullish(),
  given_name: optText,
  family_name: optText,
  local_given_name: optText,
  local_family_name: optText,
  gender: optText,
  date_of_birth: optText,
  location_current_village_code: optText,
  address_current_village_code: optText,
  organization_id: z.union([z.number(), z.string().max(1_000)]).nullish(),
  organization_name: optText,
  organization_address_code: optText,
  reason_for_referral: longText,
  status: optText,
  case_worker_name: optText,
  case_worker_mobile: optText,
  is_referred: z.boolean().nullish(),
  level_of_risk: optText,
  resource: optText,
  services: z.array(OscarService).nullish(),
});
export type OscarClient = z.infer<typeof OscarClient>;

/**
 * Which serialization a client came in: `shared` has `resource` and the local-name keys, `referred`
 * (clients an NGO referred to MoSVY) has neither.
 */
export type OscarClientShape = 'referred' | 'shared';

export function oscarClientShape(raw: object): OscarClientShape {
  return 'resource' in raw || 'local_given_name' in raw || 'local_family_name' in raw ? 'shared' : 'referred';
}
