import { isRecord } from './json.ts';
import type { UpstreamError } from './upstream-error.ts';
import type { ClientCounters, HttpRequest, HttpResponse, Send } from './upstream-http.ts';
import { upstreamFailure } from './upstream-http.ts';

/** How the Primero client authenticates every request. */
export interface PrimeroAuth {
  /** The `Authorization` header for the next request; logs in or refreshes first when needed. */
  header(): Promise<string>;
  /**
   * Reports that `header` was refused with a 401. Returns true when a retry with a fresh login may help
   * (JWT: the token is dropped so the next `header()` logs in again); false for Basic, where nothing changes.
   */
  rejected(header: string): boolean;
}

export interface JwtAuthOptions {
  user: string;
  password: string;
  send: Send;
  counters: ClientCounters;
  now: () => number;
  /** Refresh when less than this is left (capped at half the token's lifetime). */
  refreshBeforeExpiryMs: number;
}

interface TokenState {
  token: string;
  /** Local clock, ms. */
  expiresAt: number;
  refreshAt: number;
}

const tokensPath = '/api/v2/tokens';
/** Primero's JWT lifetime (devise-jwt `expiration_time`), assumed when a token carries no usable claims. */
const defaultLifetimeMs = 60 * 60 * 1000;

/** HTTP Basic: stateless, the only machine-to-machine option for native users from Primero v2.11 on. */
export function basicAuth(user: string, password: string): PrimeroAuth {
  const header = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
  return { header: async () => header, rejected: () => false };
}

/**
 * JWT via `POST /api/v2/tokens` (Primero ≤ 2.10). Logs in lazily; refreshes (`POST /api/v2/tokens` with
 * the current Bearer and no body) when the token nears expiry, and logs in again if the refresh fails.
 * Concurrent callers share one login or refresh. Login and refresh requests ignore callers' abort signals
 * because their result is shared; they are still bounded by the timeout.
 */
export function jwtAuth(options: JwtAuthOptions): PrimeroAuth {
  let current: TokenState | undefined;
  let renewing: Promise<TokenState> | undefined;

  async function obtain(request: HttpRequest, what: 'login' | 'refresh'): Promise<TokenState> {
    const response = await options.send(request);
    const token = tokenOf(response);
    if (token === undefined) throw noToken(request, response, what);
    return tokenState(token, options.now(), options.refreshBeforeExpiryMs);
  }

  function login(): Promise<TokenState> {
    options.counters.logins += 1;
    return obtain(
      {
        method: 'POST',
        template: tokensPath,
        path: tokensPath,
        body: { user: { user_name: options.user, password: options.password } },
      },
      'login',
    );
  }

  async function renew(previous: TokenState | undefined): Promise<TokenState> {
    if (previous !== undefined && options.now() < previous.expiresAt) {
      options.counters.refreshes += 1;
      try {
        return await obtain(
          {
            method: 'POST',
            template: tokensPath,
            path: tokensPath,
            headers: { authorization: bearer(previous.token) },
          },
          'refresh',
        );
      } catch {
        // Revoked, or the server refused the refresh: a fresh login is the way back either way.
      }
    }
    return login();
  }

  function noToken(request: HttpRequest, response: HttpResponse, what: string): UpstreamError {
    return upstreamFailure('primero', options.counters, request, {
      code: 'AUTH_FAILED',
      status: response.status,
      retryable: false,
      details: [
        `${what} succeeded but returned no token in the body or the Authorization header; Primero 2.11 and later issue none: set auth to 'basic'`,
      ],
    });
  }

  return {
    async header() {
      if (current !== undefined && options.now() < current.refreshAt) return bearer(current.token);
      renewing ??= renew(current)
        .then((state) => (current = state))
        .finally(() => {
          renewing = undefined;
        });
      return bearer((await renewing).token);
    },
    rejected(header) {
      if (current !== undefined && bearer(current.token) === header) current = undefined;
      return true;
    },
  };
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** The token from the body (`token`, v2.0–v2.10) or else from the `Authorization: Bearer` response header. */
function tokenOf(response: HttpResponse): string | undefined {
  const body = response.body;
  if (isRecord(body) && typeof body.token === 'string' && body.token !== '') return body.token;
  const header = response.headers.get('authorization');
  const match = header === null ? null : /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}

/**
 * Reads `iat`/`exp` without verifying the signature (the server does that). The lifetime `exp − iat` is laid
 * on the local clock so clock skew between us and Primero cannot make a token look fresh when it is not.
 */
export function tokenState(token: string, now: number, refreshBeforeExpiryMs: number): TokenState {
  const claims = decodeJwtClaims(token);
  const exp = claims?.exp;
  const iat = claims?.iat;
  const lifetime =
    typeof exp === 'number' && typeof iat === 'number' && exp > iat
      ? (exp - iat) * 1000
      : typeof exp === 'number'
        ? Math.max(0, exp * 1000 - now)
        : defaultLifetimeMs;
  const expiresAt = now + lifetime;
  return { token, expiresAt, refreshAt: expiresAt - Math.min(refreshBeforeExpiryMs, lifetime / 2) };
}

export function decodeJwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (payload === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return isRecord(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}
