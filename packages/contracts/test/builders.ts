import type { CaseChanged, CaseService, ReferralDecision } from '../src/index.ts';

/** Data builders with overrides (STYLE.md): realistic events for table-driven tests. */
export function buildService(overrides: Partial<CaseService> = {}): CaseService {
  return {
    direction: 'primero_to_oscar',
    sourceServiceId: '020d0e8a-c948-451e-948e-3c5462a7cb56',
    primeroServiceType: 'social_work_case_work',
    primeroSubtype: 'social_work_case_work_community',
    oscarServiceName: null,
    agency: 'agency-cif',
    primeroReferralId: '7f4d2c1e-9a3b-4e8f-b6d5-2c1a0e9f8b71',
    primeroReferralStatus: 'in_progress',
    primeroReferralCreatedAt: '2023-08-24T06:01:12.480Z',
    oscarReferralId: null,
    referralState: 'pending',
    reason: 'Please provide community social work support',
    enrolmentDate: null,
    programName: null,
    ...overrides,
  };
}

export function buildCaseChanged(overrides: { data?: Partial<CaseChanged['data']> } = {}): CaseChanged {
  return {
    type: 'CaseChanged',
    data: {
      ids: {
        primeroRecordId: 'ee03c7e4-46bd-40ed-9312-01ce08515f1a',
        caseId: '5f6130b0-bfa7-4544-a3c8-897f54d3b877',
        caseIdDisplay: '4d3b877',
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
      locationCode: '12010203',
      riskLevel: 'medium',
      organization: 'agency-mosvy',
      organizationAddressCode: null,
      owner: { user: 'mgrpnh', userId: null, agency: 'agency-mosvy', phone: null },
      caseWorker: null,
      oscarStatus: null,
      isReferred: null,
      referredToMosvy: false,
      consent: { forServices: true, disclosureOtherOrgs: true },
      reasonForReferral: null,
      services: [buildService()],
      sourceUpdatedAt: '2023-08-24T06:01:12.514Z',
      fingerprint: 'a'.repeat(64),
      ...overrides.data,
    },
    metadata: {
      eventId: '01930c5e-7a9b-7c3d-8e4f-5a6b7c8d9e0f',
      schemaVersion: 1,
      occurredAt: '2023-08-24T06:02:00.000Z',
      source: 'primero',
      subject: 'primero:5f6130b0-bfa7-4544-a3c8-897f54d3b877',
      correlationId: '01930c5e-7a9b-7c3d-8e4f-5a6b7c8d9e0f',
      causationId: null,
    },
  };
}

export function buildReferralDecision(overrides: Partial<ReferralDecision['data']> = {}): ReferralDecision {
  return {
    type: 'ReferralDecision',
    data: {
      referral: {
        caseId: '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f',
        caseIdDisplay: 'c3d4e5f',
        primeroRecordId: null,
        primeroReferralId: null,
        primeroServiceId: '37cd9808-c417-4a19-9563-36ac7865e2f8',
        oscarGlobalId: '01J2B6M9N4P7Q8R3S5T6V7W8XY',
        oscarReferralId: 2230,
        primeroSubtype: null,
        oscarServiceName: 'Trauma counselling',
      },
      decision: 'accepted',
      decidedBy: { system: 'oscar', organization: 'cif', user: null },
      decidedAt: '2026-11-29T10:00:00.000Z',
      oscarStatus: 'Accepted',
      oscarSlug: 'pqzd-2902',
      mosvyNumber: null,
      ...overrides,
    },
    metadata: {
      eventId: '01930c5e-7a9b-7c3d-8e4f-5a6b7c8d9e10',
      schemaVersion: 1,
      occurredAt: '2026-11-29T10:00:01.000Z',
      source: 'oscar',
      subject: 'oscar:01J2B6M9N4P7Q8R3S5T6V7W8XY',
      correlationId: '01930c5e-7a9b-7c3d-8e4f-5a6b7c8d9e10',
      causationId: null,
    },
  };
}
