/**
 * The simulator's state, shaped after OSCaR's tables (docs/upstream/oscar.md §10). Field names are camelCase here; the
 * serializers produce OSCaR's snake_case JSON.
 */
import type { LocationCode } from './location-code.ts';

/** Client `status` values the OSCaR model allows (docs/upstream/oscar.md §5). */
export const clientStatuses = ['Accepted', 'Active', 'Exited', 'Referred'] as const;
export type ClientStatus = (typeof clientStatuses)[number];

/** Values the referral model validates (`Active` passes even though messages do not list it). */
export const referralStatusesValid = ['Accepted', 'Active', 'Exited', 'Referred'] as const;
/** Values the upsert controller checks before it sets a status. */
export const referralStatusesAllowed = ['Accepted', 'Exited', 'Referred'] as const;

export const levelsOfRisk = ['high', 'medium', 'low', 'no action'] as const;
export const genders = ['female', 'male', 'lgbt', 'unknown', 'prefer_not_to_say', 'other'] as const;

/** One row of the service catalogue. Two rows may share a name and uuid (the Therapeutic ones). */
export interface CatalogueService {
  /** Row number in the catalogue, the identity of the row. */
  rowId: number;
  parentType: string;
  parentUuid: string;
  name: string;
  uuid: string;
}

export interface Organization {
  id: number;
  shortName: string;
  fullName: string;
  country: string;
  demo: boolean;
  /** Only integrated NGOs are listed by GET /organizations/clients. */
  integrated: boolean;
  createdAt: Date;
  /** The NGO's own address; `organization_address_code` is derived from it. */
  address: { province: string | null; district: string | null; commune: string | null };
}

export interface CaseWorker {
  name: string;
  mobile: string | null;
}

export interface Enrollment {
  programName: string;
  enrollmentDate: string | null;
  services: CatalogueService[];
  createdAt: Date;
}

export interface Client {
  /** DB id inside the NGO's tenant. */
  id: number;
  organization: string;
  slug: string;
  globalId: string;
  givenName: string | null;
  familyName: string | null;
  localGivenName: string | null;
  localFamilyName: string | null;
  gender: string | null;
  dateOfBirth: string | null;
  status: string;
  externalId: string | null;
  externalIdDisplay: string | null;
  mosvyNumber: string | null;
  externalCaseWorkerName: string | null;
  externalCaseWorkerId: string | null;
  reasonForReferral: string | null;
  address: LocationCode | null;
  /** Set when the NGO refers the client to the external system (group A of GET /clients). */
  referredExternal: boolean;
  refereeId: number | null;
  caseWorkers: CaseWorker[];
  enrollments: Enrollment[];
  syncedDate: string | null;
  exitReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /**
   * Not an OSCaR column: keys that replace the client's JSON in `GET /organizations/clients` (an
   * `undefined` value drops the key), for scenarios that need a record no OSCaR UI could produce — a
   * number for a name, `services: [null]`. Unset for every client the API or the control API makes.
   */
  listedAs?: Readonly<Record<string, unknown>>;
}

export interface Referral {
  /** Integer id inside the NGO's tenant: what `services[].referral_id` and `update_statuses` use. */
  id: number;
  organization: string;
  /** Null until the NGO accepts (or, for repeat referrals, until someone opens the client's profile). */
  clientId: number | null;
  slug: string | null;
  clientGlobalId: string | null;
  externalId: string | null;
  externalIdDisplay: string | null;
  mosvyNumber: string | null;
  referredTo: string | null;
  referredFrom: string | null;
  ngoName: string | null;
  referralReason: string | null;
  nameOfReferee: string | null;
  referralPhone: string | null;
  refereeEmail: string | null;
  refereeId: number | null;
  clientName: string | null;
  clientGender: string | null;
  clientDateOfBirth: string | null;
  villageCode: string | null;
  externalCaseWorkerName: string | null;
  externalCaseWorkerId: string | null;
  levelOfRisk: string | null;
  referralStatus: string | null;
  services: CatalogueService[];
  consentForm: string[];
  saved: boolean;
  dateOfReferral: string | null;
  createdAt: Date;
  updatedAt: Date;
  /**
   * Not an OSCaR column: the given and family names of the upsert payload (OSCaR keeps only `client_name`).
   * The control API's accept uses them to prefill the client, as the NGO user would retype them.
   */
  intake: { givenName: string | null; familyName: string | null };
}

export interface GlobalIdentityLink {
  organization: string;
  clientId: number;
}

export interface GlobalIdentity {
  ulid: string;
  /** `global_identity_organizations`, in creation order; the first one "owns" the global id. */
  links: GlobalIdentityLink[];
  createdAt: Date;
}

/** `external_system_global_identities`: recorded when an upsert saves a referral. */
export interface ExternalSystemLink {
  externalSystemId: number;
  globalId: string;
  externalId: string | null;
  clientSlug: string | null;
  organizationName: string;
}

export interface ExternalSystem {
  id: number;
  name: string;
  /** Equals the API admin user's email. */
  token: string;
}

export interface AdminUser {
  id: number;
  email: string;
  password: string;
  uid: string;
  firstName: string;
  lastName: string;
  provider: 'email';
  role: string;
  /** devise_token_auth `tokens`: client id → hashed access token and expiry (unix seconds). */
  tokens: Map<string, { tokenHash: string; expiry: number }>;
}
