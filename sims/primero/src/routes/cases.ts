import type { FastifyInstance, FastifyRequest } from 'fastify';

import { createCase, updateCase } from '../core/case-lifecycle.ts';
import { planFilters } from '../core/filter.ts';
import type { JsonObject } from '../core/json.ts';
import { planSort } from '../core/sort.ts';
import { syncFieldTypes, takeSyncLog } from '../core/sync-status.ts';
import { validateCaseData } from '../core/validate.ts';
import { summaryFieldNames } from '../fields.ts';
import { notFound, primeroError, validationError, wrongDataType } from '../http/errors.ts';
import { pageParams, stringParam } from '../http/pagination.ts';
import { renderCase } from '../http/render.ts';
import type { SimContext } from '../sim-context.ts';
import { authenticated, dataParam, pathOfRequest, queryParams, roleOf, saveContext } from '../sim-context.ts';
import type { StoredCase } from '../state/case-store.ts';
import type { User } from '../state/directory.ts';
import { renderCaseFor } from '../webhooks/sync-view.ts';

/**
 * `/api/v2/cases`: list/filter, show, create, merge-update and disable (Api::V2::Concerns::Record, v2.5.7).
 */
export function registerCaseRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get(
    '/api/v2/cases',
    authenticated(ctx, async (request, _reply, user) => {
      const resource = pathOfRequest(request);
      const params = queryParams(request);
      const { page, per } = pageParams(params, ctx.perPageCap);
      const filters = planFilters(params, {
        rawIdValues: ctx.flags.rawIdFilterValues,
        invalidFilterCrashes: ctx.flags.invalidFilterCrashes,
        locations: ctx.directory.locationIndex,
      });
      if (!filters.ok) throw primeroError(500, resource, filters.message);
      const sort = planSort(
        stringParam(params, 'order_by') ?? 'created_at',
        stringParam(params, 'order') ?? 'desc',
      );
      if (!sort.ok) throw primeroError(500, resource, sort.message);
      // Sunspot sends start = (page - 1) * per and rows = per; Solr refuses negative values.
      if (page < 1)
        throw primeroError(
          500,
          resource,
          "RSolr::Error::Http - 400 Bad Request: 'start' parameter cannot be negative",
        );
      if (per < 0)
        throw primeroError(
          500,
          resource,
          "RSolr::Error::Http - 400 Bad Request: 'rows' parameter cannot be negative",
        );
      const result = ctx.cases.search({
        predicate: filters.predicate,
        lookup: filters.lookup,
        sort,
        offset: (page - 1) * per,
        limit: per,
      });
      const selected = selectedFields(stringParam(params, 'fields'));
      return {
        data: result.items.map((stored) => renderCaseFor(ctx, user, stored, selected)),
        metadata: { total: result.total, per, page },
      };
    }),
  );

  app.get(
    '/api/v2/cases/:id',
    authenticated(ctx, async (request, _reply, user) => {
      const stored = findCase(ctx, request);
      const params = queryParams(request);
      return { data: renderCaseFor(ctx, user, stored, selectedFields(stringParam(params, 'fields'))) };
    }),
  );

  app.post(
    '/api/v2/cases',
    authenticated(ctx, async (request, reply, user) => {
      const resource = pathOfRequest(request);
      const data = dataParam(request.body);
      if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
        throw wrongDataType(resource, 'to_h', data);
      }
      const input = (data ?? {}) as JsonObject;
      const invalid = validateCaseData(input, writableExtras(ctx, user));
      if (invalid.length > 0) throw primeroError(422, resource, 'Invalid Record JSON', invalid);
      const { id: requestedId, ...fields } = input;
      const id = typeof requestedId === 'string' && requestedId !== '' ? requestedId : ctx.newId();
      const uniqueIdentifier = ctx.newId();
      const outcome = createCase(fields, uniqueIdentifier, saveContext(ctx, user));
      if (!outcome.ok) throw validationError(resource, outcome.errors);
      if (ctx.cases.get(id) !== undefined) {
        throw primeroError(409, resource, 'Conflict: A record with this id already exists');
      }
      const stored = ctx.cases.insert(id, uniqueIdentifier, outcome.data);
      ctx.webhooks.enqueue({ recordId: stored.id, action: 'create' });
      // Record#create: `params[:data][:id].present?` — with no `data` at all the record is saved, then this raises.
      if (data === undefined || data === null) {
        throw primeroError(500, resource, "undefined method `[]' for nil:NilClass");
      }
      if (typeof requestedId === 'string' && requestedId !== '') return reply.code(204).send();
      return { data: renderCase(stored, new Set(outcome.changed)) };
    }),
  );

  const update = authenticated(ctx, async (request, _reply, user) => {
    const resource = pathOfRequest(request);
    const stored = findCase(ctx, request);
    const data = dataParam(request.body);
    if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) {
      throw wrongDataType(resource, 'to_h', data);
    }
    const input = (data ?? {}) as JsonObject;
    const invalid = validateCaseData(input, writableExtras(ctx, user));
    if (invalid.length > 0) throw primeroError(422, resource, 'Invalid Record JSON', invalid);
    const outcome = updateCase(stored.data, input, saveContext(ctx, user));
    if (!outcome.ok) throw validationError(resource, outcome.errors);
    // Webhookable's before_update: a mark-synced save logs its status and does not keep the keys.
    const syncLog = takeSyncLog(outcome.data);
    if (syncLog !== undefined) {
      ctx.auditLogs.add({
        recordType: 'Child',
        recordId: stored.id,
        action: 'webhook',
        resourceUrl: syncLog.url,
        timestamp: ctx.now(),
        metadata: { webhook_status: syncLog.status },
      });
    }
    ctx.cases.update(stored, outcome.data);
    ctx.webhooks.enqueue({ recordId: stored.id, action: 'update' });
    const changed = outcome.changed.filter((key) => key in outcome.data);
    return { data: renderCase(stored, new Set(changed)) };
  });
  app.patch('/api/v2/cases/:id', update);
  app.put('/api/v2/cases/:id', update);

  app.delete(
    '/api/v2/cases/:id',
    authenticated(ctx, async (request, _reply, user) => {
      const resource = pathOfRequest(request);
      const stored = findCase(ctx, request);
      const outcome = updateCase(stored.data, { record_state: false }, saveContext(ctx, user));
      if (!outcome.ok) throw validationError(resource, outcome.errors);
      ctx.cases.update(stored, outcome.data);
      ctx.webhooks.enqueue({ recordId: stored.id, action: 'update' });
      return { data: { id: stored.id } };
    }),
  );
}

/** Keys a permission adds to the write schema: the sync fields with `sync_external`. */
function writableExtras(ctx: SimContext, user: User): ReadonlyMap<string, 'boolean' | 'string'> {
  return roleOf(ctx, user).syncExternal ? syncFieldTypes : new Map();
}

/** `Child.find(params[:id])`: 404 for an unknown id, a non-UUID id included. */
export function findCase(ctx: SimContext, request: FastifyRequest, id = caseIdParam(request)): StoredCase {
  const stored = ctx.cases.get(id);
  if (stored === undefined) throw notFound(pathOfRequest(request), 'Child', id);
  return stored;
}

function caseIdParam(request: FastifyRequest): string {
  const params = request.params as Record<string, string | undefined>;
  return params.id ?? params.caseId ?? '';
}

/** FieldSelectionService: `fields=short` or a comma list, intersected with what the caller may read. */
function selectedFields(fields: string | undefined): ReadonlySet<string> | undefined {
  if (fields === undefined || fields.trim() === '') return undefined;
  if (fields === 'short') return new Set(summaryFieldNames);
  return new Set(fields.split(','));
}
