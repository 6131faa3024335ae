import './provided.ts';

import type { TestProject } from 'vitest/node';

import { startInfrastructure } from './infrastructure.ts';

/**
 * Vitest global setup for the `int` and `e2e` tiers: makes sure a Postgres and a RabbitMQ are reachable
 * (from DATABASE_URL / AMQP_URL, else testcontainers) and hands their URLs to every spec file.
 */
export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infra = await startInfrastructure();
  project.provide('databaseUrl', infra.databaseUrl);
  project.provide('amqpUrl', infra.amqpUrl);
  project.provide('amqpManagementUrl', infra.amqpManagementUrl);
  return infra.stop;
}
