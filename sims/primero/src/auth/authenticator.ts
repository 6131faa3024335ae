import type { IncomingHttpHeaders } from 'node:http';

import type { VersionFlags } from '../core/version.ts';
import type { Directory, User } from '../state/directory.ts';
import { normalizeLogin } from '../state/directory.ts';
import { signJwt, verifyJwt } from './jwt.ts';

/**
 * Devise as Primero configures it (v2.5.7): database and HTTP Basic authentication, devise-jwt tokens
 * with a jti allowlist, Lockable (6 failed passwords lock the account for 30 minutes), and the
 * rack-attack login throttle (6 requests per minute per user name).
 */

export const messages = {
  unauthenticated: 'You need to sign in or sign up before continuing.',
  invalid: 'Invalid User name or password.',
  locked: 'Your account is locked.',
  revoked: 'Warden::JWTAuth::Errors::RevokedToken',
  nilUser: 'Warden::JWTAuth::Errors::NilUser',
} as const;

export const maximumAttempts = 6;
export const unlockInMs = 30 * 60_000;
export const loginThrottleLimit = 6;
export const loginThrottlePeriodSeconds = 60;

export type AuthOutcome =
  | { readonly ok: true; readonly user: User; readonly jti?: string }
  | { readonly ok: false; readonly message: string };

export interface AuthenticatorOptions {
  readonly directory: Directory;
  readonly flags: VersionFlags;
  readonly now: () => number;
  readonly ttlSeconds: number;
  readonly secret: Buffer;
  readonly newId: () => string;
}

export interface Authenticator {
  /** Password check with Devise Lockable; counts a failure, and locks on the sixth. */
  checkPassword(userName: string, password: string): AuthOutcome;
  /** Issues a JWT and adds its jti to the allowlist. */
  issueToken(user: User): string;
  /** The credentials of a request to a protected endpoint: Bearer (≤ v2.10), Basic, or the `primero_token` cookie. */
  authenticate(headers: IncomingHttpHeaders): AuthOutcome;
  /** Only a Bearer token (for the refresh call `POST /api/v2/tokens` without a body). */
  bearer(headers: IncomingHttpHeaders): AuthOutcome | undefined;
  /** Counts a login request for rack-attack; true when it is over the limit. */
  loginThrottled(userName: string): boolean;
  revoke(jti: string): void;
  /** Forgets lockouts and throttle counters (tokens stay valid). */
  reset(): void;
  readonly activeTokens: number;
}

interface Lockout {
  failedAttempts: number;
  lockedAt: number | undefined;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { directory, flags, now } = options;
  const allowlist = new Map<string, number>();
  const lockouts = new Map<number, Lockout>();
  const throttle = new Map<string, { window: number; count: number }>();

  const lockoutOf = (user: User): Lockout => {
    let lockout = lockouts.get(user.id);
    if (lockout === undefined) {
      lockout = { failedAttempts: 0, lockedAt: undefined };
      lockouts.set(user.id, lockout);
    }
    if (lockout.lockedAt !== undefined && lockout.lockedAt + unlockInMs < now()) {
      lockout.lockedAt = undefined;
      lockout.failedAttempts = 0;
    }
    return lockout;
  };

  const checkPassword = (userName: string, password: string): AuthOutcome => {
    const user = directory.findForLogin(userName);
    if (user === undefined || user.disabled) return { ok: false, message: messages.invalid };
    const lockout = lockoutOf(user);
    if (password === user.password && lockout.lockedAt === undefined) {
      lockout.failedAttempts = 0;
      return { ok: true, user };
    }
    lockout.failedAttempts += 1;
    if (lockout.failedAttempts >= maximumAttempts) lockout.lockedAt ??= now();
    return { ok: false, message: lockout.lockedAt === undefined ? messages.invalid : messages.locked };
  };

  const bearerToken = (token: string): AuthOutcome => {
    const result = verifyJwt(token, options.secret, Math.floor(now() / 1000));
    if (!result.ok) return { ok: false, message: result.message };
    const user = directory.findById(Number(result.claims.sub));
    if (user === undefined) return { ok: false, message: messages.nilUser };
    const expiry = allowlist.get(result.claims.jti);
    if (expiry === undefined) return { ok: false, message: messages.revoked };
    if (lockoutOf(user).lockedAt !== undefined) return { ok: false, message: messages.locked };
    return { ok: true, user, jti: result.claims.jti };
  };

  const bearer = (headers: IncomingHttpHeaders): AuthOutcome | undefined => {
    if (!flags.bearerAccepted) return undefined;
    const authorization = headers.authorization;
    if (authorization !== undefined && /^Bearer\s+/i.test(authorization)) {
      return bearerToken(authorization.replace(/^Bearer\s+/i, '').trim());
    }
    if (authorization === undefined) {
      const cookie = readCookie(headers.cookie, 'primero_token');
      if (cookie !== undefined) return bearerToken(cookie);
    }
    return undefined;
  };

  return {
    checkPassword,
    issueToken(user) {
      const iat = Math.floor(now() / 1000);
      const jti = options.newId();
      const exp = iat + options.ttlSeconds;
      for (const [key, expiry] of allowlist) if (expiry <= iat) allowlist.delete(key);
      allowlist.set(jti, exp);
      return signJwt({ sub: String(user.id), scp: 'user', aud: null, iat, exp, jti }, options.secret);
    },
    authenticate(headers) {
      const viaBearer = bearer(headers);
      if (viaBearer !== undefined) return viaBearer;
      const authorization = headers.authorization;
      if (authorization !== undefined && /^Basic\s+/i.test(authorization)) {
        const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon === -1) return { ok: false, message: messages.unauthenticated };
        return checkPassword(decoded.slice(0, colon), decoded.slice(colon + 1));
      }
      return { ok: false, message: messages.unauthenticated };
    },
    bearer,
    loginThrottled(userName) {
      const key = normalizeLogin(userName);
      const window = Math.floor(now() / 1000 / loginThrottlePeriodSeconds);
      const entry = throttle.get(key);
      if (entry === undefined || entry.window !== window) {
        throttle.set(key, { window, count: 1 });
        return false;
      }
      entry.count += 1;
      return entry.count > loginThrottleLimit;
    },
    revoke(jti) {
      allowlist.delete(jti);
    },
    reset() {
      lockouts.clear();
      throttle.clear();
    },
    get activeTokens() {
      const nowSeconds = Math.floor(now() / 1000);
      let count = 0;
      for (const expiry of allowlist.values()) if (expiry > nowSeconds) count += 1;
      return count;
    },
  };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}
