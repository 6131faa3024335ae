import type { FastifyInstance, FastifyRequest } from 'fastify';

import { notFound, primeroError, wrongDataType } from '../http/errors.ts';
import { renderCase, renderReferral } from '../http/render.ts';
import { permitReferralInput, processReferral, refer, revokeReferral } from '../referral-service.ts';
import type { SimContext } from '../sim-context.ts';
import { authenticated, dataParam, paramPresent, pathOfRequest, queryParams } from '../sim-context.ts';
import type { StoredCase } from '../state/case-store.ts';
import type { Referral } from '../state/referral-store.ts';
import { findCase } from './cases.ts';

/**
 * Referrals of cases (Api::V2::ReferralsController, v2.5.7): list, refer one, refer in bulk (no
 * transaction), accept/reject/done, revoke; plus the read-only transitions list.
 */
export function registerReferralRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get(
    '/api/v2/cases/:id/referrals',
    authenticated(ctx, async (request, _reply, user) => {
      const stored = findCase(ctx, request);
      return { data: ctx.referrals.forCase(stored.id).map((referral) => renderReferral(referral, user)) };
    }),
  );

  app.get(
    '/api/v2/cases/:id/transitions',
    authenticated(ctx, async (request, _reply, user) => {
      const stored = findCase(ctx, request);
      const types = queryParams(request).types;
      const wanted = typeof types === 'string' && types !== '' ? types.split(',') : ['Referral'];
      const referrals = wanted.includes('Referral') ? ctx.referrals.forCase(stored.id) : [];
      return { data: referrals.map((referral) => renderReferral(referral, user)) };
    }),
  );

  app.post(
    '/api/v2/cases/:id/referrals',
    authenticated(ctx, async (request, _reply, user) => {
      const resource = pathOfRequest(request);
      const stored = findCase(ctx, request);
      const data = requireData(ctx, request);
      const { referral, changed } = refer(ctx, user, stored, permitReferralInput(data), resource);
      return { data: renderReferral(referral, user, recordUpdates(stored, changed)) };
    }),
  );

  app.post(
    '/api/v2/cases/referrals',
    authenticated(ctx, async (request, _reply, user) => {
      const resource = pathOfRequest(request);
      const data = dataParam(request.body);
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw primeroError(500, resource, "undefined method `[]' for nil:NilClass");
      }
      const rawIds = (data as Record<string, unknown>).ids;
      if (!paramPresent(rawIds)) return { data: [] };
      const ids = [...new Set((Array.isArray(rawIds) ? rawIds : [rawIds]).map(String))];
      // Child.find(ids) raises before anything is created when any id is unknown.
      const found = ids.map((id) => ctx.cases.get(id));
      const records = found.filter((stored): stored is StoredCase => stored !== undefined);
      if (records.length !== ids.length) {
        const detail =
          Array.isArray(rawIds) && ids.length > 1
            ? `Couldn't find all Children with 'id': (${ids.join(', ')}) (found ${records.length} results, but was looking for ${ids.length}).`
            : `Couldn't find Child with 'id'=${Array.isArray(rawIds) ? JSON.stringify(ids) : (ids[0] ?? '')}`;
        throw primeroError(404, resource, 'Not Found', detail);
      }
      const input = permitReferralInput(data as Record<string, unknown>);
      // No transaction: referrals created before a failing case stay saved.
      const results = records.map((stored) => ({ stored, ...refer(ctx, user, stored, input, resource) }));
      return {
        data: results.map(({ stored, referral, changed }) =>
          renderReferral(referral, user, recordUpdates(stored, changed)),
        ),
      };
    }),
  );

  const update = authenticated(ctx, async (request, _reply, user) => {
    const resource = pathOfRequest(request);
    findCase(ctx, request);
    const referral = findReferral(ctx, request);
    const data = requireData(ctx, request);
    const changed = processReferral(ctx, user, referral, data, resource);
    return { data: renderReferral(referral, user, recordOf(ctx, referral, changed)) };
  });
  app.patch('/api/v2/cases/:id/referrals/:referralId', update);
  app.put('/api/v2/cases/:id/referrals/:referralId', update);

  app.delete(
    '/api/v2/cases/:id/referrals/:referralId',
    authenticated(ctx, async (request, _reply, user) => {
      const resource = pathOfRequest(request);
      findCase(ctx, request);
      const referral = findReferral(ctx, request);
      const changed = revokeReferral(ctx, user, referral, resource);
      return { data: renderReferral(referral, user, recordOf(ctx, referral, changed)) };
    }),
  );
}

/** `Referral.find(params[:id])`: by id alone, not checked against the case in the path. */
function findReferral(ctx: SimContext, request: FastifyRequest): Referral {
  const id = (request.params as Record<string, string | undefined>).referralId ?? '';
  const referral = ctx.referrals.get(id);
  if (referral === undefined) throw notFound(pathOfRequest(request), 'Referral', id);
  return referral;
}

/** `params.require(:data)`: missing or blank is ParameterMissing — 500 up to v2.10, 422 from v2.11. */
function requireData(ctx: SimContext, request: FastifyRequest): Record<string, unknown> {
  const data = dataParam(request.body);
  if (!paramPresent(data)) {
    throw primeroError(
      ctx.flags.missingDataStatus,
      pathOfRequest(request),
      'param is missing or the value is empty: data',
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw wrongDataType(pathOfRequest(request), 'permit', data);
  }
  return data as Record<string, unknown>;
}

/** RecordResourceController#record_updated_fields: the last save's changes plus `last_updated_at`. */
function recordUpdates(stored: StoredCase, changed: readonly string[]) {
  return renderCase(stored, new Set([...changed, 'last_updated_at']));
}

function recordOf(ctx: SimContext, referral: Referral, changed: readonly string[]) {
  const stored = ctx.cases.get(referral.record_id);
  return stored === undefined ? undefined : recordUpdates(stored, changed);
}
