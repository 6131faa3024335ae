import { countingDeadLetterOperations, deadLetterAdminRoutes } from '@pos/messaging/test-support';
import { createLogger, createMetricsRegistry, writerMetrics } from '@pos/runtime';
import { describeAdminSurface } from '@pos/testkit';

import { buildApp } from '../src/http/app.ts';

describeAdminSurface('primero-writer', {
  adminRoutes: [{ method: 'GET', url: '/admin/status' }, ...deadLetterAdminRoutes],
  build: (adminToken) => {
    let effects = 0;
    const registry = createMetricsRegistry('primero-writer', { defaultMetrics: false });
    writerMetrics(registry);
    const app = buildApp({
      logger: createLogger({ service: 'primero-writer', level: 'silent' }),
      readiness: { accepting: true, checks: {} },
      adminToken,
      metrics: registry,
      deadLetters: countingDeadLetterOperations(() => {
        effects += 1;
      }),
      consumer: {
        stats: () => {
          effects += 1;
          return { applied: 0 };
        },
      },
    });
    return { app, effects: () => effects };
  },
});
