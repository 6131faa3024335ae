import { randomBytes, randomUUID } from 'node:crypto';

import { createRng, isReplayed, registerControlBasics, registerReplayRoute, type Rng } from '@pos/sim-kit';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Fastify, { LogController } from 'fastify';

import { createAuthenticator, messages } from './auth/authenticator.ts';
import { registerControlRoutes } from './control.ts';
import { JsonFloat } from './core/json.ts';
import { versionFlags } from './core/version.ts';
import { lookups } from './data/lookups.ts';
import {
  configLocked,
  pathOf,
  PrimeroError,
  primeroError,
  railsNotFoundPage,
  sendErrors,
  sendNginx,
  sendUnauthorized,
} from './http/errors.ts';
import { registerAgencyRoutes } from './routes/agencies.ts';
import { registerCaseRoutes } from './routes/cases.ts';
import { registerMetadataRoutes } from './routes/metadata.ts';
import { registerReferralRoutes } from './routes/referrals.ts';
import { registerTokenRoutes } from './routes/tokens.ts';
import { seedCases, uuid } from './seed.ts';
import type { SimContext } from './sim-context.ts';
import { createAuditLogStore } from './state/audit-log-store.ts';
import { type CaseStore, createCaseStore } from './state/case-store.ts';
import type { UserSpec } from './state/directory.ts';
import { createDirectory } from './state/directory.ts';
import { createReferralStore, type ReferralStore } from './state/referral-store.ts';
import type { ModuleWebhookOptions, Role, WebhookSpec } from './state/webhook-registry.ts';
import { createWebhookRegistry } from './state/webhook-registry.ts';
import { registerWebhookControlRoutes } from './webhooks/control.ts';
import { createDelivery } from './webhooks/deliver.ts';
import { registerWebhookRoutes } from './webhooks/routes.ts';
import { createWebhookWorker } from './webhooks/worker.ts';

export interface PrimeroSimOptions {
  /**
   * Primero version to behave like (docs/upstream/primero.md §13): `2.5` (default, the v2.5–v2.10 line),
   * `2.10.3`, `2.11`, …
   */
  readonly version?: string;
  /** The integration user. Default `primero-sync` / `primero-sync-password`. */
  readonly syncUser?: string;
  readonly syncPassword?: string;
  /** Password of every other built-in user (province managers, NGO agency users). Default `primero-user-password`. */
  readonly usersPassword?: string;
  /** More users that can sign in (e.g. a named MoSVY social worker). */
  readonly extraUsers?: readonly UserSpec[];
  /** `x-control-token` for `/_control/`. Default `sim-control`. */
  readonly controlToken?: string;
  /** JWT lifetime; tests set it low to force expiry. Default 3600. */
  readonly jwtTtlSeconds?: number;
  /** HS256 secret; random per instance by default. */
  readonly jwtSecret?: string;
  /** Override the version's `per` cap: a number, or null for none. */
  readonly perPageCap?: number | null;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  readonly now?: () => number;
  /** Id source for records, referrals and JWT ids. Default `crypto.randomUUID`. */
  readonly newId?: () => string;
  /** Random source for fault injection. */
  readonly random?: () => number;
  /** How long an injected timeout holds the request. Default 30 s. */
  readonly timeoutHoldMs?: number;
  /** Pino options, or false (default) for no logging. */
  readonly logger?: false | { readonly level: string };
  /** Webhook rows at start (docs/upstream/primero.md §14.3). Default none. */
  readonly webhooks?: readonly WebhookSpec[];
  /** `module_options` per module id, e.g. `{ 'primeromodule-cp': { use_webhooks_for: ['case'] } }`. Default none. */
  readonly moduleOptions?: Readonly<Record<string, ModuleWebhookOptions>>;
  /** Roles added to (or replacing) the built-in ones, e.g. one that reads few fields for a webhook. */
  readonly roles?: readonly Role[];
  /** How often the webhook worker polls its queue (delayed_job's sleep delay). Default 5000. */
  readonly webhookPollMs?: number;
  /** Idle timeout of one webhook POST. Default 60000 (net/http's). */
  readonly webhookTimeoutMs?: number;
  /** `PRIMERO_HOST`, sent as `hostname` in every notice. Default `localhost`. */
  readonly hostname?: string;
}

/**
 * The state behind a simulator built by `buildPrimeroSim`, for scenarios that need a record no real Primero
 * API would store (its write schema refuses wrong types, `[null]` rows, invalid dates): insert or edit
 * cases and referrals here, and the API lists them as stored.
 */
export interface PrimeroSimState {
  readonly cases: CaseStore;
  readonly referrals: ReferralStore;
  /** The simulator's clock, in epoch milliseconds. */
  readonly now: () => number;
  readonly newId: () => string;
}

