import { describe, expect, it } from 'vitest';

import type { CaseChangedContent, OscarReferralUpsert } from '../src/index.ts';
import {
  primeroCaseToEvents,
  toOscarLinkItem,
  toOscarReferralUpserts,
  toOscarStatusUpdate,
} from '../src/index.ts';
import {
  buildPrimeroCase,
  buildPrimeroReferral,
  buildPrimeroService,
  ids,
  type Json,
  loadTables,
} from './builders.ts';

const tables = loadTables();

function primeroEvent(
  c: Json = buildPrimeroCase(),
  referrals: Json[] = [buildPrimeroReferral()],
): CaseChangedContent {
  const out = primeroCaseToEvents({ case: c, referrals }, tables);
  if (!out.ok) throw out.error;
  if (out.value.caseChanged === null) throw new Error('expected a CaseChanged');
  return out.value.caseChanged;
}

function bodies(upserts: OscarReferralUpsert[]): Json[] {
  return upserts.map((u) => {
    if (!u.ok) throw u.error;
    return u.body.organization;
  });
}

const withService = (overrides: Json, caseOverrides: Json = {}): CaseChangedContent =>
  primeroEvent(buildPrimeroCase({ services_section: [buildPrimeroService(overrides)], ...caseOverrides }));

describe('toOscarReferralUpserts', () => {
  it('builds the exact upsert of a first referral (no global_id)', () => {
    expect(toOscarReferralUpserts(primeroEvent(), tables)).toStrictEqual([
      {
        key: ids.referralId,
        ok: true,
        body: {
          organization: {
            external_id: ids.caseId,
            external_id_display: ids.caseIdDisplay,
            level_of_risk: 'medium',
            mosvy_number: '9808827',
            given_name: 'Sokha',
            family_name: 'Chan',
            gender: 'female',
            date_of_birth: '2014-03-01',
            location_current_village_code: '02020202',
            address_current_village_code: '02020202',
            reason_for_referral: 'Please provide community social work support',
            external_case_worker_name: 'mgrpnh',
            external_case_worker_id: '17',
            external_case_worker_mobile: '012 555 111',
            is_referred: true,
            organization_name: 'cif',
            organization_id: 'agency-mosvy',
            services: [{ uuid: ids.serviceId, name: 'Community social work' }],
          },
        },
      },
    ]);
  });

  it('sends global_id for a second referral of a linked case', () => {
    const [body] = bodies(
      toOscarReferralUpserts(primeroEvent(buildPrimeroCase({ oscar_number: ids.linkedGlobalId })), tables),
    );
    expect(body?.global_id).toBe(ids.linkedGlobalId);
  });

  it('uses empty strings for blanks and the default phone', () => {
    const c = buildPrimeroCase({
      mosvy_number: undefined,
      name_last: null,
      sex: '',
      date_of_birth: '2014/03/01',
      location_current: undefined,
      owned_by_phone: '',
      owned_by_id: undefined,
      case_id_display: undefined,
    });
    const [body] = bodies(toOscarReferralUpserts(primeroEvent(c), tables));
    expect(body).toMatchObject({
      external_id_display: '',
      mosvy_number: '',
      family_name: '',
      gender: '',
      date_of_birth: '2014-03-01',
      location_current_village_code: '',
      address_current_village_code: '',
      external_case_worker_id: '',
      external_case_worker_mobile: '000000000',
    });
  });

  it.each([
    ['a missing subtype key', { service_subtype: undefined }, 'Not Specified'],
    ['an empty subtype list', { service_subtype: [] }, 'Not Specified'],
    ['a blank subtype', { service_subtype: [''] }, 'Not Specified'],
    ['an unmapped subtype', { service_subtype: ['made_up_subtype'] }, 'Not Specified'],
    [
      'several subtypes (first only)',
      { service_subtype: ['counselling_trauma', 'counselling_family'] },
      'Trauma counselling',
    ],
    ['a typo subtype', { service_subtype: ['medical_support_healt_education'] }, 'Health education'],
    [
      'the comma name',
      { service_subtype: ['training_education_material_support'] },
      'Material support for education (uniforms, etc)',
    ],
  ])('service name for %s → %s', (_name, overrides, expected) => {
    const [body] = bodies(toOscarReferralUpserts(withService(overrides), tables));
    expect(body?.services).toEqual([{ uuid: ids.serviceId, name: expected }]);
  });

  it.each([
    ['no_action', 'no action'],
    ['high', 'high'],
    ['low', 'low'],
  ])('risk %s → level_of_risk %s', (risk, expected) => {
    const [body] = bodies(
      toOscarReferralUpserts(primeroEvent(buildPrimeroCase({ risk_level: risk })), tables),
    );
    expect(body?.level_of_risk).toBe(expected);
  });

  it('omits level_of_risk when Primero has none', () => {
    const [body] = bodies(
      toOscarReferralUpserts(primeroEvent(buildPrimeroCase({ risk_level: undefined })), tables),
    );
    expect(body).not.toHaveProperty('level_of_risk');
  });

  it('never sends resource, transaction_id, date_of_referral or referral_status', () => {
    const [body] = bodies(toOscarReferralUpserts(primeroEvent(), tables));
    for (const key of ['resource', 'transaction_id', 'date_of_referral', 'referral_status']) {
      expect(body).not.toHaveProperty(key);
    }
  });

  it('sends each referral with its own notes and organisation (fixes legacy bug 20)', () => {
    const c = buildPrimeroCase({
      services_section: [
        buildPrimeroService(),
        buildPrimeroService({
          unique_id: ids.secondServiceId,
          service_implementing_agency: 'agency-mho',
          service_subtype: ['counselling_trauma'],
        }),
      ],
    });
    const event = primeroEvent(c, [
      buildPrimeroReferral({ notes: 'First reason' }),
      buildPrimeroReferral({
        id: ids.secondReferralId,
        service_record_id: ids.secondServiceId,
        notes: 'Second reason',
      }),
    ]);
    const upserts = toOscarReferralUpserts(event, tables);
    expect(upserts.map((u) => u.key)).toEqual([ids.referralId, ids.secondReferralId]);
    expect(bodies(upserts).map((b) => [b.organization_name, b.reason_for_referral, b.services])).toEqual([
      ['cif', 'First reason', [{ uuid: ids.serviceId, name: 'Community social work' }]],
      ['mho', 'Second reason', [{ uuid: ids.secondServiceId, name: 'Trauma counselling' }]],
    ]);
  });

  it('fails one referral without blocking the others', () => {
    const c = buildPrimeroCase({
      services_section: [
        buildPrimeroService({ service_implementing_agency: 'agency-newngo' }),
        buildPrimeroService({ unique_id: ids.secondServiceId }),
      ],
    });
    const upserts = toOscarReferralUpserts(
      primeroEvent(c, [
        buildPrimeroReferral(),
        buildPrimeroReferral({ id: ids.secondReferralId, service_record_id: ids.secondServiceId }),
      ]),
      tables,
    );
    expect(upserts.map((u) => u.ok)).toEqual([false, true]);
    const [failed] = upserts;
    if (failed?.ok !== false) throw new Error('expected a failure');
    expect(failed.error).toMatchObject({ code: 'UNKNOWN_ORGANIZATION', permanent: true });
    expect(failed.error.message).toBe(
      `Primero case ${ids.caseId} services_section.service_implementing_agency: organisation "newngo" (from agency-newngo) is not in config/mappings/agencies.csv — add a row for it if it is an OSCaR NGO, or fix service_implementing_agency in Primero`,
    );
  });

  it('falls back to the owning agency, which must be an NGO', () => {
    const event = withService(
      { service_implementing_agency: undefined },
      { owned_by_agency_id: 'agency-cif' },
    );
    expect(bodies(toOscarReferralUpserts(event, tables))[0]?.organization_name).toBe('cif');
    const [mosvy] = toOscarReferralUpserts(withService({ service_implementing_agency: undefined }), tables);
    expect(mosvy).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_ORGANIZATION', field: 'owned_by_agency_id' },
    });
  });

  it('rejects an agency id that is not agency-<org>', () => {
    const [out] = toOscarReferralUpserts(withService({ service_implementing_agency: 'mosvy' }), tables);
    expect(out).toMatchObject({ ok: false, error: { code: 'MISSING_KEY' } });
  });

  it('rejects an unknown risk level naming risk-levels.csv', () => {
    const [out] = toOscarReferralUpserts(primeroEvent(buildPrimeroCase({ risk_level: 'critical' })), tables);
    expect(out).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RISK_LEVEL', field: 'risk_level' } });
    if (out?.ok === false) expect(out.error.message).toContain('config/mappings/risk-levels.csv');
  });

  it('sends nothing for a linked case without referrals', () => {
    expect(
      toOscarReferralUpserts(
        primeroEvent(buildPrimeroCase({ oscar_number: ids.linkedGlobalId }), []),
        tables,
      ),
    ).toEqual([]);
  });
});

