import { badEnvelope, checkBody, expectRecordArray, shapeOf } from './envelope.ts';
import type { RequestRecord, UnknownRecord } from './json.ts';
import { clip, isRecord, isStructuralToken } from './json.ts';
import { readRecordList } from './streamed-list.ts';
import { UpstreamError } from './upstream-error.ts';
import type {
  CallOptions,
  ClientStats,
  ExchangeObserver,
  FetchLike,
  HttpRequest,
  HttpResponse,
} from './upstream-http.ts';
import { createUpstream, upstreamFailure } from './upstream-http.ts';

export interface OscarClientOptions {
  /** e.g. `https://start.oscarhq.com` (the interop API lives on `start.`, not on an NGO subdomain). */
  baseUrl: string;
  /** The API AdminUser's email. */
  email: string;
  password: string;
  /** Per HTTP exchange, response body included. Default 30 000. */
  timeoutMs?: number;
  /** Default 10. */
  maxRequestsPerSecond?: number;
  /** Default 2. */
  maxConcurrency?: number;
  /** Sign in again when the token expires within this. Default 1 h (tokens last 1 week). */
  renewBeforeExpiryMs?: number;
  /** Longest a `Retry-After` on 429/503 holds this client's next requests. Default 60 000; 0 = never. */
  maxRetryAfterPauseMs?: number;
  fetch?: FetchLike;
  /** Wall clock in ms (token expiry, `Retry-After` dates). Default `Date.now`. */
  now?: () => number;
  /** Sees every HTTP exchange's duration, status and error code (for metrics); default: none. */
  onExchange?: ExchangeObserver | undefined;
}

export interface ListClientsOptions extends CallOptions {
  /**
   * `YYYY-MM-DD`: clients created or updated on or after that day (sent as `YYYY-MM-DD 00:00:00`, the only
   * form OSCaR compares consistently for both of its client groups). Omit for every shared client.
   */
  sinceDate?: string;
}

export interface ClientBatchesOptions extends ListClientsOptions {
  /** Clients handed to `onBatch` at a time. */
  batchSize: number;
}

export interface UpsertResult {
  /** The Primero `case_id` OSCaR stored (`external_id`), as OSCaR echoes it; null or `''` when it has none. */
  externalId: string | null;
  message: string;
}

export interface OscarClient {
  /** `GET /api/v1/organizations/clients`: every shared client in one response (OSCaR has no paging). */
  listClients(options?: ListClientsOptions): Promise<UnknownRecord[]>;
  /**
   * The same list, read as it arrives: `onBatch` gets the clients `batchSize` at a time, and the rest of
   * the response is read only once it has returned, so memory holds one batch instead of the whole list.
   * Resolves to the number of clients read. A body of the wrong shape fails as `listClients` fails, possibly
   * after some batches were handed on.
   */
  forEachClientBatch(
    options: ClientBatchesOptions,
    onBatch: (clients: UnknownRecord[]) => Promise<void>,
  ): Promise<number>;
  /** `POST /api/v1/organizations/clients/upsert` with `{ organization: record }`: one referral or client. */
  upsertClient(organization: RequestRecord, options?: CallOptions): Promise<UpsertResult>;
  /** `PUT /api/v1/organizations/clients/update_links` with `{ data: items }`. No request when `items` is empty. */
  updateLinks(items: readonly RequestRecord[], options?: CallOptions): Promise<void>;
  /**
   * `PUT /api/v1/organizations/referrals/update_statuses` with `{ data: items }`. OSCaR applies the items in
   * order without a transaction and stops at the first bad one: the items before it stay saved, the ones
   * after it are not applied, and the 422 does not say which item failed. Prefer `updateStatus`.
   */
  updateStatuses(items: readonly RequestRecord[], options?: CallOptions): Promise<void>;
  /** `updateStatuses([item])`: one item per request, so one bad item never blocks the others. */
  updateStatus(item: RequestRecord, options?: CallOptions): Promise<void>;
  /** `GET /api/v1/organizations` → the NGO tenants (no auth needed). */
  listOrganizations(options?: CallOptions): Promise<UnknownRecord[]>;
  stats(): ClientStats;
}

export const oscarDefaults = {
  timeoutMs: 30_000,
  maxRequestsPerSecond: 10,
  maxConcurrency: 2,
  renewBeforeExpiryMs: 60 * 60_000,
  maxRetryAfterPauseMs: 60_000,
} as const;

interface Credentials {
  accessToken: string;
  client: string;
  uid: string;
  /** Local clock, ms; Infinity when OSCaR sent no usable `expiry` (then only a 401 renews). */
  expiresAt: number;
}