const simStates = new WeakMap<FastifyInstance, PrimeroSimState>();

/**
 * The state of a simulator built by `buildPrimeroSim`.
 *
 * @example
 * const { cases } = primeroSimState(app);
 * const [stored] = cases.findBy('case_id', caseId);
 * if (stored) cases.update(stored, { ...stored.data, services_section: [null] });
 */
export function primeroSimState(app: FastifyInstance): PrimeroSimState {
  const state = simStates.get(app);
  if (state === undefined) throw new Error('primeroSimState: not an app built by buildPrimeroSim');
  return state;
}

/** Request lines and header lines nginx accepts (`large_client_header_buffers 2 1k`). */
const nginxLineLimit = 1024;
const bodyLimit = 50 * 1024 * 1024;

/**
 * Builds the Primero v2 API simulator: a fastify app serving `/api/v2/*` like Primero (v2.5 by default)
 * and `/_control/*` for tests. Call `listen()` or `inject()` on the result.
 */
export function buildPrimeroSim(options: PrimeroSimOptions = {}): FastifyInstance {
  const flags = versionFlags(options.version ?? '2.5');
  // POST /_control/replay pins the clock and the id source while it plays one call of a history.
  const baseNow = options.now ?? Date.now;
  const baseNewId = options.newId ?? randomUUID;
  let pinnedAt: number | null = null;
  let pinnedIds: Rng | null = null;
  const now = () => pinnedAt ?? baseNow();
  const newId = () => (pinnedIds === null ? baseNewId() : uuid(pinnedIds));
  const syncUser = options.syncUser ?? 'primero-sync';
  const controlToken = options.controlToken ?? 'sim-control';
  const directory = createDirectory({
    syncUser,
    syncPassword: options.syncPassword ?? 'primero-sync-password',
    usersPassword: options.usersPassword ?? 'primero-user-password',
    ...(options.extraUsers === undefined ? {} : { extraUsers: options.extraUsers }),
  });
  const app = Fastify({
    logger:
      options.logger === undefined || options.logger === false ? false : { level: options.logger.level },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  });

  const cases = createCaseStore();
  const auditLogs = createAuditLogStore();
  const webhookConfig = createWebhookRegistry({
    webhooks: options.webhooks ?? [],
    moduleOptions: options.moduleOptions ?? {},
    roles: options.roles ?? [],
    newId: randomUUID,
  });
  const ctx: SimContext = {
    flags,
    perPageCap: options.perPageCap === undefined ? flags.perPageCap : options.perPageCap,
    now,
    newId,
    cases,
    referrals: createReferralStore(),
    auditLogs,
    webhookConfig,
    webhooks: createWebhookWorker({
      cases,
      auditLogs,
      registry: webhookConfig,
      delivery: createDelivery(),
      now,
      hostname: options.hostname ?? 'localhost',
      pollMs: options.webhookPollMs ?? 5000,
      timeoutMs: options.webhookTimeoutMs ?? 60_000,
      log: app.log,
    }),
    directory,
    auth: createAuthenticator({
      directory,
      flags,
      now,
      ttlSeconds: options.jwtTtlSeconds ?? 3600,
      secret: options.jwtSecret === undefined ? randomBytes(32) : Buffer.from(options.jwtSecret, 'utf8'),
      newId,
    }),
  };

  app.addHook('onClose', () => ctx.webhooks.close());

  simStates.set(app, { cases: ctx.cases, referrals: ctx.referrals, now, newId });
  registerNginxLimits(app);
  registerBodyParsers(app);
  registerAccessLog(app, controlToken);

  registerControlBasics(app, {
    token: controlToken,
    counts: () => ({
      cases: ctx.cases.size,
      referrals: ctx.referrals.size,
      audit_logs: ctx.auditLogs.size,
      webhooks: ctx.webhookConfig.webhooks().length,
      users: directory.users.length,
      agencies: directory.agencies.length,
      locations: directory.locations.length,
      lookups: lookups.length,
      tokens: ctx.auth.activeTokens,
    }),
    reset: () => {
      ctx.cases.clear();
      ctx.referrals.clear();
      ctx.auditLogs.clear();
      ctx.webhooks.clear();
      ctx.auth.reset();
    },
    seed: (count, seed, options) => {
      const at = typeof options.now === 'string' ? Date.parse(options.now) : Number.NaN;
      return seedCases(ctx, count, seed, Number.isNaN(at) ? undefined : at);
    },
    isWrite: (request) => {
      const path = pathOf(request.url);
      return (
        path.startsWith('/api/v2/') &&
        path.replace(/\/+$/, '') !== '/api/v2/tokens' &&
        !['GET', 'HEAD', 'OPTIONS'].includes(request.method)
      );
    },
    sendFault,
    ...(options.random === undefined ? {} : { random: options.random }),
    ...(options.timeoutHoldMs === undefined ? {} : { timeoutHoldMs: options.timeoutHoldMs }),
  });

  const userPassword = (userName: string) =>
    userName === syncUser
      ? (options.syncPassword ?? 'primero-sync-password')
      : (options.usersPassword ?? 'primero-user-password');
  registerReplayRoute(app, {
    token: controlToken,
    pin: (pins) => {
      pinnedAt = pins?.at ?? null;
      pinnedIds = pins?.seed === null || pins?.seed === undefined ? null : createRng(pins.seed);
    },
    // People and the integration act through the API with Basic auth, as the user named in `as`.
    credentials: (call) => {
      const user = call.as ?? syncUser;
      return { authorization: `Basic ${Buffer.from(`${user}:${userPassword(user)}`).toString('base64')}` };
    },
  });

  registerTokenRoutes(app, ctx);
  registerCaseRoutes(app, ctx);
  registerReferralRoutes(app, ctx);
  registerMetadataRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerAgencyRoutes(app, ctx);
  registerControlRoutes(app, ctx);
  registerWebhookControlRoutes(app, ctx);

  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).type('text/html; charset=utf-8').send(railsNotFoundPage),
  );
  app.setErrorHandler((error: unknown, request, reply) => {
    if (error instanceof PrimeroError) return sendErrors(reply, error);
    const status = statusOf(error);
    if (status === 413) return sendNginx(reply, 413);
    if (status === 400) {
      return sendErrors(
        reply,
        primeroError(400, pathOf(request.url), 'Error occurred while parsing request parameters'),
      );
    }
    request.log.error({ err: error }, 'unexpected error');
    const message = error instanceof Error ? error.message : 'Internal Server Error';
    return sendErrors(reply, primeroError(500, pathOf(request.url), message));
  });

  return app;
}

