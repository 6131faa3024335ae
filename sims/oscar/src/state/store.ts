import type {
  AdminUser,
  CatalogueService,
  Client,
  ExternalSystem,
  ExternalSystemLink,
  GlobalIdentity,
  Organization,
  Referral,
} from '../core/model.ts';
import { defaultOrganizations } from './organizations.ts';

/** One NGO's Postgres schema: its clients and referrals, with the indexes the endpoints need. */
export interface Tenant {
  organization: Organization;
  /** By DB id; insertion order is id order. Soft-deleted clients stay (with `deletedAt`). */
  clients: Map<number, Client>;
  clientsByGlobalId: Map<string, Client>;
  referrals: Map<number, Referral>;
  referralsByExternalId: Map<string, Referral[]>;
  referralsByClientId: Map<number, Referral[]>;
  referralsByGlobalId: Map<string, Referral[]>;
  nextClientId: number;
  nextReferralId: number;
}

/** Id generators; injectable so tests get stable values. */
export interface IdGenerators {
  /** A fresh 26-char ULID for `now`. */
  newUlid: (now: Date) => string;
  /** Four random lowercase letters, the slug prefix. */
  slugLetters: () => string;
  /** 22-char URL-safe base64 of 16 random bytes (devise_token_auth tokens and client ids). */
  newToken: () => string;
}

export interface Store {
  organizations: Organization[];
  tenants: Map<string, Tenant>;
  identities: Map<string, GlobalIdentity>;
  externalSystemLinks: ExternalSystemLink[];
  externalSystem: ExternalSystem;
  admin: AdminUser;
  catalogue: readonly CatalogueService[];
  ids: IdGenerators;
  now: () => Date;
  nextRefereeId: number;
}

export interface StoreOptions {
  email: string;
  password: string;
  externalSystemName: string;
  catalogue: readonly CatalogueService[];
  ids: IdGenerators;
  now: () => Date;
}

export function createStore(options: StoreOptions): Store {
  const email = options.email.toLowerCase();
  const organizations = defaultOrganizations();
  return {
    organizations,
    tenants: new Map(
      organizations.map((organization) => [organization.shortName, emptyTenant(organization)]),
    ),
    identities: new Map(),
    externalSystemLinks: [],
    externalSystem: { id: 1, name: options.externalSystemName, token: email },
    admin: {
      id: 1,
      email,
      password: options.password,
      uid: email,
      firstName: 'External User',
      lastName: 'External User',
      provider: 'email',
      role: 'viewer',
      tokens: new Map(),
    },
    catalogue: options.catalogue,
    ids: options.ids,
    now: options.now,
    nextRefereeId: 1,
  };
}

/** Empties clients, referrals and identities. Organizations, the API user and its tokens stay. */
export function resetStore(store: Store): void {
  for (const organization of store.organizations) {
    store.tenants.set(organization.shortName, emptyTenant(organization));
  }
  store.identities.clear();
  store.externalSystemLinks.length = 0;
  store.nextRefereeId = 1;
}

function emptyTenant(organization: Organization): Tenant {
  return {
    organization,
    clients: new Map(),
    clientsByGlobalId: new Map(),
    referrals: new Map(),
    referralsByExternalId: new Map(),
    referralsByClientId: new Map(),
    referralsByGlobalId: new Map(),
    nextClientId: 1,
    nextReferralId: 1,
  };
}

export function recordCounts(store: Store): Record<string, number> {
  let clients = 0;
  let referrals = 0;
  for (const tenant of store.tenants.values()) {
    clients += tenant.clients.size;
    referrals += tenant.referrals.size;
  }
  return {
    clients,
    referrals,
    globalIdentities: store.identities.size,
    externalSystemGlobalIdentities: store.externalSystemLinks.length,
    organizations: store.organizations.length,
  };
}

// ---------------------------------------------------------------------------------------------- identities

export function createIdentity(store: Store, ulid: string): GlobalIdentity {
  const identity: GlobalIdentity = { ulid, links: [], createdAt: store.now() };
  store.identities.set(ulid, identity);
  return identity;
}

/** A new ULID that no identity uses yet. */
export function mintUlid(store: Store): string {
  for (;;) {
    const ulid = store.ids.newUlid(store.now());
    if (!store.identities.has(ulid)) return ulid;
  }
}

/** The NGO owning a global id: the first linked organization (`nil` when nobody accepted a referral yet). */
export function ownerTenant(
  store: Store,
  globalId: string,
): { tenant: Tenant; clientId: number } | undefined {
  const link = store.identities.get(globalId)?.links[0];
  if (!link) return undefined;
  const tenant = store.tenants.get(link.organization);
  return tenant ? { tenant, clientId: link.clientId } : undefined;
}

// ---------------------------------------------------------------------------------------------- clients

export type ClientDraft = Omit<
  Client,
  'id' | 'slug' | 'organization' | 'createdAt' | 'updatedAt' | 'deletedAt'
> & {
  slugLetters?: string;
  createdAt?: Date;
  updatedAt?: Date;
};

