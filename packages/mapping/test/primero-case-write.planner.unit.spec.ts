import { describe, expect, it } from 'vitest';

import type { CaseChangedContent, PrimeroCaseWritePlan, PrimeroData } from '../src/index.ts';
import { planPrimeroCaseWrite, serviceRowName, uuidv5 } from '../src/index.ts';
import {
  buildOscarClient,
  buildOscarProgramService,
  buildOscarReferralService,
  buildSharedClient,
  buildUnlinkedClient,
  ids,
  type Json,
  loadTables,
  oscarEvent,
  today,
} from './builders.ts';

const tables = loadTables();
const kinshipRowId = 'a04a03a8-3cfb-5e88-b228-85bef553951d';
const familySupportRowId = 'd164cfea-ca94-50fe-ac0d-a6aa2d37f67c';
const primeroCaseId = 'c0ffee00-1234-4abc-8def-0123456789ab';

function plan(event: CaseChangedContent, existing: Json | null = null): PrimeroCaseWritePlan {
  return planPrimeroCaseWrite({ event, existing, tables, today });
}

function created(event: CaseChangedContent): PrimeroData {
  const out = plan(event);
  if (out.kind !== 'create') throw new Error(`expected create, got ${out.kind}`);
  return out.data;
}

function updated(event: CaseChangedContent, existing: Json): PrimeroData {
  const out = plan(event, existing);
  if (out.kind === 'error') throw out.error;
  if (out.kind !== 'update') throw new Error('expected update');
  return out.data;
}

/** What Primero returns after creating `data` (plus the server-set fields). */
function asExisting(data: PrimeroData, extra: Json = {}): Json {
  return {
    id: ids.primeroRecordId,
    case_id: primeroCaseId,
    case_id_display: '3456789',
    status: 'open',
    workflow: 'referral_from_oscar',
    last_updated_at: '2026-11-29T10:05:00.000Z',
    ...data,
    ...extra,
  };
}

