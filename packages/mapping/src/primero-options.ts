/**
 * Option ids and constants of MoSVY's Primero configuration that the mapping relies on (docs/legacy-integration.md §3.6).
 * They are part of Primero's form configuration, not of the mapping tables, so they are fixed here.
 */
export const primeroOption = {
  /** `service_response_type`: MoSVY referred the child to an OSCaR NGO. */
  referralToOscar: 'referral_to_oscar',
  /** `service_response_type`: an NGO referred the child to MoSVY. */
  referralFromOscar: 'referral_from_oscar',
  /** `service_response_type`: the NGO provides the service through a program enrolment. */
  enrolment: 'service_being_provided_by_oscar_partner_47618',
  /** `referral_status_edf41f2` values. */
  pending: 'pending_310366',
  accepted: 'accepted_340953',
  rejected: 'rejected_936484',
  moduleId: 'primeromodule-cp',
  protectionStatus: 'oscar_referral',
  interviewSubject: 'other',
  /** `service_type` for an OSCaR service name that `services-inbound.csv` does not map. */
  otherServiceType: 'other',
  /** `service_type_details_text` of a mapped service. */
  mappedDetailsText: 'n/a',
  /** Default risk level of a newly created case for a referred client that OSCaR sent without one. */
  defaultRiskLevel: 'no_action',
} as const;

/** OSCaR constants (docs/upstream/oscar.md §2.2, §4). */
export const oscarValue = {
  /** Service name sent when the Primero subtype is missing or unmapped. */
  notSpecified: 'Not Specified',
  /** `external_case_worker_mobile` when Primero has no phone (OSCaR requires one). */
  defaultPhone: '000000000',
  /** `resource` of a client linked to a Primero case. */
  primeroResource: 'primero',
} as const;
