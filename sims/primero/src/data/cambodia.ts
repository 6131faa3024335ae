/**
 * The Cambodia (MoSVY) configuration the simulator serves: provinces and their manager users, OSCaR NGO
 * agencies, and the service types and subtypes. Copied from config/mappings/*.csv so that the
 * simulator has no run-time file dependency.
 */

export interface Province {
  /** Two-digit admin code as OSCaR writes it (`01` … `25`). */
  readonly code: string;
  readonly name: string;
  /** The Primero province manager user (`mgrpnh` …). */
  readonly user: string;
}

export const provinces: readonly Province[] = [
  { code: '01', name: 'Banteay Meanchey', user: 'mgrbmc' },
  { code: '02', name: 'Battambang', user: 'mgrbtb' },
  { code: '03', name: 'Kampong Cham', user: 'mgrkcm' },
  { code: '04', name: 'Kampong Chhnang', user: 'mgrkch' },
  { code: '05', name: 'Kampong Speu', user: 'mgrksp' },
  { code: '06', name: 'Kampong Thom', user: 'mgrktm' },
  { code: '07', name: 'Kampot', user: 'mgrkpt' },
  { code: '08', name: 'Kandal', user: 'mgrkdl' },
  { code: '09', name: 'Koh Kong', user: 'mgrkkg' },
  { code: '10', name: 'Kratie', user: 'mgrkrt' },
  { code: '11', name: 'Mondul Kiri', user: 'mgrmdk' },
  { code: '12', name: 'Phnom Penh', user: 'mgrpnh' },
  { code: '13', name: 'Preah Vihear', user: 'mgrpvh' },
  { code: '14', name: 'Prey Veng', user: 'mgrpvg' },
  { code: '15', name: 'Pursat', user: 'mgrpst' },
  { code: '16', name: 'Ratanak Kiri', user: 'mgrrtk' },
  { code: '17', name: 'Siem Reap', user: 'mgrsrp' },
  { code: '18', name: 'Preah Sihanouk', user: 'mgrshv' },
  { code: '19', name: 'Stung Treng', user: 'mgrstg' },
  { code: '20', name: 'Svay Rieng', user: 'mgrsvg' },
  { code: '21', name: 'Takeo', user: 'mgrtakeo' },
  { code: '22', name: 'Oddar Meanchey', user: 'mgromc' },
  { code: '23', name: 'Kep', user: 'mgrkep' },
  { code: '24', name: 'Pailin', user: 'mgrpln' },
  { code: '25', name: 'Tbong Khmum', user: 'mgrtkm' },
];

/** OSCaR organisation short names; Primero agency `agency-<org>`, generic user `agency-<org>-user`. */
export const oscarOrganizations: readonly string[] = [
  'gpc',
  'tpo',
  'eao',
  'goh',
  'sk',
  'colt',
  'kt',
  'ea',
  'fsi',
  'oec',
  'cct',
  'cfi',
  'cif',
  'css',
  'cwd',
  'holt',
  'isf',
  'kmr',
  'mho',
  'msl',
  'mtp',
  'tlc',
  'tmw',
  'wmo',
];

export interface ServiceType {
  readonly id: string;
  readonly name: string;
  readonly subtypes: readonly { readonly id: string; readonly name: string }[];
}

