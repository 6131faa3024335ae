import type { FastifyInstance } from 'fastify';

import type { JsonObject } from '../core/json.ts';
import type { SimContext } from '../sim-context.ts';
import type { AuditLogRow } from '../state/audit-log-store.ts';
import type { ModuleWebhookOptions, Role, Webhook, WebhookSpec } from '../state/webhook-registry.ts';
import { moduleIds } from '../state/webhook-registry.ts';

/**
 * Control routes for webhooks: what Primero's own API cannot set (several events per row, the auth type and
 * secret, module options) and what only a test needs (running the worker now, restarting it, raw audit
 * rows). Changes to rows take effect as in Primero: adding or deleting at once; a new url, role or secret
 * of a row the worker has already used only after `POST /_control/webhooks/restart`.
 */
export function registerWebhookControlRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { webhookConfig: config, webhooks: worker } = ctx;

  app.get('/_control/webhooks', async () => ({
    data: config.webhooks().map(renderWebhook),
    modules: Object.fromEntries(moduleIds.map((id) => [id, config.moduleOptions(id)])),
    worker: renderWorker(ctx),
  }));

  app.post('/_control/webhooks', async (request, reply) => {
    const parsed = parseWebhook(request.body, undefined);
    if (!parsed.ok) return reply.code(422).send({ errors: parsed.errors });
    const added = config.add(parsed.spec);
    if (!added.ok) return reply.code(409).send({ errors: [`url ${parsed.spec.url} is already registered`] });
    return reply.code(201).send({ data: renderWebhook(added.webhook) });
  });

  app.patch('/_control/webhooks/:id', async (request, reply) => {
    const current = config.get((request.params as { id: string }).id);
    if (current === undefined) return reply.code(404).send({ errors: ['no such webhook'] });
    const parsed = parseWebhook(request.body, current);
    if (!parsed.ok) return reply.code(422).send({ errors: parsed.errors });
    const updated = config.update(current.id, parsed.spec);
    if (updated === undefined) return reply.code(404).send({ errors: ['no such webhook'] });
    if (!updated.ok)
      return reply.code(409).send({ errors: [`url ${parsed.spec.url} is already registered`] });
    return { data: renderWebhook(updated.webhook) };
  });

  app.delete('/_control/webhooks/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!config.remove(id)) return reply.code(404).send({ errors: ['no such webhook'] });
    return { data: { id } };
  });

  app.put('/_control/modules/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    if (!(moduleIds as readonly string[]).includes(id))
      return reply.code(404).send({ errors: [`no module ${id}: use one of ${moduleIds.join(', ')}`] });
    const parsed = parseModuleOptions(request.body);
    if (!parsed.ok) return reply.code(422).send({ errors: parsed.errors });
    config.setModuleOptions(id, parsed.options);
    return { data: { unique_id: id, module_options: config.moduleOptions(id) } };
  });

  app.get('/_control/roles', async () => ({ data: config.roles().map(renderRole) }));

  app.put('/_control/roles/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const parsed = parseRole(id, request.body, config.role(id));
    if (!parsed.ok) return reply.code(422).send({ errors: parsed.errors });
    config.setRole(parsed.role);
    return { data: renderRole(parsed.role) };
  });

  app.post('/_control/webhooks/work-off', async () => {
    const attempts = await worker.workOff();
    return { data: attempts.map(renderRow), worker: renderWorker(ctx) };
  });

  app.post('/_control/webhooks/restart', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const pollMs = body.poll_ms;
    if (pollMs !== undefined && !(Number.isInteger(pollMs) && typeof pollMs === 'number' && pollMs >= 1))
      return reply.code(422).send({ errors: ['poll_ms must be a positive integer of milliseconds'] });
    worker.restart(pollMs === undefined ? {} : { pollMs });
    return { worker: renderWorker(ctx) };
  });

  app.post('/_control/webhooks/stop', async () => {
    worker.stop();
    return { worker: renderWorker(ctx) };
  });

  /** Raw webhook audit rows, oldest first; `record_id=` narrows to one case. */
  app.get('/_control/audit_logs', async (request) => {
    const recordId = (request.query as Record<string, string | undefined>).record_id;
    const rows = recordId === undefined ? ctx.auditLogs.all() : ctx.auditLogs.forRecord(recordId);
    return { data: rows.map(renderRow) };
  });
}

function renderWebhook(webhook: Webhook): JsonObject {
  return {
    id: webhook.id,
    url: webhook.url,
    events: [...webhook.events],
    auth_type: webhook.authType,
    has_secret: webhook.authSecret !== null && webhook.authSecret !== '',
    role_unique_id: webhook.roleUniqueId,
  };
}

