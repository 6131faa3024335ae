import { z } from 'zod';

import { eventSchema, SourceSystem } from './envelope.ts';

/**
 * Which referral a decision is about, by the ids each side knows. Either side may not know all of them;
 * `oscarReferralId` + `oscarGlobalId` identify it in OSCaR, `primeroRecordId` + `primeroReferralId` (or the
 * service row `primeroServiceId`) in Primero.
 */
export const ReferralRef = z
  .object({
    caseId: z.string().nullable(),
    caseIdDisplay: z.string().nullable(),
    primeroRecordId: z.uuid().nullable(),
    primeroReferralId: z.uuid().nullable(),
    primeroServiceId: z.string().nullable(),
    oscarGlobalId: z.string().nullable(),
    oscarReferralId: z.number().int().positive().nullable(),
    /** Source-native service code (Primero subtype or OSCaR service name) for matching when ids are missing. */
    primeroSubtype: z.string().nullable(),
    oscarServiceName: z.string().nullable(),
  })
  .strict();
export type ReferralRef = z.infer<typeof ReferralRef>;

/**
 * ReferralDecision: the receiving side accepted or rejected a referral.
 *
 * @example
 * { referral: { caseId: '5f61…', oscarGlobalId: '01H8…', oscarReferralId: 2214, … },
 *   decision: 'accepted', decidedBy: { system: 'oscar', organization: 'cif', user: null },
 *   decidedAt: '2026-11-29T10:00:00.000Z' }
 */
export const ReferralDecisionData = z
  .object({
    referral: ReferralRef,
    decision: z.enum(['accepted', 'rejected']),
    decidedBy: z
      .object({ system: SourceSystem, organization: z.string().nullable(), user: z.string().nullable() })
      .strict(),
    decidedAt: z.iso.datetime(),
    /** OSCaR client status at the time (copied to Primero `oscar_status`). */
    oscarStatus: z.string().nullable(),
    oscarSlug: z.string().nullable(),
    mosvyNumber: z.string().nullable(),
  })
  .strict();
export type ReferralDecisionData = z.infer<typeof ReferralDecisionData>;

export const ReferralDecision = eventSchema('ReferralDecision', ReferralDecisionData);
export type ReferralDecision = z.infer<typeof ReferralDecision>;
