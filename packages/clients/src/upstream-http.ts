import { createLimiter, type Limiter, type LimiterStats } from './rate-limit.ts';
import type { UpstreamErrorCode, UpstreamErrorInit, UpstreamSystem } from './upstream-error.ts';
import { classifyStatus, parseRetryAfter, UpstreamError } from './upstream-error.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Per-call options every client method accepts. */
export interface CallOptions {
  /** Aborts the call (while queued in the limiter or in flight); the error then has code `ABORTED`. */
  signal?: AbortSignal | undefined;
}

/** Counters for metrics; cumulative since the client was created. */
export interface ClientCounters {
  /** HTTP exchanges attempted (logins and refreshes included). */
  requests: number;
  /** Requests sent a second time after a 401 and a fresh login. */
  retries: number;
  /** Logins (Primero `POST /api/v2/tokens` with credentials, OSCaR sign-ins). */
  logins: number;
  /** Primero JWT refreshes (`POST /api/v2/tokens` with the current Bearer). */
  refreshes: number;
  /** Failed exchanges by code (a 401 that a re-login then fixed is counted too). */
  errors: Partial<Record<UpstreamErrorCode, number>>;
}

/**
 * One HTTP exchange, as a metrics observer sees it: the operation is the method and path template
 * (`GET /api/v2/cases/:id`), never a URL with ids, and nothing of the bodies.
 */
export interface ExchangeObservation {
  system: UpstreamSystem;
  operation: string;
  /** The response's status, or null when none came (timeout, connection failure, aborted). */
  status: number | null;
  /** The failure's code, or null when the exchange succeeded. */
  code: UpstreamErrorCode | null;
  /** From sending the request to the end of the response body. */
  seconds: number;
}

/** Called after every HTTP exchange (logins and refreshes included); must not throw. */
export type ExchangeObserver = (exchange: ExchangeObservation) => void;

export interface ClientStats extends ClientCounters {
  limiter: LimiterStats;
}

export interface HttpRequest {
  method: HttpMethod;
  /** The path with `:placeholders`, used in error messages, e.g. `/api/v2/cases/:id`. */
  template: string;
  /** The path with ids filled in and URL-encoded. */
  path: string;
  query?: ReadonlyArray<readonly [string, string]>;
  headers?: Readonly<Record<string, string>>;
  /** Sent as JSON when defined. */
  body?: unknown;
  signal?: AbortSignal | undefined;
  /**
   * Reads a 2xx body as it arrives instead of whole (a long list handed on a batch at a time); what it returns
   * becomes the response's `body`. A failure of the stream reaches it as an `UpstreamError` (NETWORK,
   * TIMEOUT, ABORTED); what it throws itself is passed on unchanged. The timeout covers the reading.
   */
  readBody?: (chunks: AsyncIterable<Uint8Array>) => Promise<unknown>;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body (e.g. 204). */
  body: unknown;
}

export interface TransportOptions {
  system: UpstreamSystem;
  baseUrl: string;
  timeoutMs: number;
  fetch: FetchLike;
  now: () => number;
  limiter: Limiter;
  /** Longest pause a `Retry-After` may impose on the limiter; 0 disables pausing. */
  maxRetryAfterPauseMs: number;
  counters: ClientCounters;
  /** Extracts the structural part of an upstream JSON error body (never record content). */
  errorDetails: (status: number, body: unknown) => string[];
  /** Sees every exchange's duration, status and error code, for metrics. */
  onExchange?: ExchangeObserver | undefined;
}

export type Send = (request: HttpRequest) => Promise<HttpResponse>;

/**
 * Primero's reference nginx has `large_client_header_buffers 2 1k`: a longer request line is rejected with
 * 414/400. Refusing before sending gives a clear, permanent error instead.
 */
export const maxRequestLineBytes = 1000;

const notJson = Symbol('not JSON');

/** A response body's chunks, a failure to read them turned into the exchange's own error. */
async function* chunksOf(
  body: ReadableStream<Uint8Array>,
  interrupted: (error: unknown) => UpstreamError,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        throw interrupted(error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // The reader stopped early (it failed, or it has what it needs): let go of the connection.
    await reader.cancel().catch(() => undefined);
  }
}

