import { defineConfig } from 'vitest/config';

/**
 * Tests by tier (STYLE.md): `*.unit.spec.ts` are pure and fast; `*.int.spec.ts` talk to real Postgres and
 * RabbitMQ (one database and one vhost per spec file, see packages/testkit); `*.e2e.spec.ts` run whole
 * services against both simulators; `*.faults.spec.ts` is the fault suite, run on its own (`pnpm test:faults`).
 */
const exclude = ['**/node_modules/**', '**/.toolchain/**', '**/.tsbuild/**'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.unit.spec.ts'],
          exclude,
        },
      },
      {
        test: {
          name: 'int',
          include: ['**/*.int.spec.ts'],
          exclude,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['**/*.e2e.spec.ts'],
          exclude,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The fault suite restarts the machine's RabbitMQ and PostgreSQL: never beside the other tiers.
        test: {
          name: 'faults',
          include: ['**/*.faults.spec.ts'],
          exclude,
          globalSetup: ['packages/testkit/src/global-setup.ts'],
          testTimeout: 3_600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