describe('planPrimeroCaseWrite: create', () => {
  it('creates the case of a referred client (whole payload)', () => {
    expect(plan(oscarEvent(buildOscarClient()))).toStrictEqual({
      kind: 'create',
      data: {
        oscar_number: ids.globalId,
        oscar_short_id: 'tkrw-2841',
        name_first: 'Sokha',
        name_last: 'Chan',
        sex: 'female',
        age: 13,
        date_of_birth: '2013-04-17',
        location_current: '12060102',
        oscar_status: 'Active',
        protection_status: 'oscar_referral',
        owned_by: 'mgrpnh',
        consent_for_services: true,
        disclosure_other_orgs: true,
        risk_level: 'medium',
        interview_subject: 'other',
        module_id: 'primeromodule-cp',
        services_section: [
          {
            unique_id: familySupportRowId,
            service_response_type: 'service_being_provided_by_oscar_partner_47618',
            service_type: 'family_support',
            service_subtype: ['family_support_family_support'],
            service_type_text: 'family_support',
            service_type_details_text: 'n/a',
            service_response_day_time: '2024-02-01T00:00:00.000Z',
            oscar_case_worker_name: 'Dara Kim',
            oscar_case_worker_telephone: '012345678',
            oscar_referring_organization: 'agency-cif',
            service_implementing_agency: 'agency-cif',
          },
          {
            unique_id: kinshipRowId,
            service_response_type: 'referral_from_oscar',
            service_type: 'family_based_care',
            service_subtype: ['family_based_care_kinship'],
            service_type_text: 'family_based_care',
            service_type_details_text: 'n/a',
            referral_notes_from_oscar_2e787b8: 'Needs family-based care assessment',
            oscar_case_worker_name: 'Dara Kim',
            oscar_case_worker_telephone: '012345678',
            oscar_referring_organization: 'agency-cif',
            service_implementing_agency: 'agency-cif',
            oscar_referral_id_a4ac8a5: '2214',
            referral_status_edf41f2: 'pending_310366',
          },
        ],
      },
    });
  });

  it('creates a non-referred shared client: agency owner, no protection status, risk or interview subject', () => {
    const data = created(oscarEvent(buildUnlinkedClient({ local_given_name: 'បុប្ផា' })));
    expect(data).toStrictEqual({
      oscar_number: '01HY0C2D3E4F5G6H7J8K9M0N1P',
      oscar_short_id: 'abqe-2755',
      name_first: 'បុប្ផា (Bopha)',
      name_last: 'Lim',
      sex: 'female',
      age: 10,
      date_of_birth: '2016-01-20',
      oscar_status: 'Accepted',
      owned_by: 'agency-cif-user',
      consent_for_services: true,
      disclosure_other_orgs: true,
      module_id: 'primeromodule-cp',
    });
  });

  it.each([
    ['an 11-character year', '22012-01-01', '2012-01-01', 14],
    ['a future date', '2030-01-01', undefined, 0],
    ['an impossible date', '2012-02-30', undefined, 0],
    ['a slash date', '2012/01/01', undefined, 0],
  ])('cleans the DOB: %s', (_name, dob, expected, age) => {
    const data = created(oscarEvent(buildOscarClient({ date_of_birth: dob })));
    expect(data.date_of_birth).toBe(expected);
    expect(data.age).toBe(age);
  });

  it.each([
    ['Female', 'female'],
    ['prefer_not_to_say', 'other'],
    ['lgbt', 'other'],
  ])('maps gender %s → sex %s', (gender, sex) => {
    expect(created(oscarEvent(buildOscarClient({ gender }))).sex).toBe(sex);
  });

  it('strips leading zeros from the location and falls back to the address code', () => {
    expect(
      created(oscarEvent(buildOscarClient({ location_current_village_code: '01070101' }))).location_current,
    ).toBe('1070101');
    const noLocation = buildOscarClient({
      location_current_village_code: '',
      address_current_village_code: '02020202',
    });
    expect(created(oscarEvent(noLocation)).location_current).toBe('2020202');
  });

  it.each([
    ['no action', 'no_action'],
    ['', 'no_action'],
    ['high', 'high'],
  ])('sets risk %j → %s on create of a referred client', (level, risk) => {
    expect(created(oscarEvent(buildOscarClient({ level_of_risk: level }))).risk_level).toBe(risk);
  });

  it('keeps the case_id OSCaR already knows on create', () => {
    const data = created(
      oscarEvent(buildOscarClient({ external_id: primeroCaseId, external_id_display: '3456789' })),
    );
    expect(data).toMatchObject({ case_id: primeroCaseId, case_id_display: '3456789' });
  });

  it('writes an unmapped OSCaR service as type other with the name in the details text', () => {
    for (const name of ['Not Specified', 'Literacy Support']) {
      const client = buildOscarClient({
        services: [buildOscarReferralService({ name, uuid: 'f1a4e827-19f7-4f96-90f6-69e35f73d867' })],
      });
      const [row] = created(oscarEvent(client)).services_section as Json[];
      expect(row).toMatchObject({ service_type: 'other', service_type_details_text: name });
      expect(row).not.toHaveProperty('service_subtype');
      expect(row).not.toHaveProperty('service_type_text');
    }
  });

  it('maps the duplicate-name rows to the later (mental health) entry', () => {
    const client = buildOscarClient({
      services: [buildOscarReferralService({ name: 'Therapeutic interventions' })],
    });
    const [row] = created(oscarEvent(client)).services_section as Json[];
    expect(row).toMatchObject({
      service_type: 'mental_health_support',
      service_subtype: ['mental_health_support_therapeutic_interventions'],
    });
  });
});

