import type { FastifyReply, FastifyRequest } from 'fastify';

import type { Authenticator } from './auth/authenticator.ts';
import type { Owner, SaveContext } from './core/case-lifecycle.ts';
import type { RailsParams } from './core/rails-query.ts';
import { parseRailsQuery } from './core/rails-query.ts';
import type { VersionFlags } from './core/version.ts';
import { primeroError, sendUnauthorized } from './http/errors.ts';
import type { AuditLogStore } from './state/audit-log-store.ts';
import type { CaseStore } from './state/case-store.ts';
import type { Directory, User } from './state/directory.ts';
import type { ReferralStore } from './state/referral-store.ts';
import type { Role, WebhookRegistry } from './state/webhook-registry.ts';
import type { WebhookWorker } from './webhooks/worker.ts';

/** Everything the route modules share: state, clock, id source and version switches. */
export interface SimContext {
  readonly flags: VersionFlags;
  readonly perPageCap: number | null;
  readonly now: () => number;
  readonly newId: () => string;
  readonly cases: CaseStore;
  readonly referrals: ReferralStore;
  readonly directory: Directory;
  readonly auth: Authenticator;
  readonly auditLogs: AuditLogStore;
  /** Webhook rows, module options and roles. */
  readonly webhookConfig: WebhookRegistry;
  /** The webhook job queue and its worker: every case save enqueues one job. */
  readonly webhooks: WebhookWorker;
}

/** The user's role; a role id the simulator does not know grants nothing beyond reading every field. */
export function roleOf(ctx: SimContext, user: User): Role {
  return (
    ctx.webhookConfig.role(user.roleId) ?? {
      uniqueId: user.roleId,
      fields: 'all',
      syncExternal: false,
      readAuditLogs: false,
    }
  );
}

export type AuthedHandler = (request: FastifyRequest, reply: FastifyReply, user: User) => Promise<unknown>;

/** Wraps a handler with Devise's `authenticate_user!`: a 401 `{"error": …}` unless the credentials work. */
export function authenticated(ctx: SimContext, handler: AuthedHandler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const outcome = ctx.auth.authenticate(request.headers);
    if (!outcome.ok) return sendUnauthorized(reply, outcome.message);
    return handler(request, reply, outcome.user);
  };
}

/** The save context for a request by `user` at the current time. */
export function saveContext(ctx: SimContext, user: User): SaveContext {
  return {
    now: ctx.now(),
    actor: ctx.directory.ownerOf(user),
    findUser: (userName: string): Owner | undefined => {
      const found = ctx.directory.findExact(userName);
      return found === undefined ? undefined : ctx.directory.ownerOf(found);
    },
    newId: ctx.newId,
  };
}

/** The query string as Rails params (nested brackets); a malformed one is a 400 like Rack's. */
export function queryParams(request: FastifyRequest): RailsParams {
  const index = request.url.indexOf('?');
  if (index === -1) return {};
  const parsed = parseRailsQuery(request.url.slice(index + 1));
  if (!parsed.ok) throw primeroError(400, pathOfRequest(request), parsed.message);
  return parsed.params;
}

export function pathOfRequest(request: FastifyRequest): string {
  const index = request.url.indexOf('?');
  return index === -1 ? request.url : request.url.slice(0, index);
}

/** `params[:data]` of a JSON body: undefined when the body or the key is missing. */
export function dataParam(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>).data;
}

/** Rails `present?` for a param value. */
export function paramPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