/** Cambodia service types and their subtypes (services-inbound.csv / services-outbound.csv, typos included). */
export const serviceTypes: readonly ServiceType[] = [
  {
    id: 'social_work_case_work',
    name: 'Social Work / Case Work',
    subtypes: [
      { id: 'social_work_case_work_generalist', name: 'Generalist social work / case work' },
      { id: 'social_work_case_work_community', name: 'Community social work' },
    ],
  },
  {
    id: 'family_based_care',
    name: 'Family Based Care',
    subtypes: [
      { id: 'family_based_care_emergency_foster', name: 'Emergency foster care' },
      { id: 'family_based_care_longterm_foster', name: 'Long term foster care' },
      { id: 'family_based_care_kinship', name: 'Kinship care' },
      { id: 'family_based_care_domestic_adoption', name: 'Domestic adoption support' },
      { id: 'family_based_care_family_preservation', name: 'Family preservation' },
      { id: 'family_based_care_family_reunification', name: 'Family reunification' },
      { id: 'family_based_care_independent_living', name: 'Independent Living' },
    ],
  },
  {
    id: 'drug_alcohol',
    name: 'Drug/Alcohol',
    subtypes: [
      { id: 'drug_alcohol_counselling', name: 'Drug and Alcohol Counselling' },
      { id: 'drug_alcohol_detox_rehabilitation', name: 'Detox / rehabilitation services' },
      { id: 'drug_alcohol_detox_support', name: 'Detox support' },
    ],
  },
  {
    id: 'counselling',
    name: 'Counselling',
    subtypes: [
      { id: 'counselling_generalist', name: 'Generalist counselling' },
      { id: 'counselling_abuse_survivors', name: 'Counselling for abuse survivors' },
      { id: 'counselling_trauma', name: 'Trauma counselling' },
      { id: 'counselling_family', name: 'Family counselling / mediation' },
    ],
  },
  {
    id: 'financial_development',
    name: 'Financial Development',
    subtypes: [
      { id: 'financial_development_material_assistance', name: 'Direct material assistance' },
      { id: 'financial_development_financial_assistance', name: 'Direct financial assistance' },
      { id: 'financial_development_income_generation', name: 'Income generation services' },
      { id: 'financial_development_day_care', name: 'Day care services' },
    ],
  },
  {
    id: 'disability_support',
    name: 'Disability Support',
    subtypes: [
      { id: 'disability_support_therapeutic_interventions', name: 'Therapeutic interventions' },
      { id: 'disability_support_respite-care', name: 'Disability respite care' },
      { id: 'disability_support_therapeutic_training', name: 'Therapeutic training' },
      { id: 'disability_support_aid_provision', name: 'Disability-aid provision' },
      { id: 'disability_support_peripheral', name: 'Peripheral supports' },
      { id: 'disability_support_groups', name: 'Support groups' },
    ],
  },
  {
    id: 'medical_support',
    name: 'Medical Support',
    subtypes: [
      { id: 'medical_support_access_care', name: 'Support to access care' },
      { id: 'medical_support_provision_medical_case', name: 'Provision of medical care' },
      { id: 'medical_support_medical_training', name: 'Medical training services' },
      { id: 'medical_support_healt_education', name: 'Health education' },
    ],
  },
  {
    id: 'legal_support',
    name: 'Legal Support',
    subtypes: [
      { id: 'legal_support_access_legal_services', name: 'Support to access legal services' },
      { id: 'legal_support_advocacy_services', name: 'Legal advocacy services' },
      { id: 'legal_support_representation', name: 'Legal representation' },
      { id: 'legal_support_prision_visitation', name: 'Prison visitation support' },
    ],
  },
  {
    id: 'mental_health_support',
    name: 'Mental Health Support',
    subtypes: [
      { id: 'mental_health_support_therapeutic_interventions', name: 'Therapeutic interventions' },
      { id: 'mental_health_support_therapeutic_training', name: 'Therapeutic training' },
      { id: 'mental_health_support_direct_medical_support', name: 'Direct medical support' },
    ],
  },
  {
    id: 'training_education',
    name: 'Training and Education',
    subtypes: [
      { id: 'training_education_school_support', name: 'School support' },
      { id: 'training_education_supplementary', name: 'Supplementary school education' },
      { id: 'training_education_vocational', name: 'Vocational education and training' },
      { id: 'training_education_material_support', name: 'Material support for education (uniforms, etc)' },
      { id: 'training_education_scholarships', name: 'Scholarships or financial support' },
      { id: 'training_education_life_skills', name: 'Life skills' },
    ],
  },
  {
    id: 'family_support',
    name: 'Family Support',
    subtypes: [{ id: 'family_support_family_support', name: 'Family support' }],
  },
  {
    id: 'anti_trafficking',
    name: 'Anti-Trafficking',
    subtypes: [
      { id: 'anti_trafficking_rescue', name: 'Rescue Services' },
      { id: 'anti_trafficking_transitional_accomodation', name: 'Transitional Accommodation' },
      { id: 'anti_trafficking_post_trafficking', name: 'Post-Trafficking Counseling' },
      { id: 'anti_trafficking_community_reintegration', name: 'Community Reintegration Support' },
    ],
  },
  {
    id: 'other',
    name: 'Other',
    subtypes: [
      { id: 'residential_care_gov_only_other', name: 'Residential Care Institution' },
      { id: 'other_other_service', name: 'Other Service' },
    ],
  },
];

/** `service_response_type` options: stock Primero plus the Cambodia additions. */
export const serviceResponseTypes: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'care_plan', name: 'Care plan' },
  { id: 'action_plan', name: 'Action plan' },
  { id: 'service_provision', name: 'Service provision' },
  { id: 'referral_to_oscar', name: 'Referral to OSCaR' },
  { id: 'referral_from_oscar', name: 'Referral from OSCaR' },
  { id: 'service_being_provided_by_oscar_partner_47618', name: 'Service being provided by OSCaR partner' },
];

/** `referral_status_edf41f2` options (the Cambodia custom service field). */
export const serviceReferralStatuses: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'pending_310366', name: 'Pending' },
  { id: 'accepted_340953', name: 'Accepted' },
  { id: 'rejected_936484', name: 'Rejected' },
];

export const moduleIds = ['primeromodule-cp', 'primeromodule-gbv', 'primeromodule-mrm'] as const;
export const cpModule = 'primeromodule-cp';