describe('planPrimeroCaseWrite: deterministic service-row ids', () => {
  it('derives lowercase UUIDv5 ids from the OSCaR identity', () => {
    const event = oscarEvent(buildOscarClient());
    const [enrolment, referral] = event.services;
    if (enrolment === undefined || referral === undefined) throw new Error('expected two services');
    expect(serviceRowName(ids.globalId, referral)).toBe(
      `oscar:${ids.globalId}:referral:2214:1a1accbd-90a9-4c71-a077-2595322744cb:Kinship care`,
    );
    expect(serviceRowName(ids.globalId, enrolment)).toBe(
      `oscar:${ids.globalId}:enrolment:Family Support:cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f:Family support`,
    );
    expect(uuidv5(serviceRowName(ids.globalId, referral))).toBe(kinshipRowId);
  });

  it('gives the same ids for the same input', () => {
    const rowIds = (): unknown[] =>
      (created(oscarEvent(buildOscarClient())).services_section as Json[]).map((row) => row.unique_id);
    expect(rowIds()).toEqual(rowIds());
  });

  it('gives two rows to two referrals for the same kind of service (legacy bug 26)', () => {
    const client = buildOscarClient({
      services: [buildOscarReferralService(), buildOscarReferralService({ referral_id: 2301 })],
    });
    const rows = created(oscarEvent(client)).services_section as Json[];
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((row) => row.unique_id)).size).toBe(2);
    expect(rows.map((row) => row.oscar_referral_id_a4ac8a5)).toEqual(['2214', '2301']);
  });

  it('gives two rows to the same service in two programs', () => {
    const client = buildOscarClient({
      services: [buildOscarProgramService(), buildOscarProgramService({ program_name: 'Foster Care' })],
    });
    expect(
      new Set((created(oscarEvent(client)).services_section as Json[]).map((r) => r.unique_id)).size,
    ).toBe(2);
  });

  it('uses an injected id function', () => {
    const out = planPrimeroCaseWrite({
      event: oscarEvent(buildOscarClient()),
      existing: null,
      tables,
      today,
      uuidv5: (name) =>
        name.includes(':referral:')
          ? '11111111-1111-4111-8111-111111111111'
          : '22222222-2222-4222-8222-222222222222',
    });
    expect(out.kind === 'create' && (out.data.services_section as Json[]).map((r) => r.unique_id)).toEqual([
      '22222222-2222-4222-8222-222222222222',
      '11111111-1111-4111-8111-111111111111',
    ]);
  });

  it('adopts a legacy row keyed by the OSCaR catalogue uuid instead of appending a duplicate', () => {
    const legacyRow = {
      unique_id: '1a1accbd-90a9-4c71-a077-2595322744cb',
      service_response_type: 'referral_from_oscar',
      oscar_referral_id_a4ac8a5: '2214',
      referral_status_edf41f2: 'accepted_340953',
    };
    const event = oscarEvent(buildOscarClient({ services: [buildOscarReferralService()] }));
    const data = updated(event, asExisting(created(event), { services_section: [legacyRow] }));
    const rows = data.services_section as Json[];
    expect(rows.map((r) => r.unique_id)).toEqual(['1a1accbd-90a9-4c71-a077-2595322744cb']);
    expect(rows[0]).not.toHaveProperty('referral_status_edf41f2');
  });
});

