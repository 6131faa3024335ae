import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import { verifyPassword } from '../auth/password-hash.ts';
import { lockedFor, recordFailure, recordSuccess, type ThrottleState } from '../core/login-throttle.ts';
import { isLanguage } from '../core/messages.ts';
import { loginPage } from '../views/login.view.ts';
import type { AppDeps } from './app.ts';
import { field, languageOf, pageContext, redirectWith, safeLocal, sendPage } from './context.ts';

/**
 * Sign-in, sign-out and the language switch. One operator account, from the environment
 * (`CONSOLE_USER`, `CONSOLE_PASSWORD_HASH`); a new session id at sign-in (no fixation), the session
 * deleted from the store at sign-out. Wrong passwords are slowed down per address (core/login-throttle.ts).
 */
export function registerAuthRoutes(app: FastifyInstance, deps: AppDeps): void {
  const throttle: ThrottleState = new Map();
  const expectedUser = digest(deps.auth.user);
  const now = () => (deps.now ?? (() => new Date()))().getTime();

  app.get('/login', async (request, reply) => {
    const next = safeLocal((request.query as { next?: string }).next);
    if (request.session.user) return reply.redirect(next, 303);
    return sendPage(reply, loginPage(pageContext(request, reply, deps), { next }));
  });

  app.post('/login', async (request, reply) => {
    const user = field(request.body, 'user');
    const password =
      typeof (request.body as { password?: unknown })?.password === 'string'
        ? (request.body as { password: string }).password
        : '';
    const next = safeLocal(field(request.body, 'next'));
    const waitMs = lockedFor(throttle, request.ip, now());
    if (waitMs > 0) {
      request.log.warn({ ip: request.ip }, 'sign-in refused: too many wrong passwords from this address');
      const ctx = pageContext(request, reply, deps);
      ctx.notice = { kind: 'error', key: 'auth.tooMany', values: { minutes: Math.ceil(waitMs / 60_000) } };
      return sendPage(reply, loginPage(ctx, { user, next }), 429);
    }
    // Both checks always run, so the answer takes as long whichever was wrong.
    const userMatches = timingSafeEqual(digest(user), expectedUser);
    const passwordMatches = await verifyPassword(password, deps.auth.passwordHash);
    if (!userMatches || !passwordMatches) {
      recordFailure(throttle, request.ip, now());
      request.log.warn({ ip: request.ip }, 'sign-in refused: wrong user name or password');
      const ctx = pageContext(request, reply, deps);
      ctx.notice = { kind: 'error', key: 'auth.wrong' };
      return sendPage(reply, loginPage(ctx, { user, next }), 401);
    }
    recordSuccess(throttle, request.ip);
    const language = languageOf(request);
    await request.session.regenerate();
    request.session.user = deps.auth.user;
    request.session.language = language;
    request.log.info({ actor: deps.auth.user }, 'signed in');
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    const actor = request.session.user;
    await request.session.destroy();
    if (actor) request.log.info({ actor }, 'signed out');
    return reply.redirect('/login', 303);
  });

  app.post('/language', async (request, reply) => {
    const language = field(request.body, 'language');
    if (isLanguage(language)) request.session.language = language;
    return redirectWith(request, reply, field(request.body, 'back') || '/');
  });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
