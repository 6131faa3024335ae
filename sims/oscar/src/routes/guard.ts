import type { FastifyReply, FastifyRequest } from 'fastify';

import type { AdminUser } from '../core/model.ts';
import { isRecord } from '../core/rails-params.ts';
import type { PresentedCredentials } from '../state/auth.ts';
import { authenticate } from '../state/auth.ts';
import type { Store } from '../state/store.ts';

export const authHeaderNames = ['access-token', 'token-type', 'client', 'expiry', 'uid'] as const;

/** devise's 401 on a protected endpoint; note it has no `success` key. */
export const unauthorizedBody = { errors: ['You need to sign in or sign up before continuing.'] };

/**
 * The three credentials, from headers first, then from params (query string, then body), as
 * devise_token_auth 0.1.43 falls back to params.
 */
export function presentedCredentials(request: FastifyRequest): PresentedCredentials {
  const query = isRecord(request.query) ? request.query : {};
  const body = isRecord(request.body) ? request.body : {};
  const pick = (name: string): string | undefined => {
    for (const value of [request.headers[name], query[name], body[name]]) {
      if (typeof value === 'string') return value;
    }
    return undefined;
  };
  return { accessToken: pick('access-token'), client: pick('client'), uid: pick('uid') };
}

/**
 * `before_action :authenticate_admin_user!`. On success the same credentials are echoed in the response headers
 * (no rotation); on failure the 401 is sent and null returned.
 */
export function requireAdmin(store: Store, request: FastifyRequest, reply: FastifyReply): AdminUser | null {
  const result = authenticate(store, presentedCredentials(request));
  if (!result) {
    void reply.code(401).send(unauthorizedBody);
    return null;
  }
  void reply.headers(result.headers);
  return result.user;
}
