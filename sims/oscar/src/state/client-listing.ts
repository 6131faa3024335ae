import type { ReferredClientJson, SerializeContext, SharedClientJson } from '../core/client.serializer.ts';
import { serializeReferred, serializeShared } from '../core/client.serializer.ts';
import { isListable } from '../core/eligibility.ts';
import type { Client } from '../core/model.ts';
import { utcDay } from '../core/since-date.parser.ts';
import type { Store, Tenant } from './store.ts';
import { systemReferrals } from './store.ts';

export type ListedClient = ReferredClientJson | SharedClientJson;

export interface ListingQuery {
  since: Date | null;
  /** Present: historical mode (`created_at BETWEEN since AND end`, ascending, Shared shape). */
  end: Date | null;
}

/**
 * GET /api/v1/organizations/clients (docs/upstream/oscar.md §2.1): every integrated NGO in DB order; per NGO, group A
 * (referred to the external system, exact-timestamp `since`, `updated_at` desc, Referred shape) then group B
 * (everyone else, date-only `since`, `updated_at` desc, Shared shape). No pagination.
 */
export function listClients(store: Store, query: ListingQuery, callerUid: string): ListedClient[] {
  const output: ListedClient[] = [];
  const callerOwnsSystem = store.externalSystem.token === callerUid;
  for (const organization of store.organizations) {
    if (!organization.integrated) continue;
    const tenant = store.tenants.get(organization.shortName);
    if (!tenant) continue;
    const context = (client: Client): SerializeContext => ({
      organization,
      systemReferrals: systemReferrals(store, tenant, client.id),
      callerOwnsSystem,
    });
    if (query.end !== null) {
      for (const client of historical(tenant, query.since, query.end))
        output.push(listed(client, serializeShared(client, context(client))));
      continue;
    }
    const groupA = referredGroup(store, tenant, query.since);
    for (const client of groupA) output.push(listed(client, serializeReferred(client, context(client))));
    const excluded = new Set(groupA.map((client) => client.id));
    for (const client of sharedGroup(tenant, excluded, query.since))
      output.push(listed(client, serializeShared(client, context(client))));
  }
  return output;
}

/** The serialized client, with the keys a scenario put in `listedAs` in place of its own. */
function listed(client: Client, json: ListedClient): ListedClient {
  return client.listedAs === undefined ? json : { ...json, ...client.listedAs };
}

/** Group A goes through ActiveRecord, so its default scope hides soft-deleted clients. */
function referredGroup(store: Store, tenant: Tenant, since: Date | null): Client[] {
  const sinceMs = since?.getTime();
  const rows: Client[] = [];
  for (const client of tenant.clients.values()) {
    if (client.deletedAt !== null || !client.referredExternal || !isListable(client)) continue;
    if (sinceMs !== undefined && client.createdAt.getTime() < sinceMs && client.updatedAt.getTime() < sinceMs)
      continue;
    if (systemReferrals(store, tenant, client.id).length === 0) continue;
    rows.push(client);
  }
  return rows.sort(byUpdatedAtDesc);
}

/** Group B is raw SQL: soft-deleted clients are not filtered out, and `since` is compared by date only. */
function sharedGroup(tenant: Tenant, excluded: ReadonlySet<number>, since: Date | null): Client[] {
  const sinceDay = since === null ? undefined : utcDay(since);
  const rows: Client[] = [];
  for (const client of tenant.clients.values()) {
    if (excluded.has(client.id) || !isListable(client)) continue;
    if (sinceDay !== undefined && utcDay(client.createdAt) < sinceDay && utcDay(client.updatedAt) < sinceDay)
      continue;
    rows.push(client);
  }
  return rows.sort(byUpdatedAtDesc);
}

function historical(tenant: Tenant, since: Date | null, end: Date): Client[] {
  if (since === null) throw new Error('PG::SyntaxError: end_date without since_date');
  const from = since.getTime();
  const to = end.getTime();
  const rows: Client[] = [];
  for (const client of tenant.clients.values()) {
    const created = client.createdAt.getTime();
    if (created >= from && created <= to && isListable(client)) rows.push(client);
  }
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
}

function byUpdatedAtDesc(a: Client, b: Client): number {
  return b.updatedAt.getTime() - a.updatedAt.getTime() || b.id - a.id;
}
