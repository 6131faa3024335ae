import { countingDeadLetterOperations, deadLetterAdminRoutes } from '@pos/messaging/test-support';
import { createLogger, createMetricsRegistry, pollerMetrics } from '@pos/runtime';
import { describeAdminSurface } from '@pos/testkit';

import { buildApp } from '../src/http/app.ts';

describeAdminSurface('oscar-poller', {
  adminRoutes: [
    { method: 'POST', url: '/admin/poll' },
    { method: 'GET', url: '/admin/status' },
    ...deadLetterAdminRoutes,
  ],
  build: (adminToken) => {
    let effects = 0;
    const registry = createMetricsRegistry('oscar-poller', { defaultMetrics: false });
    pollerMetrics(registry, { intervalMs: 30_000 });
    const app = buildApp({
      logger: createLogger({ service: 'oscar-poller', level: 'silent' }),
      readiness: { accepting: true, checks: {} },
      adminToken,
      metrics: registry,
      deadLetters: countingDeadLetterOperations(() => {
        effects += 1;
      }),
      pollLoop: {
        trigger: async () => {
          effects += 1;
          return { read: 0, emitted: 0, rejected: 0 };
        },
        status: () => {
          effects += 1;
          return { running: false };
        },
      },
    });
    return { app, effects: () => effects };
  },
});