describe('toOscarStatusUpdate', () => {
  const decisionCase = (status: string, overrides: Json = {}): Json =>
    buildPrimeroCase({
      oscar_number: ids.globalId,
      services_section: [
        buildPrimeroService({
          unique_id: ids.secondServiceId,
          service_response_type: 'referral_from_oscar',
          referral_status_edf41f2: status,
          oscar_referral_id_a4ac8a5: '2214',
        }),
      ],
      ...overrides,
    });
  const decisionOf = (c: Json) => {
    const out = primeroCaseToEvents({ case: c, referrals: [] }, tables);
    if (!out.ok) throw out.error;
    const [decision] = out.value.decisions;
    if (decision === undefined) throw new Error('expected a decision');
    return decision;
  };

  it.each([
    ['accepted_340953', 'Accepted'],
    ['rejected_936484', 'Exited'],
  ])('%s → %s (exact item)', (status, oscar) => {
    expect(toOscarStatusUpdate(decisionOf(decisionCase(status)), tables)).toStrictEqual({
      ok: true,
      value: {
        external_id: ids.caseId,
        external_id_display: ids.caseIdDisplay,
        client_global_id: ids.globalId,
        referral_status: oscar,
        referral_id: 2214,
      },
    });
  });

  it('cannot send a decision for a case without oscar_number', () => {
    const out = toOscarStatusUpdate(
      decisionOf(decisionCase('accepted_340953', { oscar_number: undefined })),
      tables,
    );
    expect(out).toMatchObject({ ok: false, error: { code: 'MISSING_KEY', field: 'oscar_number' } });
  });

  it('cannot send a decision without an OSCaR referral id', () => {
    const decision = decisionOf(decisionCase('accepted_340953'));
    const out = toOscarStatusUpdate(
      { ...decision, referral: { ...decision.referral, oscarReferralId: null } },
      tables,
    );
    expect(out).toMatchObject({ ok: false, error: { code: 'MISSING_KEY' } });
  });
});

describe('toOscarLinkItem', () => {
  it('links a case created from OSCaR', () => {
    const event = primeroEvent(buildPrimeroCase({ oscar_number: ids.linkedGlobalId }), []);
    expect(toOscarLinkItem(event)).toStrictEqual({
      global_id: ids.linkedGlobalId,
      external_id: ids.caseId,
      external_id_display: ids.caseIdDisplay,
      is_referred: false,
    });
  });

  it('has nothing to link without oscar_number', () => {
    expect(toOscarLinkItem(primeroEvent())).toBeNull();
  });

  it('sends an empty display id as ""', () => {
    const event = primeroEvent(
      buildPrimeroCase({ oscar_number: ids.linkedGlobalId, case_id_display: undefined }),
      [],
    );
    expect(toOscarLinkItem(event)?.external_id_display).toBe('');
  });
});
