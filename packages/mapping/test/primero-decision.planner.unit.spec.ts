import { describe, expect, it } from 'vitest';

import type { PrimeroDecisionPlan } from '../src/index.ts';
import { planPrimeroDecision } from '../src/index.ts';
import {
  buildOscarDecision,
  buildPrimeroCase,
  buildPrimeroReferral,
  buildPrimeroService,
  ids,
  type Json,
  loadTables,
} from './builders.ts';

const tables = loadTables();

/** MoSVY's case with one pending referral to CIF for community social work (not yet linked). */
function caseWith(services: Json[], overrides: Json = {}): Json {
  return buildPrimeroCase({ services_section: services, ...overrides });
}

function decide(
  existing: Json = caseWith([buildPrimeroService()]),
  decision = buildOscarDecision(),
  referrals: Json[] = [buildPrimeroReferral()],
): PrimeroDecisionPlan {
  return planPrimeroDecision({ decision, existing, referrals, tables });
}

describe('planPrimeroDecision: the writes', () => {
  it.each([
    ['accepted', 'accepted', 'accepted_340953'],
    ['rejected', 'rejected', 'rejected_936484'],
  ] as const)(
    '%s → referral PATCH and service-row PATCH (exact)',
    (decision, referralStatus, serviceStatus) => {
      expect(decide(undefined, buildOscarDecision({}, decision))).toStrictEqual({
        kind: 'apply',
        serviceId: ids.serviceId,
        matchedBy: 'subtype',
        referralPatch: {
          recordId: ids.primeroRecordId,
          referralId: ids.referralId,
          data: { status: referralStatus, record_type: 'case' },
        },
        casePatch: {
          oscar_number: ids.linkedGlobalId,
          oscar_short_id: 'pqzd-2902',
          oscar_status: 'Accepted',
          mosvy_number: 'MSV-0098',
          services_section: [
            {
              unique_id: ids.serviceId,
              referral_status_edf41f2: serviceStatus,
              oscar_referral_id_a4ac8a5: '2230',
            },
          ],
        },
      });
    },
  );

  it('is idempotent: replaying an applied decision writes nothing', () => {
    const applied = caseWith(
      [
        buildPrimeroService({
          referral_status_edf41f2: 'accepted_340953',
          oscar_referral_id_a4ac8a5: '2230',
        }),
      ],
      {
        oscar_number: ids.linkedGlobalId,
        oscar_short_id: 'pqzd-2902',
        oscar_status: 'Accepted',
        mosvy_number: 'MSV-0098',
      },
    );
    expect(decide(applied, buildOscarDecision(), [buildPrimeroReferral({ status: 'accepted' })])).toEqual({
      kind: 'apply',
      serviceId: ids.serviceId,
      matchedBy: 'referral_id',
      referralPatch: null,
      casePatch: null,
    });
  });

  it('has no referral PATCH when the service has no in-progress referral', () => {
    const out = decide(undefined, undefined, []);
    expect(out).toMatchObject({ kind: 'apply', referralPatch: null });
  });

  it('refuses to pick one of two in-progress referrals of the service', () => {
    const out = decide(undefined, undefined, [
      buildPrimeroReferral(),
      buildPrimeroReferral({ id: ids.secondReferralId }),
    ]);
    expect(out).toMatchObject({ kind: 'no-match', code: 'AMBIGUOUS_REFERRAL' });
  });
});

