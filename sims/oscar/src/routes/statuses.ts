import type { FastifyInstance } from 'fastify';

import { updateStatuses } from '../state/statuses.ts';
import type { Store } from '../state/store.ts';
import { requireAdmin } from './guard.ts';

export const updateStatusesPath = '/api/v1/organizations/referrals/update_statuses';

/**
 * PUT /api/v1/organizations/referrals/update_statuses, docs/upstream/oscar.md §2.4. The real server does not check the token;
 * `strict` adds the check a fixed server would have.
 */
export function registerUpdateStatusesRoute(app: FastifyInstance, store: Store, strict: boolean): void {
  app.put(updateStatusesPath, async (request, reply) => {
    if (strict && !requireAdmin(store, request, reply)) return reply;
    const outcome = updateStatuses(store, request.body);
    return reply.code(outcome.status).send(outcome.body);
  });
}