describe('planPrimeroCaseWrite: update as a diff', () => {
  it.each([
    ['referred', buildOscarClient()],
    ['never referred', buildUnlinkedClient()],
    ['linked to Primero', buildSharedClient()],
  ])('plans an empty update for an unchanged %s client (no PATCH)', (_name, client) => {
    const event = oscarEvent(client);
    // What the first sync created (a linked client's case was created in Primero; its fields look the same).
    const first = created({ ...event, origin: 'oscar' });
    const existing = asExisting(first, event.ids.caseId === null ? {} : { case_id: event.ids.caseId });
    expect(updated(event, existing)).toEqual({});
  });

  it('sends only the fields that changed', () => {
    const before = oscarEvent(buildOscarClient());
    const existing = asExisting(created(before));
    const after = oscarEvent(buildOscarClient({ status: 'Exited', mosvy_number: 'MSV-1' }));
    expect(updated(after, existing)).toEqual({ oscar_status: 'Exited', mosvy_number: 'MSV-1' });
  });

  it('never writes create-only fields on update', () => {
    const existing = asExisting(created(oscarEvent(buildOscarClient())));
    const renamed = oscarEvent(
      buildOscarClient({
        given_name: 'Other',
        family_name: 'Name',
        gender: 'male',
        date_of_birth: '2010-01-01',
        location_current_village_code: '02020202',
      }),
    );
    const data = updated(renamed, existing);
    for (const key of [
      'name_first',
      'name_last',
      'sex',
      'age',
      'date_of_birth',
      'location_current',
      'protection_status',
      'interview_subject',
    ]) {
      expect(data).not.toHaveProperty(key);
    }
  });

  it('does not clear Primero values with blank OSCaR values', () => {
    const existing = asExisting(created(oscarEvent(buildOscarClient())), { mosvy_number: 'MSV-7' });
    expect(
      updated(oscarEvent(buildOscarClient({ mosvy_number: '', case_worker_name: '' })), existing),
    ).toEqual({});
  });

  it('adds the row of a new OSCaR referral as pending and leaves the others alone', () => {
    const existing = asExisting(created(oscarEvent(buildOscarClient())));
    const client = buildOscarClient({
      services: [
        buildOscarProgramService(),
        buildOscarReferralService(),
        buildOscarReferralService({
          referral_id: 2301,
          name: 'Trauma counselling',
          uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8',
        }),
      ],
    });
    const data = updated(oscarEvent(client), existing);
    expect(Object.keys(data)).toEqual(['services_section']);
    expect(data.services_section).toEqual([
      expect.objectContaining({
        service_subtype: ['counselling_trauma'],
        oscar_referral_id_a4ac8a5: '2301',
        referral_status_edf41f2: 'pending_310366',
        referral_notes_from_oscar_2e787b8: 'Needs family-based care assessment',
      }),
    ]);
  });

  it.each([
    ['a Primero decision, OSCaR Referred', 'accepted_340953', 'Referred'],
    ['a Primero decision, OSCaR shows another decision', 'rejected_936484', 'Accepted'],
    ['pending, OSCaR Referred', 'pending_310366', 'Referred'],
  ])('never overwrites an existing row status (%s)', (_name, primeroStatus, oscarStatus) => {
    const first = created(oscarEvent(buildOscarClient()));
    const existing = asExisting(first, {
      services_section: (first.services_section as Json[]).map((row) =>
        row.unique_id === kinshipRowId ? { ...row, referral_status_edf41f2: primeroStatus } : row,
      ),
    });
    const client = buildOscarClient({
      services: [buildOscarProgramService(), buildOscarReferralService({ referral_status: oscarStatus })],
    });
    expect(updated(oscarEvent(client), existing)).toEqual({});
  });

  it('fills a blank status of an existing referral row with an OSCaR decision, else with pending (legacy bug 24)', () => {
    const first = created(oscarEvent(buildOscarClient()));
    const blank = asExisting(first, {
      services_section: (first.services_section as Json[]).map(
        ({ referral_status_edf41f2: _s, ...row }) => row,
      ),
    });
    // The legacy Pending pass read one page of cases only, so rows it never reached are still blank.
    expect(updated(oscarEvent(buildOscarClient()), blank)).toEqual({
      services_section: [{ unique_id: kinshipRowId, referral_status_edf41f2: 'pending_310366' }],
    });
    const accepted = buildOscarClient({
      services: [buildOscarProgramService(), buildOscarReferralService({ referral_status: 'Accepted' })],
    });
    expect(updated(oscarEvent(accepted), blank)).toEqual({
      services_section: [{ unique_id: kinshipRowId, referral_status_edf41f2: 'accepted_340953' }],
    });
  });

  it('gives a new row with an OSCaR decision that decision instead of pending', () => {
    const client = buildOscarClient({ services: [buildOscarReferralService({ referral_status: 'Exited' })] });
    expect((created(oscarEvent(client)).services_section as Json[])[0]?.referral_status_edf41f2).toBe(
      'rejected_936484',
    );
  });

  it('writes risk on update only when OSCaR sends one', () => {
    const existing = asExisting(created(oscarEvent(buildOscarClient())));
    expect(updated(oscarEvent(buildOscarClient({ level_of_risk: '' })), existing)).toEqual({});
    expect(updated(oscarEvent(buildOscarClient({ level_of_risk: 'no action' })), existing)).toEqual({
      risk_level: 'no_action',
    });
  });

  it('recomputes the owner of an OSCaR-originated case on every sync (docs/legacy-integration.md §5.3)', () => {
    const existing = asExisting(created(oscarEvent(buildOscarClient())), { owned_by: 'mgrsomeone' });
    expect(updated(oscarEvent(buildOscarClient()), existing)).toEqual({ owned_by: 'mgrpnh' });
  });

  it('keeps the owner of a case linked to Primero and does not write MoSVY referrals as rows', () => {
    const existing = {
      id: ids.linkedRecordId,
      case_id: ids.linkedCaseId,
      case_id_display: 'c3d4e5f',
      owned_by: 'mgrpnh',
      risk_level: 'high',
      services_section: [{ unique_id: ids.serviceId, service_response_type: 'referral_to_oscar' }],
    };
    expect(updated(oscarEvent(buildSharedClient()), existing)).toEqual({
      oscar_number: ids.linkedGlobalId,
      oscar_short_id: 'pqzd-2902',
      mosvy_number: 'MSV-0098',
      oscar_status: 'Accepted',
      consent_for_services: true,
      disclosure_other_orgs: true,
      module_id: 'primeromodule-cp',
    });
  });
});

