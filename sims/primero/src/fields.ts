/**
 * The case field schema the simulator enforces and indexes: stock Primero CP fields the integration
 * touches plus the Cambodia (MoSVY) custom fields (docs/upstream/primero.md §4.2, §4.5, §6.1, §6.2).
 */

export type FieldType =
  | 'text_field'
  | 'textarea'
  | 'select_box'
  | 'radio_button'
  | 'tick_box'
  | 'numeric_field'
  | 'date_field'
  | 'subform';

export interface FieldDefinition {
  readonly name: string;
  readonly type: FieldType;
  readonly displayName: string;
  readonly multiSelect?: true;
  readonly dateIncludeTime?: true;
  /** `lookup lookup-…`, `Location`, `User` or `Agency`. */
  readonly optionStringsSource?: string;
  readonly subform?: readonly FieldDefinition[];
}

export interface FormDefinition {
  readonly uniqueId: string;
  readonly name: string;
  readonly order: number;
  readonly formGroupId: string;
  readonly isNested: boolean;
  readonly fields: readonly FieldDefinition[];
}

const text = (name: string, displayName: string): FieldDefinition => ({
  name,
  type: 'text_field',
  displayName,
});
const textarea = (name: string, displayName: string): FieldDefinition => ({
  name,
  type: 'textarea',
  displayName,
});
const tick = (name: string, displayName: string): FieldDefinition => ({
  name,
  type: 'tick_box',
  displayName,
});
const select = (name: string, displayName: string, source: string): FieldDefinition => ({
  name,
  type: 'select_box',
  displayName,
  optionStringsSource: source,
});
const multi = (name: string, displayName: string, source: string): FieldDefinition => ({
  name,
  type: 'select_box',
  displayName,
  optionStringsSource: source,
  multiSelect: true,
});
const date = (name: string, displayName: string): FieldDefinition => ({
  name,
  type: 'date_field',
  displayName,
});
const dateTime = (name: string, displayName: string): FieldDefinition => ({
  name,
  type: 'date_field',
  displayName,
  dateIncludeTime: true,
});

/** Rows of `services_section`. */
export const serviceFields: readonly FieldDefinition[] = [
  select('service_response_type', 'Type of Response', 'lookup lookup-service-response-type'),
  select('service_type', 'Type of Service', 'lookup lookup-service-type'),
  multi('service_subtype', 'Service Subtype', 'lookup lookup-service-subtype'),
  text('service_type_text', 'Type of Service (text)'),
  text('service_type_details_text', 'Service details'),
  dateTime('service_response_day_time', 'Created on'),
  select(
    'service_response_timeframe',
    'Implementation Timeframe',
    'lookup lookup-service-response-timeframe',
  ),
  select('service_referral', 'Referral?', 'lookup lookup-service-referred'),
  date('service_appointment_date', 'Appointment Date'),
  text('service_appointment_time', 'Appointment Time'),
  select('service_implementing_agency', 'Implementing Agency', 'Agency'),
  text('service_provider', 'Service Provider'),
  select('service_delivery_location', 'Service Location', 'ReportingLocation'),
  select('service_implementing_agency_individual', 'Implementing Agency Individual', 'User'),
  tick('service_status_referred', 'Referred'),
  text('service_location', 'Service Location (text)'),
  textarea('service_referral_notes', 'Notes'),
  select('service_implemented', 'Service Implemented', 'lookup lookup-service-implemented'),
  dateTime('service_implemented_day_time', 'Service Implemented On'),
  textarea('note_on_referral_from_provider', 'Note on referral from the service provider'),
  tick('service_external_referral', 'External referral'),
  select('referral_status_edf41f2', 'Referral status', 'lookup lookup-referral-status-edf41f2'),
  text('oscar_referral_id_a4ac8a5', 'OSCaR referral id'),
  textarea('referral_notes_from_oscar_2e787b8', 'Referral notes from OSCaR'),
  text('oscar_case_worker_name', 'OSCaR case worker name'),
  text('oscar_case_worker_telephone', 'OSCaR case worker telephone'),
  select('oscar_referring_organization', 'OSCaR referring organization', 'Agency'),
];