const signInPath = '/api/v1/admin_auth/sign_in';
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Creates a client for the OSCaR v1 interoperability API. It signs in lazily (devise_token_auth: the
 * credentials come back as `access-token`, `client`, `uid` and `expiry` response headers), sends them on
 * every protected call, signs in again when the token is within `renewBeforeExpiryMs` of expiry, and on a
 * 401 signs in again and retries once. It logs nothing; failures are `UpstreamError`s, safe to log.
 *
 * @example
 * const oscar = createOscarClient({ baseUrl, email, password });
 * const clients = await oscar.listClients({ sinceDate: '2025-08-02' });
 */
export function createOscarClient(options: OscarClientOptions): OscarClient {
  const { now, counters, limiter, send } = createUpstream('oscar', options, oscarDefaults, oscarErrorDetails);
  const renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? oscarDefaults.renewBeforeExpiryMs;

  let current: Credentials | undefined;
  let signingIn: Promise<Credentials> | undefined;

  async function signIn(): Promise<Credentials> {
    counters.logins += 1;
    const request: HttpRequest = {
      method: 'POST',
      template: signInPath,
      path: signInPath,
      body: { email: options.email, password: options.password },
    };
    const response = await send(request);
    const headers = response.headers;
    const accessToken = headers.get('access-token');
    const client = headers.get('client');
    const uid = headers.get('uid');
    if (!accessToken || !client || !uid) {
      throw upstreamFailure('oscar', counters, request, {
        code: 'AUTH_FAILED',
        status: response.status,
        retryable: false,
        details: [
          'sign-in succeeded but the access-token, client or uid response header is missing: is a proxy dropping them?',
        ],
      });
    }
    const expiry = Number(headers.get('expiry')) * 1000;
    // No usable expiry, or one already inside the renewal window (our clock is far ahead of OSCaR's):
    // renewing before every call would only churn OSCaR's ten device slots, so rely on the 401 instead.
    const usable = Number.isFinite(expiry) && expiry - now() > renewBeforeExpiryMs;
    return { accessToken, client, uid, expiresAt: usable ? expiry : Infinity };
  }

  async function credentials(): Promise<Credentials> {
    if (current !== undefined && now() < current.expiresAt - renewBeforeExpiryMs) return current;
    signingIn ??= signIn()
      .then((fresh) => (current = fresh))
      .finally(() => {
        signingIn = undefined;
      });
    return signingIn;
  }

  /** Sends with the three devise_token_auth headers; on a 401 signs in again and retries exactly once. */
  async function call(request: HttpRequest): Promise<HttpResponse> {
    const used = await credentials();
    try {
      return await send({ ...request, headers: headersOf(used) });
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.status !== 401) throw error;
      if (current === used) current = undefined;
    }
    counters.retries += 1;
    const fresh = await credentials();
    try {
      return await send({ ...request, headers: headersOf(fresh) });
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 401) {
        throw new UpstreamError({
          system: error.system,
          code: error.code,
          operation: error.operation,
          status: error.status,
          retryable: false,
          details: [...error.details, 'refused again right after a fresh sign-in: check the API user'],
        });
      }
      throw error;
    }
  }

  const context = (request: HttpRequest, response: HttpResponse) => ({
    system: 'oscar' as const,
    counters,
    request,
    response,
  });

  /** `GET /api/v1/organizations/clients`, since the day asked for. */
  function clientListRequest(list: ListClientsOptions): HttpRequest {
    const query: Array<[string, string]> = [];
    if (list.sinceDate !== undefined) query.push(['since_date', `${checkDate(list.sinceDate)} 00:00:00`]);
    return {
      method: 'GET',
      template: '/api/v1/organizations/clients',
      path: '/api/v1/organizations/clients',
      query,
      signal: list.signal,
    };
  }

  /** `{ "message": "Record saved." }` */
  function expectSaved(request: HttpRequest, response: HttpResponse): string {
    const body = response.body;
    if (!isRecord(body) || typeof body.message !== 'string') {
      const problem = isRecord(body) ? `message is ${shapeOf(body.message)}` : `the body is ${shapeOf(body)}`;
      throw badEnvelope(context(request, response), '{"message": "…"}', problem);
    }
    return body.message;
  }

  async function putStatuses(
    items: readonly RequestRecord[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    items.forEach((item) => checkBody('updateStatuses', item));
    if (items.length === 0) return;
    const request: HttpRequest = {
      method: 'PUT',
      template: '/api/v1/organizations/referrals/update_statuses',
      path: '/api/v1/organizations/referrals/update_statuses',
      body: { data: items },
      signal,
    };
    // OSCaR does not check the token here, but it is sent anyway (a strict server would need it).
    expectSaved(request, await call(request));
  }

  return {
    async listClients(list = {}) {
      const request = clientListRequest(list);
      return expectRecordArray(context(request, await call(request)), 'data');
    },

    async forEachClientBatch(list, onBatch) {
      const request = clientListRequest(list);
      const response = await call({
        ...request,
        readBody: (chunks) =>
          readRecordList(chunks, {
            key: 'data',
            batchSize: list.batchSize,
            onBatch,
            invalid: ({ detail, retryable }) =>
              upstreamFailure('oscar', counters, request, {
                code: 'BAD_RESPONSE',
                status: 200,
                retryable,
                details: [detail],
              }),
          }),
      });
      return response.body as number;
    },

    async upsertClient(organization, perCall = {}) {
      checkBody('upsertClient', organization);
      const request: HttpRequest = {
        method: 'POST',
        template: '/api/v1/organizations/clients/upsert',
        path: '/api/v1/organizations/clients/upsert',
        body: { organization },
        signal: perCall.signal,
      };
      const response = await call(request);
      const message = expectSaved(request, response);
      const externalId = (response.body as UnknownRecord).external_id;
      if (externalId !== undefined && externalId !== null && typeof externalId !== 'string') {
        throw badEnvelope(
          context(request, response),
          '{"external_id": string | null, "message": "…"}',
          `external_id is ${shapeOf(externalId)}`,
        );
      }
      return { externalId: externalId ?? null, message };
    },

    async updateLinks(items, perCall = {}) {
      items.forEach((item) => checkBody('updateLinks', item));
      if (items.length === 0) return; // OSCaR answers an empty `data` with a 500
      const request: HttpRequest = {
        method: 'PUT',
        template: '/api/v1/organizations/clients/update_links',
        path: '/api/v1/organizations/clients/update_links',
        body: { data: items },
        signal: perCall.signal,
      };
      expectSaved(request, await call(request));
    },

    updateStatuses: (items, perCall = {}) => putStatuses(items, perCall.signal),

    updateStatus: (item, perCall = {}) => putStatuses([item], perCall.signal),

    async listOrganizations(perCall = {}) {
      const request: HttpRequest = {
        method: 'GET',
        template: '/api/v1/organizations',
        path: '/api/v1/organizations',
        signal: perCall.signal,
      };
      return expectRecordArray(context(request, await send(request)), 'organizations');
    },

    stats: () => ({ ...counters, errors: { ...counters.errors }, limiter: limiter.stats() }),
  };
}

