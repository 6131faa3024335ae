import { describe, expect, it } from 'vitest';

import type { PrimeroCaseEvents } from '../src/index.ts';
import { primeroCaseFields, primeroCaseToEvents } from '../src/index.ts';
import {
  buildPrimeroCase,
  buildPrimeroReferral,
  buildPrimeroService,
  ids,
  type Json,
  loadTables,
} from './builders.ts';

const tables = loadTables();
const map = (c: Json, referrals: Json[] = [buildPrimeroReferral()]): PrimeroCaseEvents =>
  primeroCaseToEvents({ case: c, referrals }, tables);

function ok(result: PrimeroCaseEvents): Extract<PrimeroCaseEvents, { ok: true }>['value'] {
  if (!result.ok) throw result.error;
  return result.value;
}

describe('primeroCaseToEvents: outbound referrals', () => {
  it('maps a case with one in-progress referral to OSCaR (whole event)', () => {
    expect(ok(map(buildPrimeroCase()))).toStrictEqual({
      subject: `primero:${ids.caseId}`,
      decisions: [],
      caseChanged: {
        ids: {
          primeroRecordId: ids.primeroRecordId,
          caseId: ids.caseId,
          caseIdDisplay: ids.caseIdDisplay,
          oscarGlobalId: null,
          oscarSlug: null,
          mosvyNumber: '9808827',
        },
        origin: 'primero',
        person: {
          givenName: 'Sokha',
          familyName: 'Chan',
          localGivenName: null,
          localFamilyName: null,
          sex: 'female',
          dateOfBirth: '2014-03-01',
        },
        locationCode: '2020202',
        riskLevel: 'medium',
        organization: 'agency-mosvy',
        organizationAddressCode: null,
        owner: { user: 'mgrpnh', userId: '17', agency: 'agency-mosvy', phone: '012 555 111' },
        caseWorker: null,
        oscarStatus: null,
        isReferred: null,
        referredToMosvy: false,
        consent: { forServices: true, disclosureOtherOrgs: true },
        reasonForReferral: null,
        services: [
          {
            direction: 'primero_to_oscar',
            sourceServiceId: ids.serviceId,
            primeroServiceType: 'social_work_case_work',
            primeroSubtype: 'social_work_case_work_community',
            oscarServiceName: null,
            agency: 'agency-cif',
            primeroReferralId: ids.referralId,
            primeroReferralStatus: 'in_progress',
            primeroReferralCreatedAt: '2023-08-24T06:01:12.480Z',
            oscarReferralId: null,
            referralState: 'pending',
            reason: 'Please provide community social work support',
            enrolmentDate: null,
            programName: null,
          },
        ],
        sourceUpdatedAt: '2023-08-24T06:01:12.514Z',
      },
    });
  });

  it('gives one service per referral (1 service = 1 referral), each with its own notes', () => {
    const c = buildPrimeroCase({
      services_section: [
        buildPrimeroService(),
        buildPrimeroService({ unique_id: ids.secondServiceId, service_subtype: ['counselling_trauma'] }),
      ],
    });
    const out = ok(
      map(c, [
        buildPrimeroReferral(),
        buildPrimeroReferral({
          id: ids.secondReferralId,
          service_record_id: ids.secondServiceId,
          notes: 'Second',
        }),
      ]),
    );
    expect(out.caseChanged?.services.map((s) => [s.primeroReferralId, s.primeroSubtype, s.reason])).toEqual([
      [ids.referralId, 'social_work_case_work_community', 'Please provide community social work support'],
      [ids.secondReferralId, 'counselling_trauma', 'Second'],
    ]);
  });

  it.each([
    [
      'an internal referral (other response type)',
      buildPrimeroCase({ services_section: [buildPrimeroService({ service_response_type: 'care_plan' })] }),
      [buildPrimeroReferral()],
    ],
    ['a referral already accepted', buildPrimeroCase(), [buildPrimeroReferral({ status: 'accepted' })]],
    ['a transition that is not a referral', buildPrimeroCase(), [buildPrimeroReferral({ type: 'Assign' })]],
    [
      'a referral whose service row is gone',
      buildPrimeroCase({ services_section: [] }),
      [buildPrimeroReferral()],
    ],
    [
      'a case without services_section',
      buildPrimeroCase({ services_section: undefined }),
      [buildPrimeroReferral()],
    ],
    ['no referrals at all', buildPrimeroCase(), []],
  ])('ignores %s (nothing to share → caseChanged null)', (_name, c, referrals) => {
    expect(ok(map(c, referrals))).toEqual({
      subject: `primero:${ids.caseId}`,
      caseChanged: null,
      decisions: [],
    });
  });

  it('keeps a missing subtype as null (the writer sends Not Specified)', () => {
    const c = buildPrimeroCase({ services_section: [buildPrimeroService({ service_subtype: undefined })] });
    expect(ok(map(c)).caseChanged?.services[0]?.primeroSubtype).toBeNull();
  });
});