/** Inserts a client row and links its global id to the tenant (creating the identity if needed). */
export function insertClient(store: Store, tenant: Tenant, draft: ClientDraft): Client {
  const id = tenant.nextClientId;
  tenant.nextClientId += 1;
  const now = store.now();
  const { slugLetters, createdAt, updatedAt, ...fields } = draft;
  const client: Client = {
    ...fields,
    id,
    organization: tenant.organization.shortName,
    slug: `${slugLetters ?? store.ids.slugLetters()}-${id}`,
    createdAt: createdAt ?? now,
    updatedAt: updatedAt ?? createdAt ?? now,
    deletedAt: null,
  };
  tenant.clients.set(id, client);
  if (!tenant.clientsByGlobalId.has(client.globalId)) tenant.clientsByGlobalId.set(client.globalId, client);
  const identity = store.identities.get(client.globalId) ?? createIdentity(store, client.globalId);
  identity.links.push({ organization: tenant.organization.shortName, clientId: id });
  return client;
}

/** A live (not soft-deleted) client, as ActiveRecord's default scope finds it. */
export function liveClient(tenant: Tenant, id: number): Client | undefined {
  const client = tenant.clients.get(id);
  return client && client.deletedAt === null ? client : undefined;
}

export function liveClientByGlobalId(tenant: Tenant, globalId: string): Client | undefined {
  const client = tenant.clientsByGlobalId.get(globalId);
  return client && client.deletedAt === null ? client : undefined;
}

/** Removes the row for good; the global identity keeps its link (what makes the upsert hit a nil client). */
export function hardDeleteClient(tenant: Tenant, client: Client): void {
  tenant.clients.delete(client.id);
  if (tenant.clientsByGlobalId.get(client.globalId) === client)
    tenant.clientsByGlobalId.delete(client.globalId);
}

export function touchClient(store: Store, client: Client): void {
  client.updatedAt = store.now();
}

// ---------------------------------------------------------------------------------------------- referrals

export type ReferralDraft = Omit<Referral, 'id' | 'organization' | 'createdAt' | 'updatedAt'> & {
  createdAt?: Date;
  updatedAt?: Date;
};

/** Saves a referral row; an attached client gets its `updated_at` refreshed. */
export function insertReferral(store: Store, tenant: Tenant, draft: ReferralDraft): Referral {
  const id = tenant.nextReferralId;
  tenant.nextReferralId += 1;
  const now = store.now();
  const { createdAt, updatedAt, ...fields } = draft;
  const referral: Referral = {
    ...fields,
    id,
    organization: tenant.organization.shortName,
    createdAt: createdAt ?? now,
    updatedAt: updatedAt ?? createdAt ?? now,
  };
  tenant.referrals.set(id, referral);
  pushIndex(tenant.referralsByExternalId, externalIdKey(referral.externalId), referral);
  if (referral.clientGlobalId !== null)
    pushIndex(tenant.referralsByGlobalId, referral.clientGlobalId, referral);
  if (referral.clientId !== null) {
    pushIndex(tenant.referralsByClientId, referral.clientId, referral);
    const client = liveClient(tenant, referral.clientId);
    if (client && createdAt === undefined) touchClient(store, client);
  }
  return referral;
}

/** `Referral.find_by(external_id: …)` keys: SQL `IS NULL` for a missing external id. */
export function externalIdKey(externalId: string | null): string {
  return externalId === null ? '\u0000null' : `=${externalId}`;
}

/**
 * Applies changes to a referral like an ActiveRecord save: only a real change bumps `updated_at` and touches the
 * attached client. Returns whether anything changed.
 */
export function updateReferral(
  store: Store,
  tenant: Tenant,
  referral: Referral,
  changes: Partial<Pick<Referral, 'referralStatus' | 'clientId' | 'slug' | 'saved'>>,
): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(changes) as [keyof typeof changes, never][]) {
    if (referral[key] !== value) {
      referral[key] = value;
      changed = true;
    }
  }
  if (changes.clientId !== undefined && changes.clientId !== null && changed) {
    const list = tenant.referralsByClientId.get(changes.clientId) ?? [];
    if (!list.includes(referral)) {
      list.push(referral);
      list.sort((a, b) => a.id - b.id);
      tenant.referralsByClientId.set(changes.clientId, list);
    }
  }
  if (!changed) return false;
  referral.updatedAt = store.now();
  if (referral.clientId !== null) {
    const client = liveClient(tenant, referral.clientId);
    if (client) touchClient(store, client);
  }
  return true;
}

/** The client's attached referrals exchanged with the external system (both directions), in id order. */
export function systemReferrals(store: Store, tenant: Tenant, clientId: number): Referral[] {
  const name = store.externalSystem.name;
  return (tenant.referralsByClientId.get(clientId) ?? []).filter((referral) => referral.ngoName === name);
}

export function isReceived(store: Store, referral: Referral): boolean {
  return referral.referredFrom === store.externalSystem.name;
}

export function isSent(store: Store, referral: Referral): boolean {
  return referral.referredTo === store.externalSystem.name;
}

function pushIndex<K>(index: Map<K, Referral[]>, key: K, referral: Referral): void {
  const list = index.get(key);
  if (list) list.push(referral);
  else index.set(key, [referral]);
}

export function servicesByName(store: Store, names: readonly string[]): CatalogueService[] {
  const wanted = new Set(names);
  return store.catalogue.filter((service) => wanted.has(service.name));
}