function headersOf(credentials: Credentials): Record<string, string> {
  return { 'access-token': credentials.accessToken, client: credentials.client, uid: credentials.uid };
}

function checkDate(value: string): string {
  const parsed = new Date(`${value}T00:00:00Z`);
  if (
    !datePattern.test(value) ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 10) !== value
  ) {
    throw new TypeError('listClients: sinceDate must be a calendar date YYYY-MM-DD');
  }
  return value;
}

/**
 * The structural part of an OSCaR error body: devise's `errors` strings (401), `message` as a string or as
 * Rails `{attribute: [messages]}`, the `errors` object of "Record was found.", and the `error` string of
 * `update_statuses` (Rails messages). Never `external_id` or other values; nothing from a 5xx but 503.
 */
export function oscarErrorDetails(status: number, body: unknown): string[] {
  if (!isRecord(body)) return [`JSON ${shapeOf(body)} body (not shown)`];
  if (status >= 500 && status !== 503) return ['JSON error body (not shown for a 5xx)'];
  const details: string[] = [];
  const add = (value: unknown) => {
    if (typeof value === 'string') details.push(clip(value));
    else if (Array.isArray(value)) {
      for (const item of value.slice(0, 5)) if (typeof item === 'string') details.push(clip(item));
    } else if (isRecord(value)) {
      for (const [attribute, messages] of Object.entries(value).slice(0, 10)) {
        if (!isStructuralToken(attribute)) continue;
        const texts = (Array.isArray(messages) ? messages : [messages]).filter(
          (text): text is string => typeof text === 'string',
        );
        details.push(`${attribute}: ${texts.map((text) => clip(text, 120)).join(', ') || '(no message)'}`);
      }
    }
  };
  add(body.message);
  add(body.errors);
  add(body.error);
  return details.length > 0 ? details : ['JSON body without a message (not shown)'];
}
