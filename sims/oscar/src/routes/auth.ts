import type { FastifyInstance } from 'fastify';

import { isRecord } from '../core/rails-params.ts';
import { authenticate, signIn, signOut, userJson } from '../state/auth.ts';
import type { Store } from '../state/store.ts';
import { presentedCredentials } from './guard.ts';

const signInPath = '/api/v1/admin_auth/sign_in';

/** devise_token_auth 0.1.43 routes of the `AdminUser` mapping (docs/upstream/oscar.md §1). */
export function registerAuthRoutes(app: FastifyInstance, store: Store): void {
  app.post(signInPath, async (request, reply) => {
    const params = {
      ...(isRecord(request.query) ? request.query : {}),
      ...(isRecord(request.body) ? request.body : {}),
    };
    const result = signIn(store, params.email, params.password);
    if (!result) {
      return reply
        .code(401)
        .send({ success: false, errors: ['Invalid login credentials. Please try again.'] });
    }
    return reply.headers(result.headers).send({ data: userJson(result.user) });
  });

  app.get(signInPath, async (_request, reply) =>
    reply.code(405).send({ success: false, errors: ['Use POST /sign_in to sign in. GET is not supported.'] }),
  );

  app.get('/api/v1/admin_auth/validate_token', async (request, reply) => {
    const result = authenticate(store, presentedCredentials(request));
    if (!result) return reply.code(401).send({ success: false, errors: ['Invalid login credentials'] });
    return reply.headers(result.headers).send({ success: true, data: userJson(result.user) });
  });

  app.delete('/api/v1/admin_auth/sign_out', async (request, reply) => {
    if (!signOut(store, presentedCredentials(request))) {
      return reply.code(404).send({ success: false, errors: ['User was not found or was not logged in.'] });
    }
    return { success: true };
  });
}
