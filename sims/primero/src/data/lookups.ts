import { serviceReferralStatuses, serviceResponseTypes, serviceTypes } from './cambodia.ts';

/** The lookups the case fields use (option ids are the real ones; display texts in English). */

export interface Lookup {
  readonly id: number;
  readonly uniqueId: string;
  readonly name: string;
  readonly locked: boolean;
  readonly values: readonly { readonly id: string; readonly name: string }[];
}

const definitions: Omit<Lookup, 'id'>[] = [
  {
    uniqueId: 'lookup-gender',
    name: 'Sex',
    locked: true,
    values: [
      { id: 'male', name: 'Male' },
      { id: 'female', name: 'Female' },
      { id: 'other', name: 'Other' },
    ],
  },
  {
    uniqueId: 'lookup-risk-level',
    name: 'Risk Level',
    locked: true,
    values: [
      { id: 'high', name: 'High' },
      { id: 'medium', name: 'Medium' },
      { id: 'low', name: 'Low' },
      { id: 'no_action', name: 'No action' },
    ],
  },
  {
    uniqueId: 'lookup-protection-status',
    name: 'Protection Status',
    locked: false,
    values: [
      { id: 'unaccompanied', name: 'Unaccompanied' },
      { id: 'separated', name: 'Separated' },
      { id: 'oscar_referral', name: 'OSCaR referral' },
    ],
  },
  {
    uniqueId: 'lookup-interview-subject',
    name: 'Interview Subject',
    locked: false,
    values: [
      { id: 'child', name: 'Child' },
      { id: 'caregiver', name: 'Caregiver' },
      { id: 'other', name: 'Other' },
    ],
  },
  {
    uniqueId: 'lookup-service-response-type',
    name: 'Service Response Type',
    locked: true,
    values: serviceResponseTypes,
  },
  {
    uniqueId: 'lookup-service-type',
    name: 'Service Type',
    locked: false,
    values: serviceTypes.map((type) => ({ id: type.id, name: type.name })),
  },
  {
    uniqueId: 'lookup-service-subtype',
    name: 'Service Subtype',
    locked: false,
    values: serviceTypes.flatMap((type) => type.subtypes),
  },
  {
    uniqueId: 'lookup-referral-status-edf41f2',
    name: 'Referral status',
    locked: false,
    values: serviceReferralStatuses,
  },
  {
    uniqueId: 'lookup-service-implemented',
    name: 'Service Implemented',
    locked: true,
    values: [
      { id: 'not_implemented', name: 'Not Implemented' },
      { id: 'implemented', name: 'Implemented' },
    ],
  },
  {
    uniqueId: 'lookup-service-referred',
    name: 'Service Referred',
    locked: true,
    values: [
      { id: 'referred', name: 'Referred' },
      { id: 'service_provided_by_your_agency', name: 'Service provided by your agency' },
      {
        id: 'services_already_received_from_another_agency',
        name: 'Services already received from another agency',
      },
      { id: 'service_not_applicable', name: 'Service not applicable' },
      { id: 'referral_declined_by_survivor', name: 'Referral declined by survivor' },
      { id: 'service_unavailable', name: 'Service unavailable' },
    ],
  },
  {
    uniqueId: 'lookup-service-response-timeframe',
    name: 'Service Response Timeframe',
    locked: true,
    values: [
      { id: '1_hour', name: 'One hour' },
      { id: '3_hours', name: 'Three hours' },
      { id: '1_day', name: 'One day' },
      { id: '3_days', name: 'Three days' },
    ],
  },
  {
    uniqueId: 'lookup-protection-concerns',
    name: 'Protection Concerns',
    locked: false,
    values: [
      { id: 'unaccompanied', name: 'Unaccompanied' },
      { id: 'separated', name: 'Separated' },
      { id: 'trafficked', name: 'Trafficked' },
      { id: 'disabled', name: 'Disabled' },
      { id: 'other', name: 'Other' },
    ],
  },
  {
    uniqueId: 'lookup-referral-status',
    name: 'Referral Status',
    locked: true,
    values: [
      { id: 'in_progress', name: 'In Progress' },
      { id: 'accepted', name: 'Accepted' },
      { id: 'rejected', name: 'Rejected' },
      { id: 'done', name: 'Done' },
      { id: 'revoked', name: 'Revoked' },
    ],
  },
];

export const lookups: readonly Lookup[] = definitions.map((lookup, index) => ({ id: index + 1, ...lookup }));
