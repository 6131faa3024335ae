import { z } from 'zod';

/**
 * Loose zod schemas of what Primero v2 returns (docs/upstream/primero.md §4.2, §5.1, §6). Unknown keys are kept, most
 * fields are optional or nullable: Primero omits fields with no value and shows only what the caller's role
 * may read. Only the fields the mapping reads are typed.
 */

/**
 * Text the mapping reads is bounded: a name, code or id runs to a few dozen characters, and a field holding a
 * megabyte is broken, not a long name (every value travels in an event and may become a key).
 */
const optText = z.string().max(1_000).nullish();
/** Notes and reasons: free text, long but bounded. */
const longText = z.string().max(100_000).nullish();
/** Fields Primero may return as text or number (codes, user ids). */
const optCode = z.union([z.string().max(1_000), z.number()]).nullish();

/** One row of `services_section`. */
export const PrimeroServiceRow = z.looseObject({
  unique_id: optText,
  service_response_type: optText,
  service_type: optText,
  /** Multi-select; may be missing, `[]`, `['']` (and legacy data has `[null]`). */
  service_subtype: z.union([z.array(z.string().max(1_000).nullable()), z.string().max(1_000)]).nullish(),
  service_implementing_agency: optText,
  referral_status_edf41f2: optText,
  oscar_referral_id_a4ac8a5: optCode,
  oscar_referring_organization: optText,
  referral_notes_from_oscar_2e787b8: longText,
  service_referral_notes: longText,
});
export type PrimeroServiceRow = z.infer<typeof PrimeroServiceRow>;

/** A case as `GET /api/v2/cases` or `GET /api/v2/cases/:id` returns it. */
export const PrimeroCase = z.looseObject({
  id: z.string(),
  case_id: optText,
  case_id_display: optText,
  oscar_number: optText,
  oscar_short_id: optText,
  mosvy_number: optCode,
  oscar_status: optText,
  name_first: optText,
  name_last: optText,
  sex: optText,
  date_of_birth: optText,
  location_current: optCode,
  risk_level: optText,
  owned_by: optText,
  owned_by_id: optCode,
  owned_by_phone: optCode,
  owned_by_agency_id: optText,
  /** V1 name of `owned_by_agency_id`. */
  owned_by_agency: optText,
  consent_for_services: z.boolean().nullish(),
  disclosure_other_orgs: z.boolean().nullish(),
  module_id: optText,
  last_updated_at: optText,
  services_section: z.array(PrimeroServiceRow).nullish(),
});
export type PrimeroCase = z.infer<typeof PrimeroCase>;

/**
 * The case fields the mapping reads (the keys of `PrimeroCase`): a poller asks Primero for these only
 * (`fields=`), so it receives no more of a child's record than it maps.
 *
 * @example primero.listCases(filter, { fields: primeroCaseFields.join(',') })
 */
export const primeroCaseFields: readonly string[] = Object.freeze(Object.keys(PrimeroCase.shape));

/** A transition of type `Referral` (`GET /api/v2/cases/:id/referrals`). */
export const PrimeroReferral = z.looseObject({
  id: z.string(),
  type: optText,
  status: optText,
  record_id: optText,
  record_type: optText,
  service_record_id: optText,
  transitioned_to_agency: optText,
  notes: longText,
  created_at: optText,
});
export type PrimeroReferral = z.infer<typeof PrimeroReferral>;
