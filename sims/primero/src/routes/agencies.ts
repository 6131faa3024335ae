import type { FastifyInstance } from 'fastify';

import { pageParams } from '../http/pagination.ts';
import type { SimContext } from '../sim-context.ts';
import { authenticated, queryParams } from '../sim-context.ts';

/**
 * `GET /api/v2/agencies` (docs/upstream/primero.md §10): every agency, paged like the other collections, each
 * rendered as Primero's agency partial (`id, unique_id, agency_code, order, name, description, telephone,
 * services, logo_enabled, disabled, user_ids`). The simulated sync user may list them; in a real Primero the
 * role needs the agency read permission, or the answer is 403.
 */
export function registerAgencyRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get(
    '/api/v2/agencies',
    authenticated(ctx, async (request) => {
      const { page, per } = pageParams(queryParams(request), ctx.perPageCap);
      const all = ctx.directory.agencies;
      const start = Math.max(page - 1, 0) * Math.max(per, 0);
      return {
        data: all.slice(start, start + Math.max(per, 0)).map((agency) => ({
          id: agency.id,
          unique_id: agency.uniqueId,
          agency_code: agency.agencyCode,
          order: 0,
          name: { en: agency.name, km: '' },
          description: { en: '', km: '' },
          telephone: null,
          services: [],
          logo_enabled: false,
          disabled: false,
          user_ids: ctx.directory.users
            .filter((user) => user.agencyId === agency.uniqueId)
            .map((user) => user.id),
        })),
        metadata: { total: all.length, per, page },
      };
    }),
  );
}