export const caseForms: readonly FormDefinition[] = [
  {
    uniqueId: 'basic_identity',
    name: 'Basic Identity',
    order: 10,
    formGroupId: 'identification_registration',
    isNested: false,
    fields: [
      text('case_id', 'Long ID'),
      text('case_id_display', 'Case ID'),
      text('name', 'Full Name'),
      text('name_first', 'First Name'),
      text('name_middle', 'Middle Name'),
      text('name_last', 'Surname'),
      text('name_nickname', 'Nickname'),
      text('name_other', 'Other Name'),
      select('sex', 'Sex', 'lookup lookup-gender'),
      { name: 'age', type: 'numeric_field', displayName: 'Age' },
      date('date_of_birth', 'Date of Birth'),
      tick('estimated', 'Is the age estimated?'),
      date('registration_date', 'Date of Registration or Interview'),
      select('location_current', 'Current Location', 'Location'),
      textarea('address_current', 'Current Address'),
      text('national_id_no', 'National ID Number'),
      select('risk_level', 'Risk Level', 'lookup lookup-risk-level'),
      select('protection_status', 'Protection Status', 'lookup lookup-protection-status'),
      multi('protection_concerns', 'Protection Concerns', 'lookup lookup-protection-concerns'),
      tick('urgent_protection_concern', 'Urgent protection concern?'),
      select('interview_subject', 'Interview Subject', 'lookup lookup-interview-subject'),
    ],
  },
  {
    uniqueId: 'oscar_information',
    name: 'OSCaR',
    order: 20,
    formGroupId: 'identification_registration',
    isNested: false,
    fields: [
      text('oscar_number', 'OSCaR number'),
      text('oscar_short_id', 'OSCaR short id'),
      text('mosvy_number', 'MoSVY number'),
      text('oscar_status', 'OSCaR status'),
      text('oscar_reason_for_exiting', 'OSCaR reason for exiting'),
    ],
  },
  {
    uniqueId: 'consent',
    name: 'Data Confidentiality',
    order: 30,
    formGroupId: 'identification_registration',
    isNested: false,
    fields: [
      tick('consent_for_services', 'Consent for services'),
      tick('disclosure_other_orgs', 'Consent to disclose to other organisations'),
    ],
  },
  {
    uniqueId: 'services',
    name: 'Services',
    order: 40,
    formGroupId: 'services_follow_up',
    isNested: false,
    fields: [{ name: 'services_section', type: 'subform', displayName: 'Services', subform: serviceFields }],
  },
];

/** Every writable top-level form field, by name. */
export const caseFormFields: ReadonlyMap<string, FieldDefinition> = new Map(
  caseForms.flatMap((form) => form.fields.map((field) => [field.name, field] as const)),
);

/** Primero's PERMITTED_CORE_FIELDS_SCHEMA: writable on every role, with their own JSON types. */
export type CoreFieldRule =
  | { readonly kind: 'uuid' }
  | { readonly kind: 'string'; readonly nullable: boolean }
  | { readonly kind: 'boolean'; readonly nullable: boolean }
  | { readonly kind: 'date-time' }
  | { readonly kind: 'enum'; readonly values: readonly string[] };

export const coreFieldRules: ReadonlyMap<string, CoreFieldRule> = new Map<string, CoreFieldRule>([
  ['id', { kind: 'uuid' }],
  ['status', { kind: 'string', nullable: false }],
  ['state', { kind: 'boolean', nullable: false }],
  ['case_status_reopened', { kind: 'boolean', nullable: true }],
  ['record_state', { kind: 'boolean', nullable: false }],
  ['incident_case_id', { kind: 'uuid' }],
  ['created_at', { kind: 'date-time' }],
  ['owned_by', { kind: 'string', nullable: false }],
  ['module_id', { kind: 'enum', values: ['primeromodule-cp', 'primeromodule-gbv', 'primeromodule-mrm'] }],
]);

/**
 * How a filter compares values of a field (Solr field types in v2.5):
 * `ci` case-insensitive string (`*_sci`, option fields and the ID fields), `text` exact string,
 * `multi` any element of a string array, `bool`, `int`, `date`, `time`, `location` (admin hierarchy).
 */
export type MatchKind = 'ci' | 'text' | 'multi' | 'bool' | 'int' | 'date' | 'time' | 'location';