describe('planPrimeroCaseWrite: identity', () => {
  it('refuses a case found with another case_id', () => {
    const event = oscarEvent(buildOscarClient({ external_id: primeroCaseId }));
    const out = plan(event, asExisting({}, { case_id: 'd0d0d0d0-1234-4abc-8def-0123456789ab' }));
    expect(out).toMatchObject({ kind: 'error', reason: 'IDENTITY_CONFLICT', field: 'external_id' });
  });

  it('refuses a case linked to another OSCaR client', () => {
    const out = plan(
      oscarEvent(buildOscarClient()),
      asExisting({}, { oscar_number: '01AAAAAAAAAAAAAAAAAAAAAAAA' }),
    );
    expect(out).toMatchObject({ kind: 'error', reason: 'IDENTITY_CONFLICT', field: 'global_id' });
  });

  it('does not create a duplicate for a linked client whose case is missing', () => {
    expect(plan(oscarEvent(buildSharedClient()))).toMatchObject({
      kind: 'error',
      reason: 'LINKED_CASE_NOT_FOUND',
    });
  });

  it('rejects an invalid existing case naming the field', () => {
    const out = plan(oscarEvent(buildOscarClient()), {
      id: ids.primeroRecordId,
      services_section: [{ unique_id: 5 }],
    });
    expect(out).toMatchObject({
      kind: 'error',
      reason: 'INVALID_RECORD',
      field: 'services_section.0.unique_id',
    });
  });

  it('rejects an unknown risk level naming risk-levels.csv', () => {
    const out = plan(oscarEvent(buildOscarClient({ level_of_risk: 'extreme' })));
    expect(out).toMatchObject({ kind: 'error', reason: 'UNKNOWN_RISK_LEVEL', field: 'level_of_risk' });
    if (out.kind === 'error') expect(out.error.message).toContain('config/mappings/risk-levels.csv');
  });
});
