import type { PollControl, Readiness } from '@pos/runtime';
import { registerHealthRoutes, registerPollAdminRoutes } from '@pos/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

export interface AppDeps {
  logger: FastifyBaseLogger;
  readiness: Readiness;
  /** Absent until start-up has connected and the poll loop runs (and in tests of health alone). */
  pollLoop?: PollControl | undefined;
}

/** The oscar-poller HTTP surface: health, and the admin routes. Listened on only in main.ts. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger });
  registerHealthRoutes(app, deps.readiness);
  registerPollAdminRoutes(app, deps);
  return app;
}