describe('planPrimeroDecision: matching (a) referral id, (b) subtype, (c) blank subtype', () => {
  it('(a) matches the OSCaR referral id even when the kind differs', () => {
    const row = buildPrimeroService({
      service_subtype: ['counselling_trauma'],
      oscar_referral_id_a4ac8a5: '2230',
      referral_status_edf41f2: 'accepted_340953',
    });
    expect(decide(caseWith([row]))).toMatchObject({
      kind: 'apply',
      matchedBy: 'referral_id',
      serviceId: ids.serviceId,
    });
  });

  it('(a) two missing referral ids never match (legacy bug 22)', () => {
    const row = buildPrimeroService({ service_subtype: ['counselling_trauma'] });
    const out = decide(caseWith([row]), buildOscarDecision({ oscarReferralId: null }));
    expect(out).toMatchObject({ kind: 'no-match', code: 'NO_MATCHING_REFERRAL' });
  });

  it('(b) matches a pending referral_to_oscar row of the same kind', () => {
    const other = buildPrimeroService({
      unique_id: ids.secondServiceId,
      service_subtype: ['counselling_trauma'],
    });
    expect(decide(caseWith([other, buildPrimeroService()]))).toMatchObject({
      matchedBy: 'subtype',
      serviceId: ids.serviceId,
    });
  });

  it('(b) matches a Primero-native subtype when the decision carries one', () => {
    const decision = buildOscarDecision({
      oscarServiceName: null,
      primeroSubtype: 'social_work_case_work_community',
    });
    expect(decide(undefined, decision)).toMatchObject({ matchedBy: 'subtype' });
  });

  it('(b) matches the round-trip asymmetry (disability subtype, mental-health name)', () => {
    const row = buildPrimeroService({ service_subtype: ['disability_support_therapeutic_interventions'] });
    expect(
      decide(caseWith([row]), buildOscarDecision({ oscarServiceName: 'Therapeutic interventions' })),
    ).toMatchObject({ matchedBy: 'subtype' });
  });

  it.each([
    ['an accepted row', { referral_status_edf41f2: 'accepted_340953' }],
    ['a row bound to another OSCaR referral', { oscar_referral_id_a4ac8a5: '1999' }],
    ['a referral_from_oscar row', { service_response_type: 'referral_from_oscar' }],
    ['a row of another NGO', { service_implementing_agency: 'agency-mho' }],
  ])('(b) does not match %s', (_name, overrides) => {
    expect(decide(caseWith([buildPrimeroService(overrides)]))).toMatchObject({
      kind: 'no-match',
      code: 'NO_MATCHING_REFERRAL',
    });
  });

  it('(b) accepts a blank status as undecided', () => {
    expect(decide(caseWith([buildPrimeroService({ referral_status_edf41f2: undefined })]))).toMatchObject({
      kind: 'apply',
    });
  });

  it('(b) never guesses between two pending rows of the same kind', () => {
    const rows = [buildPrimeroService(), buildPrimeroService({ unique_id: ids.secondServiceId })];
    const out = decide(caseWith(rows));
    expect(out).toMatchObject({ kind: 'no-match', code: 'AMBIGUOUS_REFERRAL' });
    if (out.kind === 'no-match') expect(out.reason).toContain(`${ids.serviceId}, ${ids.secondServiceId}`);
  });

  it.each([
    ['a missing subtype key', { service_subtype: undefined }],
    ['an empty list', { service_subtype: [] }],
    ["['']", { service_subtype: [''] }],
    ['an unmapped subtype', { service_subtype: ['made_up'] }],
  ])('(c) matches "Not Specified" to the pending row with %s', (_name, overrides) => {
    const rows = [buildPrimeroService({ unique_id: ids.secondServiceId }), buildPrimeroService(overrides)];
    const out = decide(caseWith(rows), buildOscarDecision({ oscarServiceName: 'Not Specified' }));
    expect(out).toMatchObject({ kind: 'apply', matchedBy: 'blank_subtype', serviceId: ids.serviceId });
  });

  it('(c) is only for "Not Specified": another name does not take a blank-subtype row', () => {
    const out = decide(
      caseWith([buildPrimeroService({ service_subtype: [] })]),
      buildOscarDecision({ oscarServiceName: 'Literacy Support' }),
    );
    expect(out).toMatchObject({ kind: 'no-match', code: 'NO_MATCHING_REFERRAL' });
    if (out.kind === 'no-match') {
      expect(out.reason).toBe(
        `no matching Primero referral: case ${ids.caseId} has no referral_to_oscar service for OSCaR referral 2230 of client ${ids.linkedGlobalId} for "Literacy Support" (by OSCaR referral id, then pending services of the same kind) — check the referral in Primero, then replay`,
      );
    }
  });
});

describe('planPrimeroDecision: identity', () => {
  it('refuses a case with another case_id', () => {
    expect(decide(undefined, buildOscarDecision({ caseId: ids.linkedCaseId }))).toMatchObject({
      kind: 'error',
      reason: 'IDENTITY_CONFLICT',
    });
  });

  it('refuses a case linked to another OSCaR client', () => {
    const existing = caseWith([buildPrimeroService()], { oscar_number: '01AAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(decide(existing)).toMatchObject({
      kind: 'error',
      reason: 'IDENTITY_CONFLICT',
      field: 'global_id',
    });
  });

  it('rejects an invalid case naming the field', () => {
    expect(
      decide({ id: ids.primeroRecordId, services_section: [{ service_subtype: 'x', unique_id: 3 }] }),
    ).toMatchObject({
      kind: 'error',
      reason: 'INVALID_RECORD',
      field: 'services_section.0.unique_id',
    });
  });
});
