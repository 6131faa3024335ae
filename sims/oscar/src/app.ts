import { createRng, isReplayed, registerControlBasics, registerReplayRoute, type Rng } from '@pos/sim-kit';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import Fastify, { LogController } from 'fastify';

import { loadCatalogue } from './catalogue.ts';
import { registerControlRoutes } from './control.ts';
import type { CatalogueService } from './core/model.ts';
import { parseNestedForm } from './core/rack-params.ts';
import { encodeUlid } from './core/ulid.ts';
import { cryptoIds } from './ids.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerClientListRoute } from './routes/clients.ts';
import { registerErrorHandling, sendOscarFault } from './routes/errors.ts';
import { registerUpdateLinksRoute, updateLinksPath } from './routes/links.ts';
import { registerOrganizationRoutes } from './routes/organizations.ts';
import { registerUpdateStatusesRoute, updateStatusesPath } from './routes/statuses.ts';
import { registerUpsertRoute, upsertPath } from './routes/upsert.ts';
import { seedClients } from './seed.ts';
import { signIn } from './state/auth.ts';
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
  // POST /_control/replay pins the clock and the id source while it plays one call of a history.
  const baseNow = options.now ?? (() => new Date());
  const baseIds: IdGenerators = { ...cryptoIds(), ...options.ids };
  let pinnedAt: number | null = null;
  let pinnedIds: Rng | null = null;
  let replayDevice: string | null = null;
  const email = options.email ?? 'sync@oscar.test';
  const password = options.password ?? 'oscar-sync-password';
  const store = createStore({
    email,
    password,
    externalSystemName: options.externalSystemName ?? 'MoSVY External System',
    catalogue: options.catalogue ?? loadCatalogue(),
    ids: pinnableIds(baseIds, () => pinnedIds),
    now: () => (pinnedAt === null ? baseNow() : new Date(pinnedAt)),
  });
  const controlToken = options.controlToken ?? 'sim-control';

  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 50 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
  });
  registerBodyParsers(app);
  registerErrorHandling(app);

  app.addHook('onResponse', async (request, reply) => {
    // A replayed history is logged once, as its POST /_control/replay.
    if (isReplayed(request, controlToken)) return;
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
    token: controlToken,
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
  registerReplayRoute(app, {
    token: controlToken,
    pin: (pins) => {
      pinnedAt = pins?.at ?? null;
      pinnedIds = pins?.seed === null || pins?.seed === undefined ? null : createRng(pins.seed);
    },
    // The interop API takes the API user's token headers: a fresh sign-in at the call's time, replacing
    // the previous replayed call's (a past sign-in expires first, so ten of them would push each other out).
    credentials: () => {
      if (replayDevice !== null) store.admin.tokens.delete(replayDevice);
      const signedIn = signIn(store, email, password);
      if (!signedIn) throw new Error('the simulator rejected its own API credentials');
      const { 'access-token': accessToken, client, uid } = signedIn.headers;
      replayDevice = client;
      return { 'access-token': accessToken, client, uid };
    },
  });

  registerAuthRoutes(app, store);
  registerClientListRoute(app, store);
  registerUpsertRoute(app, store);
  registerUpdateLinksRoute(app, store);
  registerUpdateStatusesRoute(app, store, options.strictStatusesAuth ?? false);
  registerOrganizationRoutes(app, store);
  return { app, store };
}

/** The id generators, drawing from a seeded source while a replayed call pins one. */
function pinnableIds(base: IdGenerators, pinned: () => Rng | null): IdGenerators {
  return {
    newUlid: (now) => {
      const rng = pinned();
      return rng === null
        ? base.newUlid(now)
        : encodeUlid(
            now.getTime(),
            Uint8Array.from({ length: 10 }, () => rng.int(0, 255)),
          );
    },
    slugLetters: () => {
      const rng = pinned();
      return rng === null
        ? base.slugLetters()
        : Array.from({ length: 4 }, () => String.fromCharCode(97 + rng.int(0, 25))).join('');
    },
    newToken: () => {
      const rng = pinned();
      return rng === null
        ? base.newToken()
        : Buffer.from(Uint8Array.from({ length: 16 }, () => rng.int(0, 255))).toString('base64url');
    },
  };
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
