import { registerControlBasics } from '@pos/sim-kit';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify, { LogController } from 'fastify';

import { loadCatalogue } from './catalogue.ts';
import { registerControlRoutes } from './control.ts';
import type { CatalogueService } from './core/model.ts';
import { parseNestedForm } from './core/rack-params.ts';
import { cryptoIds } from './ids.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerClientListRoute } from './routes/clients.ts';
import { registerErrorHandling, sendOscarFault } from './routes/errors.ts';
import { registerUpdateLinksRoute, updateLinksPath } from './routes/links.ts';
import { registerOrganizationRoutes } from './routes/organizations.ts';
import { registerUpdateStatusesRoute, updateStatusesPath } from './routes/statuses.ts';
import { registerUpsertRoute, upsertPath } from './routes/upsert.ts';
import { seedClients } from './seed.ts';
import type { IdGenerators, Store } from './state/store.ts';
import { createStore, recordCounts, resetStore } from './state/store.ts';

export interface OscarSimOptions {
  /** API user (an OSCaR `AdminUser`). Default `sync@oscar.test`; matched case-insensitively. */
  email?: string;
  /** Default `oscar-sync-password`. */
  password?: string;
  /** The caller's external system; referrals carry it as `referred_from`/`ngo_name`. Default `MoSVY External System`. */
  externalSystemName?: string;
  /** `x-control-token` for `/_control/`. Default `sim-control`. */
  controlToken?: string;
  /** The server clock (token expiry, `updated_at`, "today"). Default `() => new Date()`. */
  now?: () => Date;
  /** Override any id generator (ULIDs, slug letters, tokens). Defaults use node:crypto. */
  ids?: Partial<IdGenerators>;
  /** Require the token on `update_statuses`, which the real server does not check. Default false. */
  strictStatusesAuth?: boolean;
  /** How long an injected timeout fault holds the request. Default 30 s. */
  timeoutHoldMs?: number;
  /** Random source for fault injection. */
  random?: () => number;
  /** Fastify logger; default off. Only method, route, status and timing are logged, never bodies. */
  logger?: FastifyServerOptions['logger'];
  /** Catalogue rows; default the checked-in `data/service-catalogue.csv`. */
  catalogue?: readonly CatalogueService[];
  /** Largest accepted body. Default 50 MB (OSCaR has no practical limit; update_links can be big). */
  bodyLimit?: number;
}

export interface OscarSim {
  app: FastifyInstance;
  /** The in-memory state, for tests that need to look underneath the API. */
  store: Store;
}

const writeRoutes: ReadonlySet<string> = new Set([upsertPath, updateLinksPath, updateStatusesPath]);

/**
 * Builds the OSCaR v1 interop simulator (docs/upstream/oscar.md): the four interop endpoints with the server's quirks, the
 * devise_token_auth sign-in, GET /organizations and a `/_control/` API that plays the NGO users. Listen in main.ts.
 *
 * @example
 * const { app } = buildOscarSim({ now: () => clock });
 * const response = await app.inject({ method: 'POST', url: '/api/v1/admin_auth/sign_in', payload: { email, password } });
 */
export function buildOscarSim(options: OscarSimOptions = {}): OscarSim {
  const store = createStore({
    email: options.email ?? 'sync@oscar.test',
    password: options.password ?? 'oscar-sync-password',
    externalSystemName: options.externalSystemName ?? 'MoSVY External System',
    catalogue: options.catalogue ?? loadCatalogue(),
    ids: { ...cryptoIds(), ...options.ids },
    now: options.now ?? (() => new Date()),
  });

  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 50 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  registerBodyParsers(app);
  registerErrorHandling(app);

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? '(unmatched)',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  const controlOptions: Parameters<typeof registerControlBasics>[1] = {
    token: options.controlToken ?? 'sim-control',
    counts: () => recordCounts(store),
    reset: () => resetStore(store),
    seed: (count, seed, options) =>
      seedClients(store, count, seed, { linked: options.linked !== false, ...seedAnchor(options.now) }),
    isWrite: (request) => request.method !== 'GET' && writeRoutes.has(request.routeOptions.url ?? ''),
    sendFault: sendOscarFault,
  };
  if (options.timeoutHoldMs !== undefined) controlOptions.timeoutHoldMs = options.timeoutHoldMs;
  if (options.random !== undefined) controlOptions.random = options.random;
  registerControlBasics(app, controlOptions);
  registerControlRoutes(app, store);

  registerAuthRoutes(app, store);
  registerClientListRoute(app, store);
  registerUpsertRoute(app, store);
  registerUpdateLinksRoute(app, store);
  registerUpdateStatusesRoute(app, store, options.strictStatusesAuth ?? false);
  registerOrganizationRoutes(app, store);
  return { app, store };
}

/**
 * Rails parses JSON and form bodies and ignores other media types. An empty JSON body is no params (not a 400);
 * malformed JSON is a 400 page.
 */
function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(
        Object.assign(new Error('ActionDispatch::ParamsParser::ParseError'), { statusCode: 400 }),
        undefined,
      );
    }
  });
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, parseNestedForm(typeof body === 'string' ? body : body.toString('utf8')));
    },
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => {
    done(null, undefined);
  });
}

/**
 * `"now"` in a seed request: the instant the seeded timestamps are relative to (default the server clock),
 * so that two runs of one scenario seed identical records.
 */
function seedAnchor(value: unknown): { now?: Date } {
  if (typeof value !== 'string') return {};
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? {} : { now: at };
}
