import { createHash, timingSafeEqual } from 'node:crypto';

import type { AdminUser } from '../core/model.ts';
import type { Store } from './store.ts';

/** devise_token_auth settings of OSCaR: `token_lifespan = 1.week`, `max_number_of_devices = 10`. */
export const tokenLifespanSeconds = 7 * 24 * 3600;
export const maxDevices = 10;

/** A type alias (not an interface) so it fits Fastify's header record. */
export type AuthHeaders = {
  'access-token': string;
  'token-type': 'Bearer';
  client: string;
  expiry: string;
  uid: string;
};

/**
 * Signs the API user in: a new client id ("device") with a new token, no rotation. Past ten devices the one that
 * expires first is dropped. Email matching is case-insensitive; a missing password fails.
 */
export function signIn(
  store: Store,
  email: unknown,
  password: unknown,
): { user: AdminUser; headers: AuthHeaders } | null {
  if (typeof email !== 'string' || typeof password !== 'string' || password === '') return null;
  const user = store.admin;
  if (email.trim().toLowerCase() !== user.email || !safeEqual(password, user.password)) return null;
  const client = store.ids.newToken();
  const token = store.ids.newToken();
  const expiry = Math.floor(store.now().getTime() / 1000) + tokenLifespanSeconds;
  user.tokens.set(client, { tokenHash: hashToken(token), expiry });
  while (user.tokens.size > maxDevices) {
    let oldest: [string, number] | undefined;
    for (const [id, saved] of user.tokens) {
      if (!oldest || saved.expiry < oldest[1]) oldest = [id, saved.expiry];
    }
    if (!oldest) break;
    user.tokens.delete(oldest[0]);
  }
  return { user, headers: headersFor(user, client, token, expiry) };
}

export interface PresentedCredentials {
  accessToken: string | undefined;
  client: string | undefined;
  uid: string | undefined;
}

/**
 * Checks a request's `access-token`/`client`/`uid`: user by uid, then the token saved under `client` (a missing
 * client means `default`, under which nothing is saved), then `expiry > now`.
 */
export function authenticate(
  store: Store,
  credentials: PresentedCredentials,
): { user: AdminUser; headers: AuthHeaders } | null {
  const user = store.admin;
  if (credentials.uid === undefined || credentials.uid !== user.uid) return null;
  if (credentials.accessToken === undefined) return null;
  const client = credentials.client ?? 'default';
  const saved = user.tokens.get(client);
  if (!saved) return null;
  if (!safeEqual(hashToken(credentials.accessToken), saved.tokenHash)) return null;
  if (saved.expiry <= Math.floor(store.now().getTime() / 1000)) return null;
  return { user, headers: headersFor(user, client, credentials.accessToken, saved.expiry) };
}

/** Drops the presented client id. False when the credentials do not identify a signed-in device. */
export function signOut(store: Store, credentials: PresentedCredentials): boolean {
  const authenticated = authenticate(store, credentials);
  if (!authenticated) return false;
  authenticated.user.tokens.delete(authenticated.headers.client);
  return true;
}

/** The admin user as the sign-in body shows it: the row minus tokens and timestamps. */
export function userJson(user: AdminUser): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    token: null,
    first_name: user.firstName,
    last_name: user.lastName,
    provider: user.provider,
    uid: user.uid,
    role: user.role,
  };
}

function headersFor(user: AdminUser, client: string, token: string, expiry: number): AuthHeaders {
  return { 'access-token': token, 'token-type': 'Bearer', client, expiry: String(expiry), uid: user.uid };
}

/** The server keeps a bcrypt hash; SHA-256 keeps the simulator fast and still never stores the token. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