/** Faults injected by `/_control/faults`, in the shape the real stack would answer them. */
function sendFault(reply: FastifyReply, status: number): FastifyReply {
  const resource = pathOf(reply.request.url);
  switch (status) {
    case 503:
      return sendErrors(reply, configLocked(resource));
    case 401:
      return sendUnauthorized(reply, messages.unauthenticated);
    case 429:
      return reply.code(429).type('text/plain').send('Retry later\n');
    case 502:
    case 504:
      return sendNginx(reply, status);
    case 404:
      return reply.code(404).type('text/html; charset=utf-8').send(railsNotFoundPage);
    case 500:
      return sendErrors(reply, primeroError(500, resource, 'Internal Server Error'));
    default:
      return sendErrors(reply, primeroError(status, resource, reasonPhrase(status)));
  }
}

function reasonPhrase(status: number): string {
  const phrases: Record<number, string> = {
    400: 'Bad Request',
    403: 'Forbidden',
    409: 'Conflict',
    422: 'Unprocessable Entity',
  };
  return phrases[status] ?? 'Error';
}

/** nginx in front of Primero: a request line or a header line over 1 KB never reaches Rails. */
function registerNginxLimits(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/_control')) return;
    const requestLine = `${request.method} ${request.url} HTTP/${request.raw.httpVersion}\r\n`;
    if (Buffer.byteLength(requestLine) > nginxLineLimit) return sendNginx(reply, 414);
    const raw = request.raw.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const line = `${raw[i] ?? ''}: ${raw[i + 1] ?? ''}\r\n`;
      if (Buffer.byteLength(line) > nginxLineLimit)
        return sendNginx(reply, 400, 'Request Header Or Cookie Too Large');
    }
    return;
  });
}

class BadRequestBody extends Error {
  readonly statusCode = 400;
}

/**
 * JSON bodies as Rails reads them: an empty body is no params; numbers written with a fraction or
 * exponent are Floats for the record schema (so `5.0` is not an integer). Other content types are not
 * parsed, so `data` is simply missing.
 */
function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/(.+\+)?json/, { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, request.url.startsWith('/api/') ? JSON.parse(text, floatReviver) : JSON.parse(text));
    } catch {
      done(new BadRequestBody('Error occurred while parsing request parameters'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => {
    done(null, undefined);
  });
}

type SourceReviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

const floatReviver: SourceReviver = function (_key, value, context) {
  if (typeof value === 'number' && context?.source !== undefined && /[.eE]/.test(context.source)) {
    return new JsonFloat(value);
  }
  return value;
};

/** One line per request: method, route, status, time. Never bodies or query strings (child-protection data). */
function registerAccessLog(app: FastifyInstance, controlToken: string): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    // A replayed history is logged once, as its POST /_control/replay.
    if (isReplayed(request, controlToken)) return;
    const log: FastifyBaseLogger = request.log;
    log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
