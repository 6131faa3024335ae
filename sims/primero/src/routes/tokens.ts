import type { FastifyInstance, FastifyReply } from 'fastify';

import type { AuthOutcome } from '../auth/authenticator.ts';
import { messages } from '../auth/authenticator.ts';
import { sendUnauthorized } from '../http/errors.ts';
import type { SimContext } from '../sim-context.ts';
import type { User } from '../state/directory.ts';

/**
 * `POST /api/v2/tokens` (Devise sessions + devise-jwt) and `DELETE /api/v2/tokens`. Strategies run in
 * Devise's order: a Bearer header (≤ v2.10; a bad one fails the request even with good credentials in
 * the body), then `user[user_name]`/`user[password]`, then HTTP Basic. rack-attack throttles the
 * request first (6 per minute per user name, 429 text/plain).
 */
export function registerTokenRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/api/v2/tokens', async (request, reply) => {
    const credentials = loginParams(request.body);
    if (credentials?.userName !== undefined && ctx.auth.loginThrottled(credentials.userName)) {
      return reply.code(429).type('text/plain').send('Retry later\n');
    }
    const outcome = authenticate(ctx, request.headers, credentials);
    if (!outcome.ok) return sendUnauthorized(reply, outcome.message);
    return signIn(ctx, reply, outcome.user);
  });

  app.delete('/api/v2/tokens', async (request) => {
    const bearer = ctx.auth.bearer(request.headers);
    if (bearer?.ok === true && bearer.jti !== undefined) ctx.auth.revoke(bearer.jti);
    return {};
  });
}

interface LoginParams {
  readonly userName: string | undefined;
  readonly password: string | undefined;
}

function loginParams(body: unknown): LoginParams | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const user = (body as Record<string, unknown>).user;
  if (typeof user !== 'object' || user === null) return undefined;
  const { user_name: userName, password } = user as Record<string, unknown>;
  return {
    userName: typeof userName === 'string' || typeof userName === 'number' ? String(userName) : undefined,
    password: typeof password === 'string' || typeof password === 'number' ? String(password) : undefined,
  };
}

function authenticate(
  ctx: SimContext,
  headers: Parameters<SimContext['auth']['authenticate']>[0],
  credentials: LoginParams | undefined,
): AuthOutcome {
  const viaBearer = ctx.auth.bearer(headers);
  if (viaBearer !== undefined) return viaBearer;
  const { userName, password } = credentials ?? {};
  if (userName !== undefined && userName.trim() !== '' && password !== undefined && password !== '') {
    return ctx.auth.checkPassword(userName, password);
  }
  if (headers.authorization !== undefined && /^Basic\s+/i.test(headers.authorization)) {
    return ctx.auth.authenticate(headers);
  }
  return { ok: false, message: messages.unauthenticated };
}

function signIn(ctx: SimContext, reply: FastifyReply, user: User): FastifyReply {
  if (!ctx.flags.tokenInLoginBody) {
    // v2.11+: a Rails session cookie instead of a JWT (the simulator does not accept it; use Basic auth).
    reply.header('set-cookie', `_primero_session=${ctx.newId()}; path=/; HttpOnly; SameSite=Lax`);
    return reply.send({ id: user.id, user_name: user.userName });
  }
  const token = ctx.auth.issueToken(user);
  reply.header('authorization', `Bearer ${token}`);
  reply.header('set-cookie', `primero_token=${token}; path=/; HttpOnly; SameSite=Strict`);
  return reply.send({ id: user.id, user_name: user.userName, token });
}
