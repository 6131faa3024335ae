import { randomUUID } from 'node:crypto';

import type { System } from './system.ts';

type Json = Record<string, unknown>;

export const asRecord = (value: unknown): Json =>
  typeof value === 'object' && value !== null ? (value as Json) : {};
export const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

export interface PrimeroServiceInput {
  subtype?: string[] | undefined;
  type?: string;
  agency?: string;
  responseType?: string;
}

/**
 * A MoSVY worker (`mgrpnh`, Phnom Penh) registers a child in Primero with one service row per input, as in
 * the Primero UI; returns the stored case (record id, case_id, service row ids).
 */
export async function createPrimeroCase(
  system: System,
  input: { services: PrimeroServiceInput[]; riskLevel?: string | null; person?: Json; user?: string },
): Promise<{ id: string; caseId: string; caseIdDisplay: string; serviceIds: string[] }> {
  const serviceIds = input.services.map(() => randomUUID());
  const data: Json = {
    module_id: 'primeromodule-cp',
    name_first: 'Sokha',
    name_last: 'Chan',
    sex: 'female',
    date_of_birth: '2014-03-01',
    location_current: '12010203',
    consent_for_services: true,
    disclosure_other_orgs: true,
    ...(input.riskLevel === null ? {} : { risk_level: input.riskLevel ?? 'medium' }),
    ...input.person,
    services_section: input.services.map((service, index) => ({
      unique_id: serviceIds[index],
      service_response_type: service.responseType ?? 'referral_to_oscar',
      service_type: service.type ?? 'counselling',
      ...(service.subtype === undefined ? {} : { service_subtype: service.subtype }),
      service_implementing_agency: service.agency ?? 'agency-cif',
      service_implementing_agency_individual: `${service.agency ?? 'agency-cif'}-user`,
      service_response_day_time: new Date().toISOString(),
    })),
  };
  const response = await system.primeroApi('POST', '/api/v2/cases', { data }, input.user ?? 'mgrpnh');
  if (response.status !== 200)
    throw new Error(
      `creating the Primero case answered ${response.status}: ${JSON.stringify(response.body)}`,
    );
  const created = asRecord(asRecord(response.body).data);
  return {
    id: String(created.id),
    caseId: String(created.case_id),
    caseIdDisplay: String(created.case_id_display),
    serviceIds,
  };
}

/** The worker clicks "Refer" on one service row: a Primero referral to the NGO's agency user. */
export async function referService(
  system: System,
  primeroCase: { id: string },
  serviceId: string,
  options: { agency?: string; notes?: string; type?: string; user?: string } = {},
): Promise<string> {
  const agency = options.agency ?? 'agency-cif';
  const response = await system.primeroApi(
    'POST',
    `/api/v2/cases/${primeroCase.id}/referrals`,
    {
      data: {
        transitioned_to: `${agency}-user`,
        transitioned_to_agency: agency,
        service: options.type ?? 'counselling',
        service_record_id: serviceId,
        notes: options.notes ?? 'Please provide trauma counselling',
      },
    },
    options.user ?? 'mgrpnh',
  );
  if (response.status !== 200)
    throw new Error(`referring answered ${response.status}: ${JSON.stringify(response.body)}`);
  return String(asRecord(asRecord(response.body).data).id);
}

export async function primeroCaseByCaseId(system: System, caseId: string): Promise<Json | undefined> {
  const response = await system.primeroControl(
    'GET',
    `/_control/cases?case_id=${encodeURIComponent(caseId)}`,
  );
  return asArray(asRecord(response.body).data)[0] ?? asArray(response.body)[0];
}

export async function primeroCasesByOscarNumber(system: System, globalId: string): Promise<Json[]> {
  const response = await system.primeroControl(
    'GET',
    `/_control/cases?oscar_number=${encodeURIComponent(globalId)}`,
  );
  const body = response.body;
  return Array.isArray(body) ? (body as Json[]) : asArray(asRecord(body).data);
}

export async function primeroReferrals(system: System, recordId: string): Promise<Json[]> {
  const response = await system.primeroApi(
    'GET',
    `/api/v2/cases/${recordId}/referrals`,
    undefined,
    'primero-sync',
  );
  return asArray(asRecord(response.body).data);
}

export async function oscarReferralsFor(system: System, caseId: string): Promise<Json[]> {
  const response = await system.oscarControl(
    'GET',
    `/_control/referrals?external_id=${encodeURIComponent(caseId)}`,
  );
  const body = response.body;
  return Array.isArray(body) ? (body as Json[]) : asArray(asRecord(body).data ?? asRecord(body).referrals);
}

export async function oscarClient(system: System, globalId: string): Promise<Json> {
  const response = await system.oscarControl('GET', `/_control/clients/${encodeURIComponent(globalId)}`);
  const body = asRecord(response.body);
  return asRecord(body.client ?? body);
}

export function serviceRow(primeroCase: Json | undefined, uniqueId: string): Json | undefined {
  return asArray(primeroCase?.services_section).find((row) => row.unique_id === uniqueId);
}
