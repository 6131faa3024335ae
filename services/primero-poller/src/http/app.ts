import type { DeadLetterOperations } from '@pos/messaging';
import { registerDeadLetterRoutes } from '@pos/messaging';
import type { PollControl, Readiness, Registry } from '@pos/runtime';
import { registerHealthRoutes, registerMetricsRoute, registerPollAdminRoutes } from '@pos/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

import type { WebhookFigures } from '../adapters/targeted-read.loop.ts';
import { registerWebhookRoute, type WebhookReceiverDeps } from './webhook.route.ts';

export interface AppDeps {
  logger: FastifyBaseLogger;
  readiness: Readiness;
  /** Absent until start-up has connected and the poll loop runs (and in tests of health alone). */
  pollLoop?: PollControl | undefined;
  /** `ADMIN_TOKEN`: the bearer token every /admin/ route requires; empty = they answer 503. */
  adminToken: string;
  /** This service's dead letters (the operations `pnpm dlq` runs); absent until start-up has connected. */
  deadLetters?: DeadLetterOperations | undefined;
  /** The process's metrics registry, served on the open `GET /metrics` (absent in tests of health alone). */
  metrics?: Registry | undefined;
  /** The webhook receiver (`POST /webhooks/primero`), when `WEBHOOK_SECRET` is set. */
  webhooks?: (WebhookReceiverDeps & { figures: () => WebhookFigures }) | undefined;
}

/**
 * The primero-poller HTTP surface: health and metrics (open), and the admin routes (bearer token): its status
 * and its dead letters. Listened on only in main.ts.
 */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger });
  registerHealthRoutes(app, deps.readiness);
  if (deps.metrics) registerMetricsRoute(app, deps.metrics);
  registerPollAdminRoutes(app, {
    readiness: deps.readiness,
    adminToken: deps.adminToken,
    // A getter, as main.ts's: the poll loop exists only once start-up has connected.
    get pollLoop() {
      return deps.pollLoop;
    },
    status: () => ({ webhooks: webhookStatus(deps.webhooks) }),
  });
  if (deps.webhooks) registerWebhookRoute(app, deps.webhooks);
  registerDeadLetterRoutes(app, {
    service: 'primero-poller',
    adminToken: deps.adminToken,
    get deadLetters() {
      return deps.deadLetters;
    },
  });
  return app;
}

/** `GET /admin/status` → `webhooks`: the reconciliation figures, or that the receiver is off. */
function webhookStatus(webhooks: AppDeps['webhooks']): Record<string, unknown> {
  return webhooks ? { enabled: true, ...webhooks.figures() } : { enabled: false };
}