describe('primeroCaseToEvents: linked cases (ids only)', () => {
  it('carries ids but no person data when the case is only linked to OSCaR', () => {
    const c = buildPrimeroCase({ oscar_number: ids.linkedGlobalId, oscar_short_id: 'pqzd-2902' });
    const out = ok(map(c, []));
    expect(out.caseChanged).toMatchObject({
      ids: { caseId: ids.caseId, oscarGlobalId: ids.linkedGlobalId, oscarSlug: 'pqzd-2902' },
      person: {
        givenName: null,
        familyName: null,
        sex: null,
        dateOfBirth: null,
        localGivenName: null,
        localFamilyName: null,
      },
      locationCode: null,
      riskLevel: null,
      organization: null,
      owner: null,
      consent: { forServices: null, disclosureOtherOrgs: null },
      services: [],
    });
  });

  it('carries the person when a linked case is referred again (second referral)', () => {
    const c = buildPrimeroCase({ oscar_number: ids.linkedGlobalId });
    expect(ok(map(c)).caseChanged?.person.givenName).toBe('Sokha');
  });
});

describe('primeroCaseToEvents: decisions on OSCaR referrals', () => {
  const fromOscar = (overrides: Json): Json =>
    buildPrimeroService({
      unique_id: ids.secondServiceId,
      service_response_type: 'referral_from_oscar',
      service_type: 'family_based_care',
      service_subtype: ['family_based_care_kinship'],
      oscar_referral_id_a4ac8a5: '2214',
      ...overrides,
    });

  it.each([
    ['accepted_340953', 'accepted'],
    ['rejected_936484', 'rejected'],
  ] as const)('%s → a %s decision', (status, decision) => {
    const c = buildPrimeroCase({
      oscar_number: ids.globalId,
      oscar_short_id: 'tkrw-2841',
      services_section: [fromOscar({ referral_status_edf41f2: status })],
    });
    expect(ok(map(c, [])).decisions).toStrictEqual([
      {
        referral: {
          caseId: ids.caseId,
          caseIdDisplay: ids.caseIdDisplay,
          primeroRecordId: ids.primeroRecordId,
          primeroReferralId: null,
          primeroServiceId: ids.secondServiceId,
          oscarGlobalId: ids.globalId,
          oscarReferralId: 2214,
          primeroSubtype: 'family_based_care_kinship',
          oscarServiceName: null,
        },
        decision,
        decidedBy: { system: 'primero', organization: 'agency-mosvy', user: null },
        decidedAt: '2023-08-24T06:01:12.514Z',
        oscarStatus: null,
        oscarSlug: 'tkrw-2841',
        mosvyNumber: '9808827',
      },
    ]);
  });

  it.each([
    ['pending', { referral_status_edf41f2: 'pending_310366' }],
    ['blank status', { referral_status_edf41f2: undefined }],
    [
      'no OSCaR referral id',
      { referral_status_edf41f2: 'accepted_340953', oscar_referral_id_a4ac8a5: undefined },
    ],
    [
      'a non-numeric OSCaR referral id',
      { referral_status_edf41f2: 'accepted_340953', oscar_referral_id_a4ac8a5: 'n/a' },
    ],
    [
      'a referral_to_oscar row',
      { referral_status_edf41f2: 'accepted_340953', service_response_type: 'referral_to_oscar' },
    ],
  ])('sends no decision for %s', (_name, overrides) => {
    const c = buildPrimeroCase({ oscar_number: ids.globalId, services_section: [fromOscar(overrides)] });
    expect(ok(map(c, [])).decisions).toEqual([]);
  });
});

