import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

import { defineEnv } from './config.ts';

/** Shortest admin token accepted: a guessable one would make the guard decoration. */
export const minAdminTokenLength = 16;

/** The admin routes' credential, read by every service. */
export const adminEnv = defineEnv({
  ADMIN_TOKEN: {
    schema: z
      .string()
      .refine(
        (value) => value === '' || value.trim().length >= minAdminTokenLength,
        `must be empty or at least ${minAdminTokenLength} characters`,
      ),
    description:
      'Bearer token the /admin/ routes require (`authorization: Bearer <token>`); empty = the admin routes answer 503 (health and /metrics stay open)',
    default: '',
    secret: true,
    hint: 'generate one with `openssl rand -hex 32`',
  },
});

/**
 * Registers routes that require `authorization: Bearer <ADMIN_TOKEN>`: every route added inside `routes`
 * gets the guard, in a scope of its own, so an admin route cannot be added without it.
 *
 * - no token configured (`ADMIN_TOKEN` empty): 503 `ADMIN_TOKEN not configured` — closed, not open;
 * - no or another credential: 401 with `www-authenticate: Bearer`, and the route's handler never runs.
 *
 * The comparison takes the same time whatever the token sent: both sides are hashed to 32 bytes first,
 * so neither a prefix nor the length is learnt from the timing.
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  token: string,
  routes: (admin: FastifyInstance) => void,
): void {
  const configured = token.trim();
  const expected = configured === '' ? null : digest(configured);
  if (expected === null && !warned.has(app)) {
    // Once per app, however many groups of admin routes it registers.
    warned.add(app);
    app.log.warn('ADMIN_TOKEN is not set: the /admin/ routes answer 503 until it is');
  }
  void app.register(async (admin) => {
    admin.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (expected === null) {
        return reply.code(503).send({
          error: 'ADMIN_TOKEN not configured: set ADMIN_TOKEN to enable the admin routes',
        });
      }
      const presented = bearerToken(request.headers.authorization);
      if (presented === null || !timingSafeEqual(digest(presented), expected)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="admin"')
          .send({ error: 'unauthorized: send authorization: Bearer <ADMIN_TOKEN>' });
      }
      return undefined;
    });
    routes(admin);
  });
}

const warned = new WeakSet<FastifyInstance>();

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}
