import { describe, expect, it } from 'vitest';

import type { OscarClientEvents } from '../src/index.ts';
import { oscarClientShape, oscarClientToEvents, parseOscarClient, serviceDirection } from '../src/index.ts';
import {
  buildOscarClient,
  buildOscarProgramService,
  buildOscarReferralService,
  buildSharedClient,
  buildUnlinkedClient,
  ids,
  type Json,
  loadTables,
  now,
} from './builders.ts';

const tables = loadTables();
const map = (client: Json): OscarClientEvents => oscarClientToEvents(client, tables, { now });

function ok(result: OscarClientEvents): Extract<OscarClientEvents, { ok: true }>['value'] {
  if (!result.ok) throw result.error;
  return result.value;
}

describe('oscarClientToEvents', () => {
  it('maps a client an NGO referred to MoSVY (Referred shape, whole event)', () => {
    expect(ok(map(buildOscarClient()))).toStrictEqual({
      subject: `oscar:${ids.globalId}`,
      decisions: [],
      caseChanged: {
        ids: {
          primeroRecordId: null,
          caseId: null,
          caseIdDisplay: null,
          oscarGlobalId: ids.globalId,
          oscarSlug: 'tkrw-2841',
          mosvyNumber: null,
        },
        origin: 'oscar',
        person: {
          givenName: 'Sokha',
          familyName: 'Chan',
          localGivenName: null,
          localFamilyName: null,
          sex: 'female',
          dateOfBirth: '2013-04-17',
        },
        locationCode: '12060102',
        riskLevel: 'medium',
        organization: 'cif',
        organizationAddressCode: '120611',
        owner: null,
        caseWorker: { name: 'Dara Kim', phone: '012345678' },
        oscarStatus: 'Active',
        isReferred: true,
        referredToMosvy: true,
        consent: { forServices: null, disclosureOtherOrgs: null },
        reasonForReferral: 'Needs family-based care assessment',
        services: [
          {
            direction: 'oscar_enrolment',
            sourceServiceId: 'cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f',
            primeroServiceType: null,
            primeroSubtype: null,
            oscarServiceName: 'Family support',
            agency: 'agency-cif',
            primeroReferralId: null,
            primeroReferralStatus: null,
            primeroReferralCreatedAt: null,
            oscarReferralId: null,
            referralState: null,
            reason: null,
            enrolmentDate: '2024-02-01',
            programName: 'Family Support',
          },
          {
            direction: 'oscar_to_primero',
            sourceServiceId: '1a1accbd-90a9-4c71-a077-2595322744cb',
            primeroServiceType: null,
            primeroSubtype: null,
            oscarServiceName: 'Kinship care',
            agency: 'agency-cif',
            primeroReferralId: null,
            primeroReferralStatus: null,
            primeroReferralCreatedAt: null,
            oscarReferralId: 2214,
            referralState: 'pending',
            reason: null,
            enrolmentDate: null,
            programName: null,
          },
        ],
        sourceUpdatedAt: null,
      },
    });
  });

  it('maps a linked client with an NGO decision on a MoSVY referral (exact decision)', () => {
    const out = ok(map(buildSharedClient()));
    expect(out.subject).toBe(`oscar:${ids.linkedGlobalId}`);
    expect(out.caseChanged).toMatchObject({
      origin: 'primero',
      referredToMosvy: false,
      ids: { caseId: ids.linkedCaseId, caseIdDisplay: 'c3d4e5f', mosvyNumber: 'MSV-0098' },
      person: { localGivenName: 'វណ្ណា', localFamilyName: 'សុខ' },
      services: [{ direction: 'primero_to_oscar', oscarReferralId: 2230, referralState: 'accepted' }],
    });
    expect(out.decisions).toStrictEqual([
      {
        referral: {
          caseId: ids.linkedCaseId,
          caseIdDisplay: 'c3d4e5f',
          primeroRecordId: null,
          primeroReferralId: null,
          primeroServiceId: null,
          oscarGlobalId: ids.linkedGlobalId,
          oscarReferralId: 2230,
          primeroSubtype: null,
          oscarServiceName: 'Trauma counselling',
        },
        decision: 'accepted',
        decidedBy: { system: 'oscar', organization: 'cif', user: null },
        decidedAt: now.toISOString(),
        oscarStatus: 'Accepted',
        oscarSlug: 'pqzd-2902',
        mosvyNumber: 'MSV-0098',
      },
    ]);
  });

  it.each([
    ['Accepted', 'accepted'],
    ['Accetped', 'accepted'],
    ['Active', 'accepted'],
    ['Rejected', 'rejected'],
    ['Exited', 'rejected'],
    ['Referred', null],
    ['Something else', null],
  ])('OSCaR referral status %s → decision %s', (status, decision) => {
    const client = buildSharedClient({
      services: [
        buildOscarReferralService({ referral_status: status, name: 'Trauma counselling', referral_id: 2230 }),
      ],
    });
    expect(ok(map(client)).decisions.map((d) => d.decision)).toEqual(decision === null ? [] : [decision]);
  });

  it('emits no decisions for referrals the NGO sent to MoSVY (not linked)', () => {
    const client = buildOscarClient({
      services: [buildOscarReferralService({ referral_status: 'Accepted' })],
    });
    expect(ok(map(client)).decisions).toEqual([]);
  });

  it('maps a shared client that was never referred', () => {
    const out = ok(map(buildUnlinkedClient()));
    expect(out.caseChanged).toMatchObject({
      origin: 'oscar',
      isReferred: false,
      referredToMosvy: false,
      locationCode: null,
      caseWorker: { name: null, phone: null },
      person: { localGivenName: null, localFamilyName: null },
      services: [],
    });
  });

  it('drops exact duplicate services (catalogue names listed twice)', () => {
    const twice = buildOscarReferralService({
      name: 'Therapeutic interventions',
      uuid: '9a3b4c0e-c2bb-4ca6-bbf2-23b7ae933af4',
    });
    const out = ok(map(buildOscarClient({ services: [twice, twice] })));
    expect(out.caseChanged?.services).toHaveLength(1);
  });

  it('reads level_of_risk (the key OSCaR really sends), not risk_level', () => {
    expect(
      ok(map(buildOscarClient({ level_of_risk: 'no action', risk_level: 'high' }))).caseChanged?.riskLevel,
    ).toBe('no action');
    expect(ok(map(buildOscarClient({ level_of_risk: '' }))).caseChanged?.riskLevel).toBeNull();
  });

  it.each([
    ['missing global_id', { global_id: undefined }, 'MISSING_KEY', 'global_id'],
    ['services not a list', { services: {} }, 'INVALID_RECORD', 'services'],
    ['a numeric gender', { gender: 1 }, 'INVALID_RECORD', 'gender'],
    [
      'a malformed enrolment date',
      { services: [buildOscarProgramService({ enrollment_date: '01/02/2024' })] },
      'INVALID_RECORD',
      'services.0.enrollment_date',
    ],
  ])('rejects %s', (_name, overrides, code, field) => {
    expect(map(buildOscarClient(overrides))).toMatchObject({
      ok: false,
      reason: code,
      error: { field, permanent: true },
    });
  });
});

