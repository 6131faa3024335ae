import type { Readiness } from '@pos/runtime';
import { registerHealthRoutes } from '@pos/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

export interface AppDeps {
  logger: FastifyBaseLogger;
  readiness: Readiness;
}

/** The primero-poller HTTP surface: health now, admin routes next to it. Listened on only in main.ts. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger });
  registerHealthRoutes(app, deps.readiness);
  return app;
}
