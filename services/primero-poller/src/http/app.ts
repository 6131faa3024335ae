import type { PollLoop } from '@pos/messaging';
import type { Readiness } from '@pos/runtime';
import { registerHealthRoutes } from '@pos/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

export interface AppDeps {
  logger: FastifyBaseLogger;
  readiness: Readiness;
  /** Absent until the poll loop runs (e.g. in tests of health alone). */
  pollLoop?: Pick<PollLoop, 'trigger' | 'status'>;
}

/** The primero-poller HTTP surface: health, and the admin routes. Listened on only in main.ts. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger });
  registerHealthRoutes(app, deps.readiness);

  /** Polls now — the legacy "Run now" button. Answers with what the poll read, emitted and rejected. */
  app.post('/admin/poll', async (_request, reply) => {
    if (!deps.pollLoop || !deps.readiness.accepting) return reply.code(503).send({ error: 'not ready' });
    try {
      return { status: 'done', ...(await deps.pollLoop.trigger()) };
    } catch (error) {
      return reply
        .code(502)
        .send({ status: 'failed', error: error instanceof Error ? error.message : 'unknown error' });
    }
  });

  app.get('/admin/status', async () => ({ poll: deps.pollLoop?.status() ?? null }));
  return app;
}
