import { randomUUID } from 'node:crypto';

import type { System } from '@pos/e2e';

/** The NGOs of the mapping tables that the bench's changes are spread over, in turn. */
export const ngos = ['cif', 'holt', 'mtp', 'tlc'];

/**
 * A MoSVY manager registers a child with a service for an NGO and refers it (two Primero API calls);
 * answers the case's `case_id`. `onReferralSent` runs once the referral's request is sent, before its
 * answer, for a stage that times from that moment.
 */
export async function referInPrimero(
  system: System,
  i: number,
  label: string,
  onReferralSent?: (caseId: string) => void,
): Promise<string> {
  const ngo = ngos[i % ngos.length] ?? 'cif';
  const id = randomUUID();
  const caseId = randomUUID();
  const serviceId = randomUUID();
  await expectOk(
    system.primeroApi('POST', '/api/v2/cases', {
      data: {
        id,
        case_id: caseId,
        module_id: 'primeromodule-cp',
        name_first: `${label}${i}`,
        name_last: 'Referral',
        sex: i % 2 === 0 ? 'female' : 'male',
        date_of_birth: '2014-03-01',
        location_current: '12010203',
        risk_level: 'medium',
        consent_for_services: true,
        disclosure_other_orgs: true,
        services_section: [
          {
            unique_id: serviceId,
            service_response_type: 'referral_to_oscar',
            service_type: 'counselling',
            service_implementing_agency: `agency-${ngo}`,
            service_implementing_agency_individual: `agency-${ngo}-user`,
          },
        ],
      },
    }),
  );
  const referral = expectOk(
    system.primeroApi('POST', `/api/v2/cases/${id}/referrals`, {
      data: {
        transitioned_to: `agency-${ngo}-user`,
        transitioned_to_agency: `agency-${ngo}`,
        service: 'counselling',
        service_record_id: serviceId,
        notes: `${label.toLowerCase()} change`,
      },
    }),
  );
  onReferralSent?.(caseId);
  await referral;
  return caseId;
}

/** The answer's body, or an error naming the status of a call that did not succeed. */
export async function expectOk(call: Promise<{ status: number; body: unknown }>): Promise<unknown> {
  const response = await call;
  if (response.status >= 300) {
    throw new Error(`a change answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
  }
  return response.body;
}
