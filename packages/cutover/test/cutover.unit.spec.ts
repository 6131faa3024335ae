import { describe, expect, it } from 'vitest';

import { classify } from '../src/first-sync.planner.ts';
import { decisionKey, knownOscarState } from '../src/oscar-writer-memory.ts';

describe('knownOscarState', () => {
  it("records each linked client's Primero ids and each referral's status", () => {
    const known = knownOscarState([
      {
        global_id: 'G1',
        external_id: 'case-1',
        external_id_display: 'ase-1',
        services: [{ referral_id: 3, referral_status: 'Accepted' }, { enrollment_date: '2024-01-01' }],
      },
      { global_id: 'G2', external_id: null, services: [{ referral_id: 4, referral_status: 'Referred' }] },
      { global_id: 'G3', external_id: 'case-3', external_id_display: null },
    ]);
    expect([...known.links]).toEqual([
      ['G1', { caseId: 'case-1', caseIdDisplay: 'ase-1' }],
      ['G3', { caseId: 'case-3', caseIdDisplay: '' }],
    ]);
    expect([...known.decisions]).toEqual([
      [decisionKey('G1', 3), 'Accepted'],
      [decisionKey('G2', 4), 'Referred'],
    ]);
  });

  it('leaves out a global id whose clients in two NGOs show different Primero ids', () => {
    const known = knownOscarState([
      { global_id: 'G1', external_id: 'case-1', external_id_display: '1' },
      { global_id: 'G1', external_id: 'case-9', external_id_display: '9' },
    ]);
    expect(known.links.size).toBe(0);
  });
});

describe('classify', () => {
  const existing = {
    risk_level: 'no_action',
    services_section: [
      { unique_id: 'r1', service_response_type: 'referral_from_oscar' },
      {
        unique_id: 'r2',
        service_response_type: 'referral_from_oscar',
        referral_status_edf41f2: 'accepted_340953',
      },
    ],
  };

  it('names each change of a case PATCH', () => {
    expect(
      classify(
        {
          risk_level: 'high',
          oscar_status: 'Exited',
          oscar_number: 'G',
          mosvy_number: '12',
          owned_by: 'mgrstg',
          consent_for_services: true,
          services_section: [
            { unique_id: 'r1', referral_status_edf41f2: 'pending_310366' },
            { unique_id: 'n1', service_response_type: 'service_being_provided_by_oscar_partner_47618' },
            { unique_id: 'n2', service_response_type: 'referral_from_oscar' },
            { unique_id: 'r2', service_type: 'counselling' },
          ],
        },
        existing,
        false,
      ).sort(),
    ).toEqual(
      [
        'risk-level-written',
        'oscar-status-written',
        'ids-written',
        'mosvy-number-written',
        'owner-written',
        'other-case-fields-written',
        'row-status-filled',
        'enrolment-rows-added',
        'referral-rows-added',
        'rows-updated',
      ].sort(),
    );
  });

  it("counts a decision's own row fields as the decision, not as row updates", () => {
    expect(
      classify(
        {
          services_section: [
            { unique_id: 'r1', referral_status_edf41f2: 'accepted_340953', oscar_referral_id_a4ac8a5: '5' },
          ],
        },
        existing,
        true,
      ),
    ).toEqual([]);
  });
});