/** Normalises and checks a base URL; the message says how to fix a bad one. */
export function parseBaseUrl(system: UpstreamSystem, baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new TypeError(`${system} baseUrl is not a URL: set it to e.g. https://${system}.example.org`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`${system} baseUrl must be http(s): set it to e.g. https://${system}.example.org`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError(`${system} baseUrl must not hold credentials, a query or a fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

/** Encodes a query like `URLSearchParams` would, but with `%20` for spaces and `%2B` for `+`. */
export function encodeQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

export function operationOf(request: Pick<HttpRequest, 'method' | 'template'>): string {
  return `${request.method} ${request.template}`;
}

/**
 * The single place where a request meets the network: limiter, timeout, JSON parsing and error
 * classification. Non-2xx responses become `UpstreamError`s; so does a 2xx whose body is not JSON.
 */
export function createTransport(options: TransportOptions): Send {
  const { system, counters } = options;
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const prefix = base.pathname.replace(/\/+$/, '');

  const fail = (request: HttpRequest, init: FailureInit) => upstreamFailure(system, counters, request, init);

  /** One exchange, reported to `onExchange` however it ended. */
  async function observed(request: HttpRequest, url: string): Promise<HttpResponse> {
    const observe = options.onExchange;
    if (!observe) return exchange(request, url);
    const started = performance.now();
    const report = (status: number | null, code: UpstreamErrorCode | null) =>
      observe({
        system,
        operation: operationOf(request),
        status,
        code,
        seconds: (performance.now() - started) / 1000,
      });
    try {
      const response = await exchange(request, url);
      report(response.status, null);
      return response;
    } catch (error) {
      if (error instanceof UpstreamError) report(error.status ?? null, error.code);
      else report(null, 'NETWORK');
      throw error;
    }
  }

  async function exchange(request: HttpRequest, url: string): Promise<HttpResponse> {
    counters.requests += 1;
    // A timer cleared as soon as the exchange ends, not AbortSignal.timeout(): that one lives until it
    // fires (a minute by default), holding its signal and the async context it was made in — the request's
    // span — so a busy client kept thousands of finished requests in memory.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const abortWithCaller = () => controller.abort();
    if (request.signal?.aborted) controller.abort();
    else request.signal?.addEventListener('abort', abortWithCaller, { once: true });
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    const init: RequestInit = { method: request.method, headers, signal: controller.signal };
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(request.body);
    }

    /** Why the exchange broke off before its body was whole. */
    const interrupted = (error: unknown): UpstreamError => {
      if (request.signal?.aborted) {
        return fail(request, { code: 'ABORTED', retryable: true, details: ['aborted by the caller'] });
      }
      if (timedOut) {
        return fail(request, {
          code: 'TIMEOUT',
          retryable: true,
          details: [`no complete response within ${options.timeoutMs} ms`],
        });
      }
      return fail(request, { code: 'NETWORK', retryable: true, details: networkDetails(error) });
    };

    let response: Response;
    let text: string;
    let streaming = false;
    try {
      response = await options.fetch(url, init);
      const { readBody } = request;
      if (readBody !== undefined && response.ok && response.body !== null) {
        streaming = true;
        const body = await readBody(chunksOf(response.body, interrupted));
        return { status: response.status, headers: response.headers, body };
      }
      text = await response.text();
    } catch (error) {
      // From a streamed body: already an UpstreamError, or the reader's own failure, passed on as it is.
      if (streaming) throw error;
      throw interrupted(error);
    } finally {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', abortWithCaller);
    }

    const body = parseBody(text);
    const { status } = response;
    if (status >= 200 && status < 300) {
      if (body === notJson) {
        // A 2xx page that is not JSON is typically a proxy or maintenance page, or a body cut short:
        // transient, so retryable (unlike a JSON body of the wrong shape, which the clients reject as permanent).
        throw fail(request, {
          code: 'BAD_RESPONSE',
          status,
          retryable: true,
          details: ['non-JSON body (not shown)'],
        });
      }
      return { status, headers: response.headers, body };
    }

    const { code, retryable } =
      status < 400 ? { code: 'BAD_RESPONSE' as const, retryable: false } : classifyStatus(status);
    const retryAfterMs =
      status === 429 || status === 503
        ? parseRetryAfter(response.headers.get('retry-after'), options.now())
        : undefined;
    if (retryAfterMs !== undefined && retryAfterMs > 0 && options.maxRetryAfterPauseMs > 0) {
      options.limiter.pause(Math.min(retryAfterMs, options.maxRetryAfterPauseMs));
    }
    const details =
      body === notJson
        ? ['non-JSON body (not shown)']
        : body === undefined
          ? ['empty body']
          : options.errorDetails(status, body);
    throw fail(request, { code, status, retryable, retryAfterMs, details });
  }

  return async (request) => {
    const target = `${prefix}${request.path}${
      request.query && request.query.length > 0 ? `?${encodeQuery(request.query)}` : ''
    }`;
    const requestLineBytes = Buffer.byteLength(`${request.method} ${target} HTTP/1.1`);
    if (requestLineBytes > maxRequestLineBytes) {
      throw fail(request, {
        code: 'REQUEST_TOO_LONG',
        retryable: false,
        details: [
          `request line would be ${requestLineBytes} bytes; Primero's nginx rejects more than about 1 KB: shorten the filter`,
        ],
      });
    }
    const url = `${origin}${target}`;
    try {
      return await options.limiter.run(() => observed(request, url), request.signal);
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      if (request.signal?.aborted) {
        throw fail(request, {
          code: 'ABORTED',
          retryable: true,
          details: ['aborted by the caller while queued'],
        });
      }
      throw error;
    }
  };
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return notJson;
  }
}

