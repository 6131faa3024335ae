import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { CaseChangedData, ReferralDecisionData } from '@pos/contracts';

import type { CaseChangedContent, MappingTables } from '../src/index.ts';
import {
  mappingFileNames,
  oscarClientToEvents,
  parseMappingManifest,
  parseMappingTables,
} from '../src/index.ts';

/** Raw upstream JSON, as the HTTP clients hand it over. */
export type Json = Record<string, unknown>;

export const mappingsDir = fileURLToPath(new URL('../../../config/mappings/', import.meta.url));

/** The eight CSV files of `config/mappings/`, by name. */
export function readMappingFiles(): Record<string, string> {
  return Object.fromEntries(
    mappingFileNames.map((name) => [name, readFileSync(`${mappingsDir}${name}`, 'utf8')]),
  );
}

export function loadTables(): MappingTables {
  const manifest = parseMappingManifest(JSON.parse(readFileSync(`${mappingsDir}manifest.json`, 'utf8')));
  return parseMappingTables(readMappingFiles(), manifest.version);
}

/** Rows of one CSV (simple split: the shipped files quote only fields with commas). */
export function csvRows(name: string): string[][] {
  const text = readMappingFiles()[name] ?? '';
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const fields: string[] = [];
      const re = /("([^"]|"")*"|[^,]*)(,|$)/g;
      let m: RegExpExecArray | null;
      while ((m = re.exec(line)) !== null) {
        const raw = m[1] ?? '';
        fields.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
        if (m[3] === '') break;
      }
      return fields;
    });
}