describe('oscarClientToEvents: ids and dates it cannot trust', () => {
  it.each([
    ['a global_id that is not an id', { global_id: 'client of Vanna' }, 'global_id'],
    ['a numeric global_id', { global_id: 7000001 }, 'global_id'],
    ['a global_id of 2,000 characters', { global_id: 'A'.repeat(2_000) }, 'global_id'],
  ])('rejects %s, naming the client by its slug', (_name, overrides, field) => {
    const client = buildOscarClient(overrides);
    expect(map(client)).toMatchObject({ ok: false, recordId: client.slug, error: { field } });
  });

  it.each([
    ['an external_id that is not an id', { external_id: 'case of Vanna' }, 'external_id'],
    [
      'an impossible enrolment date',
      { services: [buildOscarProgramService({ enrollment_date: '2020-02-30' })] },
      'services.0.enrollment_date',
    ],
    [
      'an 11-digit enrolment year',
      { services: [buildOscarProgramService({ enrollment_date: '22020-01-15' })] },
      'services.0.enrollment_date',
    ],
    ['services [null]', { services: [null] }, 'services.0'],
  ])('rejects %s, naming the client by its global_id', (_name, overrides, field) => {
    const client = buildOscarClient(overrides);
    expect(map(client)).toMatchObject({ ok: false, recordId: client.global_id, error: { field } });
  });

  it('keeps Khmer and mixed-script names as they are (valid, not malformed)', () => {
    const out = ok(map(buildSharedClient({ given_name: 'Sokha សុខា', local_given_name: 'សុខា' })));
    expect(out.caseChanged?.person).toMatchObject({ givenName: 'Sokha សុខា', localGivenName: 'សុខា' });
  });
});

describe('serviceDirection', () => {
  it.each([
    [{ enrollment_date: '2024-02-01' }, 'primero', 'oscar_enrolment'],
    [{ enrollment_date: '2024-02-01' }, null, 'oscar_enrolment'],
    [{ enrollment_date: null }, 'primero', 'primero_to_oscar'],
    [{}, 'primero', 'oscar_to_primero'],
    [{ enrollment_date: null }, null, 'oscar_to_primero'],
    [{ enrollment_date: null }, undefined, 'oscar_to_primero'],
  ] as const)('%j with resource %j → %s', (service, resource, expected) => {
    expect(serviceDirection(service, resource)).toBe(expected);
  });
});

describe('client shapes', () => {
  it('tells the Referred and the Shared shape apart by their keys', () => {
    expect(oscarClientShape(buildOscarClient())).toBe('referred');
    expect(oscarClientShape(buildSharedClient())).toBe('shared');
    expect(oscarClientShape(buildUnlinkedClient())).toBe('shared');
    const parsed = parseOscarClient(buildSharedClient());
    expect(parsed.ok && parsed.value.shape).toBe('shared');
  });
});