/** Only the error code of a connection failure (ECONNREFUSED, UND_ERR_SOCKET…): no URLs, no messages. */
function networkDetails(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes.length > 0 ? [`connection failed (${[...new Set(codes)].join(', ')})`] : ['connection failed'];
}

export type FailureInit = Omit<UpstreamErrorInit, 'system' | 'operation'>;

/** Builds an `UpstreamError` for `request` and counts it. */
export function upstreamFailure(
  system: UpstreamSystem,
  counters: ClientCounters,
  request: Pick<HttpRequest, 'method' | 'template'>,
  init: FailureInit,
): UpstreamError {
  counters.errors[init.code] = (counters.errors[init.code] ?? 0) + 1;
  return new UpstreamError({ system, operation: operationOf(request), ...init });
}

export function newCounters(): ClientCounters {
  return { requests: 0, retries: 0, logins: 0, refreshes: 0, errors: {} };
}

/** The options both clients share, each with its own defaults. */
export interface CommonClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  maxRequestsPerSecond?: number;
  maxConcurrency?: number;
  maxRetryAfterPauseMs?: number;
  fetch?: FetchLike;
  now?: () => number;
  onExchange?: ExchangeObserver | undefined;
}

/**
 * The plumbing every client starts with: a checked base URL, counters, the rate and concurrency limiter,
 * and the transport, from the caller's options over the system's defaults.
 */
export function createUpstream(
  system: UpstreamSystem,
  options: CommonClientOptions,
  defaults: {
    timeoutMs: number;
    maxRequestsPerSecond: number;
    maxConcurrency: number;
    maxRetryAfterPauseMs: number;
  },
  errorDetails: (status: number, body: unknown) => string[],
): { baseUrl: string; now: () => number; counters: ClientCounters; limiter: Limiter; send: Send } {
  const baseUrl = parseBaseUrl(system, options.baseUrl);
  const now = options.now ?? Date.now;
  const counters = newCounters();
  const limiter = createLimiter({
    maxPerSecond: options.maxRequestsPerSecond ?? defaults.maxRequestsPerSecond,
    maxConcurrency: options.maxConcurrency ?? defaults.maxConcurrency,
  });
  const send = createTransport({
    system,
    baseUrl,
    timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
    fetch: options.fetch ?? globalThis.fetch,
    now,
    limiter,
    maxRetryAfterPauseMs: options.maxRetryAfterPauseMs ?? defaults.maxRetryAfterPauseMs,
    counters,
    errorDetails,
    onExchange: options.onExchange,
  });
  return { baseUrl, now, counters, limiter, send };
}
