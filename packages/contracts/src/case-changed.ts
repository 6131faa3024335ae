import { z } from 'zod';

import { eventSchema } from './envelope.ts';

const text = z.string().nullable();

/** Cross-system identifiers of one case (see the glossary in README.md). */
export const CaseIds = z
  .object({
    /** Primero record `id` (UUID, used only in URLs). */
    primeroRecordId: z.uuid().nullable(),
    /** Primero `case_id` = OSCaR `external_id`. */
    caseId: text,
    /** Primero `case_id_display` = OSCaR `external_id_display`. */
    caseIdDisplay: text,
    /** OSCaR `global_id` (ULID) = Primero `oscar_number`. */
    oscarGlobalId: text,
    /** OSCaR `slug` = Primero `oscar_short_id`. */
    oscarSlug: text,
    /** `mosvy_number`, on both sides. */
    mosvyNumber: text,
  })
  .strict();
export type CaseIds = z.infer<typeof CaseIds>;

/** The person as the source system shows them. Personal data: never logged or traced. */
export const Person = z
  .object({
    givenName: text,
    familyName: text,
    /** Khmer-script names (OSCaR Shared shape only). */
    localGivenName: text,
    localFamilyName: text,
    /** Primero `sex` / OSCaR `gender`, source-native value. */
    sex: text,
    /** `YYYY-MM-DD` as stored at the source; may be malformed (OSCaR has `22012-01-01`), cleaned by the writer. */
    dateOfBirth: text,
  })
  .strict();
export type Person = z.infer<typeof Person>;

/** Where a service row came from and which way it flows. */
export const ServiceDirection = z.enum([
  /** MoSVY referred the child to an NGO (Primero `referral_to_oscar`). */
  'primero_to_oscar',
  /** An NGO referred the child to MoSVY (Primero `referral_from_oscar`). */
  'oscar_to_primero',
  /** The NGO provides the service through a program enrolment. */
  'oscar_enrolment',
  /** Any other Primero service (internal referrals, care plans): never sent to OSCaR. */
  'internal',
]);
export type ServiceDirection = z.infer<typeof ServiceDirection>;

/** Canonical referral decision state. */
export const ReferralState = z.enum(['pending', 'accepted', 'rejected']);
export type ReferralState = z.infer<typeof ReferralState>;

/**
 * One service or referral of the case. The service kind travels in the source system's own codes
 * (`primeroSubtype` or `oscarServiceName`); writers translate it through the versioned mapping tables,
 * so a replay can choose the mapping version and an unknown code dead-letters naming the table to extend.
 */
export const CaseService = z
  .object({
    direction: ServiceDirection,
    /** Primero `services_section[].unique_id`, or OSCaR `services[].uuid`. */
    sourceServiceId: text,
    primeroServiceType: text,
    /** Primero `service_subtype[0]` (only the first subtype counts). */
    primeroSubtype: text,
    oscarServiceName: text,
    /** Primero `service_implementing_agency` (e.g. `agency-cif`) or `agency-<OSCaR organization_name>`. */
    agency: text,
    /** Primero referral record id (transition `id`) when a referral exists. */
    primeroReferralId: z.uuid().nullable(),
    /** Primero referral record `status` (`in_progress`, `accepted`, …). */
    primeroReferralStatus: text,
    primeroReferralCreatedAt: z.iso.datetime().nullable(),
    /** OSCaR referral id (integer, per NGO tenant). */
    oscarReferralId: z.number().int().positive().nullable(),
    /** Decision state of the referral as the source shows it; null when the source has none. */
    referralState: ReferralState.nullable(),
    /** Referral reason / notes. Personal data. */
    reason: text,
    enrolmentDate: z.iso.date().nullable(),
    programName: text,
  })
  .strict();
export type CaseService = z.infer<typeof CaseService>;

/**
 * CaseChanged: the system-neutral case as its source system shows it now. Emitted by a poller only when
 * the content fingerprint differs from the one it last emitted for that case.
 */
export const CaseChangedData = z
  .object({
    ids: CaseIds,
    /** Which system the case originated in (`oscar` unless OSCaR marks it `resource: "primero"`). */
    origin: z.enum(['primero', 'oscar']),
    person: Person,
    /** Cambodian admin code as the source stores it (OSCaR zero-padded, Primero without leading zeros). */
    locationCode: text,
    /** Source-native risk level (`high|medium|low|no_action` or OSCaR `no action`). */
    riskLevel: text,
    /** OSCaR `organization_name` (NGO short name), or the Primero owning agency id. */
    organization: text,
    /** OSCaR NGO address code (used for the province when the client has no location). */
    organizationAddressCode: text,
    /** Primero owner (user name, agency, phone) — Primero-sourced cases only. */
    owner: z.object({ user: text, userId: text, agency: text, phone: text }).strict().nullable(),
    /** OSCaR case worker(s), comma-joined as OSCaR sends them. Personal data. */
    caseWorker: z.object({ name: text, phone: text }).strict().nullable(),
    /** OSCaR client `status` (`Referred|Accepted|Active|Exited`). */
    oscarStatus: text,
    /** OSCaR `is_referred`: the client exchanged a referral with MoSVY. */
    isReferred: z.boolean().nullable(),
    /** True when OSCaR lists the client as referred to MoSVY (the Referred shape). */
    referredToMosvy: z.boolean(),
    consent: z
      .object({ forServices: z.boolean().nullable(), disclosureOtherOrgs: z.boolean().nullable() })
      .strict(),
    /** Client-level referral reason (OSCaR). Personal data. */
    reasonForReferral: text,
    services: z.array(CaseService),
    /** When the source last changed the record, if it says (Primero `last_updated_at`). */
    sourceUpdatedAt: z.iso.datetime().nullable(),
    /** sha256 (hex) of the content above, without volatile fields. */
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'),
  })
  .strict();
export type CaseChangedData = z.infer<typeof CaseChangedData>;

export const CaseChanged = eventSchema('CaseChanged', CaseChangedData);
export type CaseChanged = z.infer<typeof CaseChanged>;