describe('primeroCaseFields (what a poller asks Primero for)', () => {
  const only = (c: Json): Json =>
    Object.fromEntries(Object.entries(c).filter(([key]) => primeroCaseFields.includes(key)));

  it.each([
    ['a case referred to OSCaR', buildPrimeroCase({ owned_by_full_name: 'left out', age: 9 })],
    ['a linked case', buildPrimeroCase({ oscar_number: ids.linkedGlobalId, services_section: [] })],
    [
      'a case with a decision on an OSCaR referral',
      buildPrimeroCase({
        oscar_number: ids.globalId,
        oscar_short_id: 'tkrw-2841',
        services_section: [
          buildPrimeroService(),
          buildPrimeroService({
            unique_id: ids.secondServiceId,
            service_response_type: 'referral_from_oscar',
            oscar_referral_id_a4ac8a5: '2214',
            referral_status_edf41f2: 'accepted_340953',
          }),
        ],
      }),
    ],
  ])('map %s exactly as the whole record does', (_label, c) => {
    expect(map(only(c))).toStrictEqual(map(c));
  });

  it('are the PrimeroCase keys, without the fields it does not map', () => {
    expect(primeroCaseFields).toContain('services_section');
    expect(primeroCaseFields).toContain('last_updated_at');
    expect(primeroCaseFields).not.toContain('owned_by_full_name');
  });
});

describe('primeroCaseToEvents: invalid records', () => {
  it.each([
    ['services_section is not a list', { services_section: 'x' }, 'services_section', 'INVALID_RECORD'],
    [
      'a subtype that is a number',
      { services_section: [buildPrimeroService({ service_subtype: [7] })] },
      'services_section.0.service_subtype',
      'INVALID_RECORD',
    ],
    ['no record id', { id: undefined }, 'id', 'INVALID_RECORD'],
    ['no case_id', { case_id: undefined }, 'case_id', 'MISSING_KEY'],
    [
      'a record id that is not a UUID',
      { id: 'not-a-uuid' },
      'caseChanged.ids.primeroRecordId',
      'INVALID_RECORD',
    ],
  ])('%s', (_name, overrides, field, code) => {
    const out = map(buildPrimeroCase(overrides));
    expect(out).toMatchObject({ ok: false, reason: code, error: { field, permanent: true } });
  });

  it.each([
    ['a case_id that is not an id', { case_id: 'case of Sokha' }, 'case_id', ids.primeroRecordId],
    ['a case_id of 2,000 characters', { case_id: 'a'.repeat(2_000) }, 'case_id', ids.primeroRecordId],
    ['an oscar_number that is not an id', { oscar_number: 'OSCaR 01H8 Sokha' }, 'oscar_number', ids.caseId],
    ['a name of a megabyte', { name_first: 'x'.repeat(1 << 20) }, 'name_first', ids.caseId],
    ['an impossible date of birth', { date_of_birth: '2013-02-30' }, 'date_of_birth', ids.caseId],
    ['an 11-digit year', { date_of_birth: '22013-02-03' }, 'date_of_birth', ids.caseId],
  ])('rejects %s, naming the record by an id it can trust', (_name, overrides, field, recordId) => {
    const out = map(buildPrimeroCase(overrides));
    expect(out).toMatchObject({ ok: false, reason: 'INVALID_RECORD', recordId, error: { field } });
    if (!out.ok) expect(out.error.message.length).toBeLessThan(300);
  });

  it.each([
    [
      'a location object',
      { location_current: { code: '12' } },
      'location_current: expected string or number',
    ],
    ['a megabyte of text', { mosvy_number: 'x'.repeat(1 << 20) }, 'is longer than 1000 characters'],
  ])('says what is wrong with %s in a text-or-number field', (_name, overrides, text) => {
    const out = map(buildPrimeroCase(overrides));
    expect(out.ok ? '' : out.error.message).toContain(text);
  });

  it('lets a date of birth with slashes pass (sent with dashes) and an unshared case keep any date', () => {
    expect(map(buildPrimeroCase({ date_of_birth: '2014/03/01' })).ok).toBe(true);
    expect(map(buildPrimeroCase({ date_of_birth: 'unknown' }), []).ok).toBe(true);
  });

  it('names the referral index for a bad referral', () => {
    const out = map(buildPrimeroCase(), [buildPrimeroReferral({ status: 42 })]);
    expect(out).toMatchObject({ ok: false, recordId: ids.caseId, error: { field: 'referrals.0.status' } });
    if (!out.ok)
      expect(out.error.message).toBe(
        `Primero case ${ids.caseId} referrals.0.status: expected string — the upstream record does not have the documented shape`,
      );
  });
});
