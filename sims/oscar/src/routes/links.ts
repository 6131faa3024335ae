import type { FastifyInstance } from 'fastify';

import { updateLinks } from '../state/links.ts';
import type { Store } from '../state/store.ts';
import { recordSaved } from '../state/upsert.ts';
import { requireAdmin } from './guard.ts';

export const updateLinksPath = '/api/v1/organizations/clients/update_links';

/** PUT /api/v1/organizations/clients/update_links, docs/upstream/oscar.md §2.3. The answer is not wrapped in `data`. */
export function registerUpdateLinksRoute(app: FastifyInstance, store: Store): void {
  app.put(updateLinksPath, async (request, reply) => {
    if (!requireAdmin(store, request, reply)) return reply;
    updateLinks(store, request.body);
    return { message: recordSaved };
  });
}