function renderRole(role: Role): JsonObject {
  return {
    unique_id: role.uniqueId,
    fields: role.fields === 'all' ? 'all' : [...role.fields],
    sync_external: role.syncExternal,
    read_audit_logs: role.readAuditLogs,
  };
}

function renderRow(row: AuditLogRow): JsonObject {
  return {
    id: row.id,
    record_id: row.recordId,
    action: row.action,
    resource_url: row.resourceUrl,
    timestamp: new Date(row.timestamp).toISOString(),
    metadata: row.metadata,
  };
}

function renderWorker(ctx: SimContext): JsonObject {
  const status = ctx.webhooks.status();
  return {
    poll_ms: status.pollMs,
    timeout_ms: status.timeoutMs,
    pending_jobs: status.pendingJobs,
    running: status.running,
    polling: status.polling,
  };
}

type Parsed<T> = ({ ok: true } & T) | { ok: false; errors: string[] };

const webhookKeys = new Set(['url', 'events', 'auth_type', 'auth_secret', 'role_unique_id']);

/** A control body for a webhook row; `current` fills what a PATCH leaves out. */
export function parseWebhook(body: unknown, current: Webhook | undefined): Parsed<{ spec: WebhookSpec }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, errors: ['send a JSON object: {"url": "http://…", "events": ["case.update"], …}'] };
  const input = body as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(input))
    if (!webhookKeys.has(key))
      errors.push(`${key} is not a webhook field: use ${[...webhookKeys].join(', ')}`);
  const url = input.url ?? current?.url;
  if (typeof url !== 'string' || !/^https?:\/\/./.test(url))
    errors.push('url must be an http:// or https:// URL');
  const events = input.events ?? current?.events;
  if (
    !Array.isArray(events) ||
    events.length === 0 ||
    !events.every((e) => typeof e === 'string' && e !== '')
  )
    errors.push('events must be a non-empty list such as ["case.create", "case.update", "case.post"]');
  const authType = input.auth_type === undefined ? (current?.authType ?? null) : input.auth_type;
  if (authType !== null && authType !== 'api_key' && authType !== 'basic_auth')
    errors.push('auth_type must be api_key, basic_auth or null');
  const authSecret = input.auth_secret === undefined ? (current?.authSecret ?? null) : input.auth_secret;
  if (authSecret !== null && typeof authSecret !== 'string')
    errors.push('auth_secret must be a string (an API key, or user:password for basic_auth) or null');
  const role = input.role_unique_id ?? current?.roleUniqueId ?? 'role-integration';
  if (typeof role !== 'string' || role === '')
    errors.push('role_unique_id must be a role id such as role-integration');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    spec: {
      url: url as string,
      events: events as string[],
      authType: authType as Webhook['authType'],
      authSecret: authSecret as string | null,
      roleUniqueId: role as string,
    },
  };
}

function parseModuleOptions(body: unknown): Parsed<{ options: ModuleWebhookOptions }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, errors: ['send a JSON object: {"use_webhooks_for": ["case"]}'] };
  const input = body as Record<string, unknown>;
  const errors: string[] = [];
  const options: { use_webhooks_for?: string[]; use_webhook_sync_for?: string[] } = {};
  for (const [key, value] of Object.entries(input)) {
    if (key !== 'use_webhooks_for' && key !== 'use_webhook_sync_for') {
      errors.push(`${key} is not settable: use use_webhooks_for or use_webhook_sync_for`);
      continue;
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      errors.push(`${key} must be a list of record types such as ["case"]`);
      continue;
    }
    options[key] = value;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, options };
}

function parseRole(uniqueId: string, body: unknown, current: Role | undefined): Parsed<{ role: Role }> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, errors: ['send a JSON object: {"fields": ["sex", "age"], "sync_external": true}'] };
  const input = body as Record<string, unknown>;
  const errors: string[] = [];
  const fields = input.fields ?? current?.fields ?? 'all';
  if (fields !== 'all' && !(Array.isArray(fields) && fields.every((f) => typeof f === 'string')))
    errors.push('fields must be "all" or a list of case field names');
  const syncExternal = input.sync_external ?? current?.syncExternal ?? false;
  if (typeof syncExternal !== 'boolean') errors.push('sync_external must be true or false');
  const readAuditLogs = input.read_audit_logs ?? current?.readAuditLogs ?? false;
  if (typeof readAuditLogs !== 'boolean') errors.push('read_audit_logs must be true or false');
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    role: {
      uniqueId,
      fields: fields as Role['fields'],
      syncExternal: syncExternal as boolean,
      readAuditLogs: readAuditLogs as boolean,
    },
  };
}
