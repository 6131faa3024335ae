import type { Consumer } from '@pos/messaging';
import type { Readiness } from '@pos/runtime';
import { registerHealthRoutes } from '@pos/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

export interface AppDeps {
  logger: FastifyBaseLogger;
  readiness: Readiness;
  /** Absent until start-up has connected and the consumer runs. */
  consumer?: Pick<Consumer, 'stats'> | undefined;
}

/** The primero-writer HTTP surface: health, and the admin routes. Listened on only in main.ts. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger });
  registerHealthRoutes(app, deps.readiness);
  /** Messages handled since start, by outcome (applied, skipped, duplicate, stale, retried, dead-lettered). */
  app.get('/admin/status', async () => ({ consumer: deps.consumer?.stats() ?? null }));
  return app;
}
