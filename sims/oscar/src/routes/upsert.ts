import type { FastifyInstance } from 'fastify';

import type { Store } from '../state/store.ts';
import { upsertReferral } from '../state/upsert.ts';
import { requireAdmin } from './guard.ts';

export const upsertPath = '/api/v1/organizations/clients/upsert';

/** POST /api/v1/organizations/clients/upsert (trailing slash accepted app-wide), docs/upstream/oscar.md §2.2. */
export function registerUpsertRoute(app: FastifyInstance, store: Store): void {
  app.post(upsertPath, async (request, reply) => {
    if (!requireAdmin(store, request, reply)) return reply;
    const outcome = upsertReferral(store, request.body);
    return reply.code(outcome.status).send(outcome.body);
  });
}
