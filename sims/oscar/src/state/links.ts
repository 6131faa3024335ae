import { RailsCrash } from '../core/rails-crash.ts';
import { castString, isRecord, isScalar } from '../core/rails-params.ts';
import { isoDate } from '../core/since-date.parser.ts';
import type { Store } from './store.ts';
import { liveClient } from './store.ts';

/**
 * PUT /api/v1/organizations/clients/update_links (docs/upstream/oscar.md §2.3): for every item, every client linked to
 * `global_id` gets `external_id`, `external_id_display` (missing → nil) and `synced_date = today` as a raw column
 * update: no validation and no `updated_at` touch. Unknown global ids are skipped. A body without a non-empty
 * `data` array (a bare array, `{}`, `{"data": []}`) crashes the server's error branch.
 */
export function updateLinks(store: Store, body: unknown): number {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data) || data.length === 0) {
    throw new RailsCrash("NameError: undefined local variable or method `data' (update_links without data)");
  }
  let updated = 0;
  for (const item of data) {
    if (!isRecord(item)) throw new RailsCrash('NoMethodError: update_links item is not a hash');
    const globalId = isScalar(item.global_id) ? castString(item.global_id) : null;
    const identity = globalId === null ? undefined : store.identities.get(globalId);
    if (!identity) continue;
    for (const link of identity.links) {
      const tenant = store.tenants.get(link.organization);
      const client = tenant ? liveClient(tenant, link.clientId) : undefined;
      if (!client) continue;
      client.externalId = isScalar(item.external_id) ? castString(item.external_id) : null;
      client.externalIdDisplay = isScalar(item.external_id_display)
        ? castString(item.external_id_display)
        : null;
      client.syncedDate = isoDate(store.now());
      updated += 1;
    }
  }
  return updated;
}