/** Applies overrides; an override of `undefined` removes the key (to test absent fields). */
function merge(base: Json, overrides: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

export const ids = {
  primeroRecordId: 'ee03c7e4-46bd-40ed-9312-01ce08515f1a',
  caseId: '5f6130b0-bfa7-4544-a3c8-897f54d3b877',
  caseIdDisplay: '4d3b877',
  serviceId: '020d0e8a-c948-451e-948e-3c5462a7cb56',
  secondServiceId: '5c1e7a2b-0f44-4c8e-a1d2-93b7e6f0c411',
  referralId: '7f4d2c1e-9a3b-4e8f-b6d5-2c1a0e9f8b71',
  secondReferralId: '8a5e3d2f-0b4c-4f9a-a7e6-3d2b1f0a9c82',
  globalId: '01HZX3K8Q2V7RMB5T9C4WJDNEF',
  linkedGlobalId: '01J2B6M9N4P7Q8R3S5T6V7W8XY',
  linkedCaseId: '6f1c2d3e-4a5b-4c7d-8e9f-0a1b2c3d4e5f',
  linkedRecordId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
} as const;

/** A `services_section` row MoSVY referred to CIF (docs/upstream/primero.md §4.2). */
export function buildPrimeroService(overrides: Json = {}): Json {
  return merge(
    {
      unique_id: ids.serviceId,
      service_response_type: 'referral_to_oscar',
      service_type: 'social_work_case_work',
      service_subtype: ['social_work_case_work_community'],
      service_response_day_time: '2023-08-24T06:00:00.000Z',
      service_implementing_agency: 'agency-cif',
      service_implementing_agency_individual: 'agency-cif-user',
      service_status_referred: true,
      service_implemented: 'not_implemented',
      referral_status_edf41f2: 'pending_310366',
    },
    overrides,
  );
}

/** A Primero v2 case with one service referred to OSCaR, not yet linked to an OSCaR client (docs/upstream/primero.md §4.2). */
export function buildPrimeroCase(overrides: Json = {}): Json {
  return merge(
    {
      id: ids.primeroRecordId,
      enabled: true,
      case_id: ids.caseId,
      case_id_display: ids.caseIdDisplay,
      short_id: ids.caseIdDisplay,
      status: 'open',
      record_state: true,
      module_id: 'primeromodule-cp',
      workflow: 'referral_to_oscar',
      name_first: 'Sokha',
      name_last: 'Chan',
      sex: 'female',
      age: 9,
      date_of_birth: '2014-03-01',
      registration_date: '2023-08-20',
      location_current: '2020202',
      risk_level: 'medium',
      mosvy_number: '9808827',
      consent_for_services: true,
      disclosure_other_orgs: true,
      owned_by: 'mgrpnh',
      owned_by_id: 17,
      owned_by_phone: '012 555 111',
      owned_by_full_name: 'Phnom Penh Manager',
      owned_by_agency_id: 'agency-mosvy',
      created_at: '2023-08-20T03:12:44.120Z',
      services_section: [buildPrimeroService()],
      last_updated_at: '2023-08-24T06:01:12.514Z',
    },
    overrides,
  );
}

/** A Primero referral record (transition) for the default service (docs/upstream/primero.md §5.3). */
export function buildPrimeroReferral(overrides: Json = {}): Json {
  return merge(
    {
      id: ids.referralId,
      type: 'Referral',
      status: 'in_progress',
      record_id: ids.primeroRecordId,
      record_type: 'case',
      transitioned_to: 'agency-cif-user',
      transitioned_to_agency: 'agency-cif',
      transitioned_by: 'mgrpnh',
      notes: 'Please provide community social work support',
      service: 'social_work_case_work',
      service_record_id: ids.serviceId,
      remote: false,
      created_at: '2023-08-24T06:01:12.480Z',
    },
    overrides,
  );
}

/** An OSCaR referral service (NGO → MoSVY, pending). */
export function buildOscarReferralService(overrides: Json = {}): Json {
  return merge(
    {
      program_name: null,
      enrollment_date: null,
      uuid: '1a1accbd-90a9-4c71-a077-2595322744cb',
      name: 'Kinship care',
      referral_id: 2214,
      referral_status: 'Referred',
    },
    overrides,
  );
}

/** An OSCaR program (enrolment) service. */
export function buildOscarProgramService(overrides: Json = {}): Json {
  return merge(
    {
      program_name: 'Family Support',
      enrollment_date: '2024-02-01',
      uuid: 'cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f',
      name: 'Family support',
    },
    overrides,
  );
}

/** A client CIF referred to MoSVY, in the Referred shape (docs/upstream/oscar.md §2.1.4, first item). */
export function buildOscarClient(overrides: Json = {}): Json {
  return merge(
    {
      slug: 'tkrw-2841',
      global_id: ids.globalId,
      external_id: '',
      external_id_display: '',
      mosvy_number: '',
      given_name: 'Sokha',
      family_name: 'Chan',
      gender: 'female',
      date_of_birth: '2013-04-17',
      location_current_village_code: '12060102',
      address_current_village_code: '12060102',
      organization_id: 46,
      organization_name: 'cif',
      external_case_worker_name: null,
      external_case_worker_id: null,
      reason_for_referral: 'Needs family-based care assessment',
      status: 'Active',
      case_worker_name: 'Dara Kim',
      case_worker_mobile: '012345678',
      is_referred: true,
      referral_consent_form: ['https://example.org/consent.png'],
      organization_address_code: '120611',
      level_of_risk: 'medium',
      services: [buildOscarProgramService(), buildOscarReferralService()],
    },
    overrides,
  );
}

/** A client linked to a Primero case (`resource: primero`), Shared shape (docs/upstream/oscar.md §2.1.4, second item). */
export function buildSharedClient(overrides: Json = {}): Json {
  return merge(
    {
      given_name: 'Vanna',
      family_name: 'Sok',
      local_given_name: 'វណ្ណា',
      local_family_name: 'សុខ',
      gender: 'male',
      date_of_birth: '2011-09-03',
      global_id: ids.linkedGlobalId,
      slug: 'pqzd-2902',
      external_id: ids.linkedCaseId,
      external_id_display: 'c3d4e5f',
      status: 'Accepted',
      mosvy_number: 'MSV-0098',
      location_current_village_code: '08080906',
      case_worker_name: 'Dara Kim',
      case_worker_mobile: '012345678',
      is_referred: true,
      organization_name: 'cif',
      organization_address_code: '120611',
      resource: 'primero',
      services: [
        {
          program_name: null,
          enrollment_date: null,
          uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8',
          name: 'Trauma counselling',
          referral_id: 2230,
          referral_status: 'Accepted',
        },
      ],
    },
    overrides,
  );
}

/** A shared client that was never referred and is not linked (docs/upstream/oscar.md §2.1.4, third item). */
export function buildUnlinkedClient(overrides: Json = {}): Json {
  return merge(
    {
      given_name: 'Bopha',
      family_name: 'Lim',
      local_given_name: '',
      local_family_name: '',
      gender: 'female',
      date_of_birth: '2016-01-20',
      global_id: '01HY0C2D3E4F5G6H7J8K9M0N1P',
      slug: 'abqe-2755',
      external_id: '',
      external_id_display: '',
      status: 'Accepted',
      mosvy_number: '',
      location_current_village_code: '',
      case_worker_name: '',
      case_worker_mobile: '',
      is_referred: false,
      organization_name: 'cif',
      organization_address_code: '120611',
      resource: null,
      services: [],
    },
    overrides,
  );
}

export const now = new Date('2026-11-29T10:00:00.000Z');
export const today = new Date('2026-11-29T00:00:00.000Z');

/** The `CaseChanged` content the oscar-poller would emit for `client`. */
export function oscarEvent(client: Json, tables: MappingTables = loadTables()): CaseChangedContent {
  const out = oscarClientToEvents(client, tables, { now });
  if (!out.ok) throw out.error;
  if (out.value.caseChanged === null) throw new Error('expected a CaseChanged');
  return out.value.caseChanged;
}

/** An `oscar.referral.decided` payload: CIF accepted MoSVY's referral for community social work. */
export function buildOscarDecision(
  overrides: Partial<ReferralDecisionData['referral']> = {},
  decision: 'accepted' | 'rejected' = 'accepted',
): ReferralDecisionData {
  return {
    referral: {
      caseId: ids.caseId,
      caseIdDisplay: ids.caseIdDisplay,
      primeroRecordId: null,
      primeroReferralId: null,
      primeroServiceId: null,
      oscarGlobalId: ids.linkedGlobalId,
      oscarReferralId: 2230,
      primeroSubtype: null,
      oscarServiceName: 'Community social work',
      ...overrides,
    },
    decision,
    decidedBy: { system: 'oscar', organization: 'cif', user: null },
    decidedAt: now.toISOString(),
    oscarStatus: 'Accepted',
    oscarSlug: 'pqzd-2902',
    mosvyNumber: 'MSV-0098',
  };
}

export type { CaseChangedData };
