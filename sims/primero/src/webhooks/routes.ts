import type { FastifyInstance } from 'fastify';

import type { JsonObject } from '../core/json.ts';
import { rubyToI } from '../core/ruby.ts';
import { caseForms } from '../fields.ts';
import { primeroError } from '../http/errors.ts';
import { stringParam } from '../http/pagination.ts';
import { findCase } from '../routes/cases.ts';
import type { SimContext } from '../sim-context.ts';
import { authenticated, pathOfRequest, queryParams, roleOf } from '../sim-context.ts';
import type { AuditLogRow } from '../state/audit-log-store.ts';
import { caseSyncStatus } from './sync-view.ts';

/**
 * The API side of webhooks (docs/upstream/primero.md §14.3–§14.5): `GET /api/v2/audit_logs`
 * (AuditLogsController, v2.5.7), the manual sync `POST /api/v2/cases/:id/sync` (WebhookSyncsController), and
 * `GET /api/v2/primero_modules[/:id]`, where the module options are read back.
 */
export function registerWebhookRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get(
    '/api/v2/audit_logs',
    authenticated(ctx, async (request, _reply, user) => {
      const resource = pathOfRequest(request);
      if (!roleOf(ctx, user).readAuditLogs) throw primeroError(403, resource, 'Forbidden');
      const params = queryParams(request);
      const page = toI(stringParam(params, 'page')) ?? 1;
      const per = toI(stringParam(params, 'per')) ?? 100;
      const from = timeParam(stringParam(params, 'from')) ?? 0;
      const to = timeParam(stringParam(params, 'to')) ?? endOfDay(ctx.now());
      // The rows the simulator writes have no user, so a `user_name` filter (a join on users) drops them all.
      const userName = stringParam(params, 'user_name');
      const rows =
        userName !== undefined && userName !== ''
          ? []
          : ctx.auditLogs
              .all()
              .filter((row) => row.timestamp >= from && row.timestamp <= to)
              .toReversed();
      const start = Math.max(0, (page - 1) * per);
      return {
        data: rows.slice(start, start + Math.max(0, per)).map((row) => renderAuditLog(ctx, row)),
        metadata: { total: rows.length, per, page },
      };
    }),
  );

  app.get(
    '/api/v2/primero_modules',
    authenticated(ctx, async () => ({ data: modules.map((module) => renderModule(ctx, module)) })),
  );

  app.get(
    '/api/v2/primero_modules/:id',
    authenticated(ctx, async (request) => {
      // PrimeroModule.find(params[:id]): by the integer id; a unique_id is not found.
      const id = (request.params as { id: string }).id;
      const module = /^\d+$/.test(id) ? modules.find((candidate) => candidate.id === Number(id)) : undefined;
      if (module === undefined)
        throw primeroError(
          404,
          pathOfRequest(request),
          'Not Found',
          `Couldn't find PrimeroModule with 'id'=${id}`,
        );
      return { data: renderModule(ctx, module) };
    }),
  );

  app.post(
    '/api/v2/cases/:id/sync',
    authenticated(ctx, async (request, _reply, user) => {
      const stored = findCase(ctx, request);
      if (!roleOf(ctx, user).syncExternal) throw primeroError(403, pathOfRequest(request), 'Forbidden');
      ctx.auditLogs.add({
        recordType: 'Child',
        recordId: stored.id,
        action: 'webhook',
        resourceUrl: 'webhook',
        timestamp: ctx.now(),
        metadata: { webhook_status: 'sending' },
      });
      ctx.webhooks.enqueue({ recordId: stored.id, action: 'post' });
      const status = caseSyncStatus(ctx.auditLogs, stored.id);
      return {
        data: {
          record_id: stored.id,
          record_type: 'case',
          synced_at: status.syncedAt ?? null,
          sync_status: status.syncStatus ?? null,
        },
      };
    }),
  );
}

interface ModuleSeed {
  readonly id: number;
  readonly uniqueId: string;
  readonly name: string;
  readonly description: string;
  readonly associatedRecordTypes: readonly string[];
  readonly formSectionUniqueIds: readonly string[];
  readonly moduleOptions: JsonObject;
}

/** The three modules of Primero's default configuration; CP has the simulator's case forms. */
const modules: readonly ModuleSeed[] = [
  {
    id: 1,
    uniqueId: 'primeromodule-cp',
    name: 'CP',
    description: 'Child Protection',
    associatedRecordTypes: ['case', 'tracing_request', 'incident', 'registry_record'],
    formSectionUniqueIds: caseForms.map((form) => form.uniqueId),
    moduleOptions: { use_workflow_service_implemented: true },
  },
  {
    id: 2,
    uniqueId: 'primeromodule-gbv',
    name: 'GBV',
    description: 'Gender Based Violence',
    associatedRecordTypes: ['case', 'incident'],
    formSectionUniqueIds: [],
    moduleOptions: {},
  },
  {
    id: 3,
    uniqueId: 'primeromodule-mrm',
    name: 'MRM',
    description: 'Monitoring and Reporting Mechanism',
    associatedRecordTypes: ['incident'],
    formSectionUniqueIds: [],
    moduleOptions: {},
  },
];

/** The primero_modules jbuilder partial; `options` repeats `module_options`, the workflow bar is not simulated. */
function renderModule(ctx: SimContext, module: ModuleSeed): JsonObject {
  const webhookOptions = ctx.webhookConfig.moduleOptions(module.uniqueId);
  const moduleOptions: JsonObject = { ...module.moduleOptions };
  if (webhookOptions.use_webhooks_for !== undefined)
    moduleOptions.use_webhooks_for = [...webhookOptions.use_webhooks_for];
  if (webhookOptions.use_webhook_sync_for !== undefined)
    moduleOptions.use_webhook_sync_for = [...webhookOptions.use_webhook_sync_for];
  return {
    id: module.id,
    unique_id: module.uniqueId,
    name: module.name,
    description: module.description,
    associated_record_types: [...module.associatedRecordTypes],
    form_section_unique_ids: [...module.formSectionUniqueIds],
    field_map: { map_to: module.uniqueId, fields: [] },
    module_options: moduleOptions,
    options: moduleOptions,
    ...(module.uniqueId === 'primeromodule-cp' ? { workflows: {} } : {}),
  };
}

/** The audit_logs jbuilder partial: nil values rendered as null, `log_message` as its i18n parts. */
function renderAuditLog(ctx: SimContext, row: AuditLogRow): JsonObject {
  // Child#display_id is case_id_display; a row whose record is gone shows ''.
  const stored = ctx.cases.get(row.recordId);
  const displayId =
    stored === undefined
      ? ''
      : typeof stored.data.case_id_display === 'string'
        ? stored.data.case_id_display
        : stored.id;
  const identifier = displayId === '' ? row.recordType : `${row.recordType} '${displayId}'`;
  return {
    id: row.id,
    display_id: displayId,
    record_type: 'child',
    user_name: null,
    action: row.action,
    resource_url: row.resourceUrl,
    timestamp: new Date(row.timestamp).toISOString(),
    log_message: {
      prefix: { key: `logger.${row.action}`, approval_type: null },
      identifier,
      suffix: { key: 'logger.by_user', user: null },
    },
    metadata: row.metadata,
  };
}

function toI(value: string | undefined): number | undefined {
  return value === undefined ? undefined : rubyToI(value);
}

/** `Time.zone.parse`: a blank or unreadable value is no bound. */
function timeParam(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `DateTime.now.end_of_day` (UTC, the server's zone). */
function endOfDay(now: number): number {
  const day = new Date(now);
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 23, 59, 59, 999);
}
