import { fastifyCookie } from '@fastify/cookie';
import { fastifyCsrfProtection } from '@fastify/csrf-protection';
import { fastifyFormbody } from '@fastify/formbody';
import { fastifySession, type SessionStore } from '@fastify/session';
import type { MappingTables } from '@pos/mapping';
import type { MappingCheckResult } from '@pos/mapping-check';
import type { PayloadCipher } from '@pos/messaging';
import type { Readiness, Registry } from '@pos/runtime';
import { registerHealthRoutes, registerMetricsRoute } from '@pos/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';

import type { PollersClient } from '../adapters/pollers.client.ts';
import type { QueueDepths } from '../adapters/rabbitmq-management.ts';
import { translator } from '../core/messages.ts';
import { timeFormat } from '../core/time.ts';
import { messagePage } from '../views/layout.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { languageOf, pageContext, sendPage } from './context.ts';
import { registerDeadLetterRoutes } from './dead-letters.routes.ts';
import { registerPageRoutes } from './pages.routes.ts';

export interface AppDeps {
  logger: FastifyBaseLogger;
  readiness: Readiness;
  /** Served on the open `GET /metrics` (absent in tests of the pages alone). */
  metrics?: Registry | undefined;
  auth: {
    user: string;
    /** `CONSOLE_PASSWORD_HASH`: scrypt, see auth/password-hash.ts. */
    passwordHash: string;
    sessionSecret: string;
    sessionMinutes: number;
    cookieSecure: boolean;
  };
  /** Where sessions are kept (Postgres in main.ts). */
  sessionStore: SessionStore;
  /** The sync database: the console reads the services' schemas and replays through packages/dlq. */
  db: Kysely<unknown>;
  pollers: PollersClient;
  queueDepths: () => Promise<QueueDepths>;
  mappings: {
    dir: string;
    load: () => Promise<MappingTables>;
    /** "Check against the live systems" (packages/mapping-check, with the services' Primero and OSCaR users). */
    check: (tables: MappingTables) => Promise<MappingCheckResult>;
  };
  /** Opens writers' sealed events for a replay (`DEAD_LETTER_KEY`); null = only pollers' dead letters replay. */
  cipher: PayloadCipher | null;
  timeZone: string;
  /** Jaeger's UI; empty = no trace links. */
  jaegerUiUrl: string;
  now?: () => Date;
}

export const sessionCookieName = 'console_session';

/**
 * The console: server-rendered pages behind a sign-in, every form a POST with a CSRF token and a redirect.
 * Health and metrics stay open, like the services'. Listened on only in main.ts.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Fastify's own request lines would log each URL with its query string, and an operator may type anything
  // into the search box (a child's name): one line per request instead, with the path only.
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    disableRequestLogging: true,
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/health/') || request.url === '/metrics') return;
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });
  registerHealthRoutes(app, deps.readiness);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);

  void app.register(fastifyFormbody);
  void app.register(fastifyCookie);
  void app.register(fastifySession, {
    secret: deps.auth.sessionSecret,
    cookieName: sessionCookieName,
    store: deps.sessionStore,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.auth.cookieSecure,
      path: '/',
      maxAge: deps.auth.sessionMinutes * 60_000,
    },
  });
  // The token is the form's `_csrf` field only: a form of another site cannot know it.
  void app.register(fastifyCsrfProtection, {
    sessionPlugin: '@fastify/session',
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
  });

  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/health/') && request.url !== '/metrics') {
      void reply.headers({
        'content-security-policy':
          "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
      });
    }
  });

  void app.register(async (pages) => {
    // Every form post proves it came from a page of this console (the token is checked before the handler).
    pages.addHook('preHandler', (request, reply, done) => {
      if (request.method === 'POST') {
        pages.csrfProtection(request, reply, done);
        return;
      }
      done();
    });
    registerAuthRoutes(pages, deps);
    void pages.register(async (signedIn) => {
      signedIn.addHook('onRequest', async (request, reply) => {
        if (request.session.user) return undefined;
        if (request.method === 'GET') {
          return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
        }
        return sendPage(
          reply,
          messagePage(
            pageContext(request, reply, deps, false),
            translator(languageOf(request))('auth.title'),
            translator(languageOf(request))('auth.expired'),
          ).value,
          401,
        );
      });
      registerPageRoutes(signedIn, deps);
      registerDeadLetterRoutes(signedIn, deps);
    });
  });

  app.setNotFoundHandler((request, reply) => {
    const t = translator(languageOf(request));
    return sendPage(
      reply,
      messagePage(
        pageContext(request, reply, deps, signedIn(request)),
        t('error.notFound'),
        t('error.notFound'),
      ).value,
      404,
    );
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const t = translator(languageOf(request));
    if (error.statusCode === 403 && error.code?.startsWith('FST_CSRF')) {
      request.log.warn({ url: request.url, code: error.code }, 'form refused: no valid CSRF token');
      return sendPage(
        reply,
        messagePage(
          pageContext(request, reply, deps, signedIn(request)),
          t('error.forbidden'),
          t('error.forbidden'),
        ).value,
        403,
      );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendPage(
        reply,
        messagePage(
          pageContext(request, reply, deps, signedIn(request)),
          t('error.badRequest'),
          t('error.badRequest'),
        ).value,
        error.statusCode,
      );
    }
    const now = (deps.now ?? (() => new Date()))();
    // The message only: a stack or a query's parameters have no place in a log of this system.
    request.log.error(
      { url: request.url.split('?')[0], err: { message: error.message, code: error.code } },
      'page failed',
    );
    const time = timeFormat(languageOf(request), deps.timeZone, t).at(now);
    return sendPage(
      reply,
      messagePage(
        pageContext(request, reply, deps, signedIn(request)),
        t('error.server', { time }),
        t('error.server', { time }),
      ).value,
      500,
    );
  });
  return app;
}

/** Whether the request has a signed-in session (an error may come before the session was read). */
function signedIn(request: FastifyRequest): boolean {
  return typeof (request as { session?: { user?: unknown } }).session?.user === 'string';
}
