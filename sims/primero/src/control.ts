import type { FastifyInstance } from 'fastify';

import type { JsonObject } from './core/json.ts';
import { idFields } from './fields.ts';
import type { SimContext } from './sim-context.ts';
import type { StoredCase } from './state/case-store.ts';

/**
 * The simulator's own control routes (the shared basics — token check, faults, stats, reset, seed — come
 * from @pos/sim-kit). Everything here reads the state directly, disabled records included.
 */
export function registerControlRoutes(app: FastifyInstance, ctx: SimContext): void {
  /** `GET /_control/cases?case_id=…` (or `id`, `oscar_number`, `case_id_display`, `short_id`, `limit`). */
  app.get('/_control/cases', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const filter = ['id', ...idFields].find((field) => typeof query[field] === 'string');
    const limit = Number(query.limit ?? '100');
    if (!Number.isInteger(limit) || limit < 1)
      return reply.code(422).send({ error: 'limit must be a positive integer' });
    const found: StoredCase[] =
      filter === undefined
        ? [...ctx.cases.all()].slice(-limit).reverse()
        : ctx.cases.findBy(filter, query[filter] ?? '');
    return {
      data: found.slice(0, limit).map(fullRecord),
      total: filter === undefined ? ctx.cases.size : found.length,
    };
  });

  /** `GET /_control/referrals?record_id=…`: every referral of a case, raw (nulls kept, `record_type: "Child"`). */
  app.get('/_control/referrals', async (request, reply) => {
    const recordId = (request.query as Record<string, string | undefined>).record_id;
    if (recordId === undefined) return reply.code(422).send({ error: 'record_id is required' });
    return { data: ctx.referrals.forCase(recordId) };
  });

  /** `GET /_control/users`: who can sign in (passwords are in the README, not here). */
  app.get('/_control/users', async () => ({
    data: ctx.directory.users.map((user) => ({
      id: user.id,
      user_name: user.userName,
      full_name: user.fullName,
      agency_id: user.agencyId,
      groups: user.groups,
      location: user.location,
      phone: user.phone,
      role_id: user.roleId,
    })),
  }));
}

function fullRecord(stored: StoredCase): JsonObject {
  return {
    id: stored.id,
    enabled: stored.enabled,
    unique_identifier: stored.uniqueIdentifier,
    ...stored.data,
  };
}
