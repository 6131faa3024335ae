import type { FastifyInstance } from 'fastify';

import { RailsCrash } from '../core/rails-crash.ts';
import { isBlank, isRecord } from '../core/rails-params.ts';
import { parseRubyTime } from '../core/since-date.parser.ts';
import { listClients } from '../state/client-listing.ts';
import type { Store } from '../state/store.ts';
import { requireAdmin } from './guard.ts';

export const clientsPath = '/api/v1/organizations/clients';

/**
 * GET /api/v1/organizations/clients (docs/upstream/oscar.md §2.1). `since_date` and `end_date` are the only parameters read;
 * `referred_external`, `page` and anything else are ignored. No pagination.
 */
export function registerClientListRoute(app: FastifyInstance, store: Store): void {
  app.get(clientsPath, async (request, reply) => {
    const user = requireAdmin(store, request, reply);
    if (!user) return reply;
    const query = isRecord(request.query) ? request.query : {};
    const since = parseParam(query.since_date, 'since_date');
    const end = parseParam(query.end_date, 'end_date');
    if (end !== null && since === null) {
      throw new RailsCrash('ActiveRecord::StatementInvalid: created_at BETWEEN NULL AND end_date');
    }
    return { data: listClients(store, { since, end }, user.uid) };
  });
}

/** Blank means absent; anything `Time.parse` would reject (or an array) raises, giving the 500 page. */
function parseParam(value: unknown, name: string): Date | null {
  if (value === undefined || (typeof value === 'string' && isBlank(value))) return null;
  const parsed = typeof value === 'string' ? parseRubyTime(value) : null;
  if (parsed === null) throw new RailsCrash(`ArgumentError: no time information in ${name}`);
  return parsed;
}
