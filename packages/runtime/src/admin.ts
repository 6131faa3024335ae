import type { FastifyInstance } from 'fastify';

import { registerAdminRoutes } from './admin-auth.ts';
import type { Readiness } from './health.ts';

/** What the admin routes need of a poll loop. */
export interface PollControl {
  trigger: () => Promise<object>;
  status: () => object;
}

/**
 * `POST /admin/poll` polls now — the legacy "Run now" button — and answers with what the poll read,
 * emitted and rejected (502 with the reason when it failed); `GET /admin/status` shows the loop's state.
 * Both require `authorization: Bearer <ADMIN_TOKEN>` (`registerAdminRoutes`).
 */
export function registerPollAdminRoutes(
  app: FastifyInstance,
  deps: {
    readiness: Readiness;
    pollLoop?: PollControl | undefined;
    adminToken: string;
    /** More of the service's state for `GET /admin/status`, each under its own key (e.g. `webhooks`). */
    status?: (() => Record<string, unknown>) | undefined;
  },
): void {
  registerAdminRoutes(app, deps.adminToken, (admin) => {
    admin.post('/admin/poll', async (_request, reply) => {
      if (!deps.pollLoop || !deps.readiness.accepting) return reply.code(503).send({ error: 'not ready' });
      try {
        return { status: 'done', ...(await deps.pollLoop.trigger()) };
      } catch (error) {
        return reply
          .code(502)
          .send({ status: 'failed', error: error instanceof Error ? error.message : 'unknown error' });
      }
    });
    admin.get('/admin/status', async () => ({ poll: deps.pollLoop?.status() ?? null, ...deps.status?.() }));
  });
}