/** Exact-match, case-insensitive ID fields (Child.filterable_id_fields ∩ this schema). */
export const idFields: ReadonlySet<string> = new Set([
  'unique_identifier',
  'short_id',
  'case_id_display',
  'case_id',
  'oscar_number',
  'national_id_no',
]);

/** Fields the server stores and computes; readable and filterable but not writable. */
const systemFieldKinds: readonly [string, MatchKind][] = [
  ['id', 'ci'],
  ['record_id', 'text'],
  ['unique_identifier', 'ci'],
  ['short_id', 'ci'],
  ['status', 'ci'],
  ['record_state', 'bool'],
  ['case_status_reopened', 'bool'],
  ['module_id', 'ci'],
  ['workflow', 'ci'],
  ['owned_by', 'ci'],
  ['owned_by_full_name', 'text'],
  ['owned_by_agency_id', 'ci'],
  ['owned_by_groups', 'multi'],
  ['owned_by_location', 'ci'],
  ['previously_owned_by', 'text'],
  ['previously_owned_by_full_name', 'text'],
  ['previously_owned_by_agency', 'text'],
  ['previously_owned_by_location', 'text'],
  ['assigned_user_names', 'multi'],
  ['associated_user_names', 'multi'],
  ['created_by', 'ci'],
  ['created_organization', 'ci'],
  ['last_updated_by', 'ci'],
  ['created_at', 'time'],
  ['posted_at', 'time'],
  ['last_updated_at', 'time'],
];

function matchKindOf(field: FieldDefinition): MatchKind | undefined {
  switch (field.type) {
    case 'text_field':
    case 'textarea':
      return 'text';
    case 'select_box':
      if (field.multiSelect === true) return 'multi';
      return field.optionStringsSource === 'Location' ? 'location' : 'ci';
    case 'radio_button':
      return 'ci';
    case 'tick_box':
      return 'bool';
    case 'numeric_field':
      return 'int';
    case 'date_field':
      return field.dateIncludeTime === true ? 'time' : 'date';
    case 'subform':
      return undefined;
  }
}

/** Indexed top-level fields and how to match them. Subforms are not indexed (§7: not filterable). */
export const filterableFields: ReadonlyMap<string, MatchKind> = new Map<string, MatchKind>([
  ...systemFieldKinds,
  ...[...caseFormFields.values()].flatMap((field) => {
    const kind = idFields.has(field.name) ? 'ci' : matchKindOf(field);
    return kind === undefined ? [] : [[field.name, kind] as [string, MatchKind]];
  }),
]);

/** Fields whose admin-level variants (`location_current2`) filter on the location hierarchy. */
export const locationFields: ReadonlySet<string> = new Set(['location_current', 'owned_by_location']);

/**
 * Names Primero puts in `@permitted_field_names` for a full-access role. A query key is kept as a filter
 * when it ends with one of them (optionally followed by a digit 0–5); Sunspot then needs an indexed field
 * of exactly that name.
 */
export const permittedFieldNames: readonly string[] = [
  ...new Set([
    ...coreFieldRules.keys(),
    ...caseFormFields.keys(),
    ...systemFieldKinds.map(([name]) => name),
    // PERMITTED_FILTER_FIELD_NAMES (v2.5.7); those not indexed here answer 500 like an unknown Solr field.
    'or',
    'not',
    'cases_by_date',
    'record_in_scope',
    'not_edited_by_owner',
    'referred_users',
    'referred_users_present',
    'transferred_to_users',
    'transferred_to_user_groups',
    'has_photo',
    'has_incidents',
    'date_closure',
    'reassigned_transferred_on',
    'current_alert_types',
    'reporting_location_hierarchy',
    'flag_count',
    'flagged',
    'alert_count',
  ]),
];

/** Text fields Solr can sort on (`*_sortable`). */
export const sortableTextFields: ReadonlySet<string> = new Set(['name', 'case_id_display', 'national_id_no']);

/** Fields in `fields=short` (Child.summary_field_names). */
export const summaryFieldNames: readonly string[] = [
  'created_at',
  'owned_by',
  'owned_by_agency_id',
  'photos',
  'flag_count',
  'status',
  'record_in_scope',
  'short_id',
  'alert_count',
  'case_id_display',
  'name',
  'survivor_code_no',
  'age',
  'sex',
  'registration_date',
  'hidden_name',
  'workflow',
  'case_status_reopened',
  'module_id',
  'registry_record_id',
];
