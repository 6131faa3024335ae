import type pg from 'pg';

import { type BrokerConnection, connectBroker } from './broker.ts';
import type { Readiness } from './health.ts';
import type { Logger } from './logger.ts';
import { createPool, pingPostgres } from './postgres.ts';
import type { ShutdownStage } from './shutdown.ts';
import { waitForServer } from './wait-for-server.ts';

export interface Infrastructure {
  pool: pg.Pool;
  broker: BrokerConnection;
  readiness: Readiness;
  /** Closing stages in dependency order: broker, then Postgres. */
  closeStages: ShutdownStage[];
}

/**
 * Opens what every service needs — a Postgres pool and a recovering RabbitMQ connection — and fills in
 * `readiness` with their checks. A server that is not there yet is waited for (both at once, one log line
 * per attempt, capped exponential backoff) with the service not ready; `signal`, the shutdown, ends the
 * wait: then everything opened so far is closed and the promise rejects with the signal's reason.
 */
export async function openInfrastructure(options: {
  service: string;
  logger: Logger;
  databaseUrl: string;
  amqpUrl: string;
  /** The readiness the HTTP server already reports; a new one when absent. */
  readiness?: Readiness;
  signal?: AbortSignal;
  retryDelayMs?: (attempt: number) => number;
}): Promise<Infrastructure> {
  const { logger, signal } = options;
  const wait = { logger, signal, ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}) };
  const pool = createPool(options.databaseUrl, { applicationName: options.service });
  const [postgres, rabbitmq] = await Promise.allSettled([
    waitForServer({
      ...wait,
      server: { name: 'PostgreSQL', url: options.databaseUrl, variable: 'DATABASE_URL' },
      connect: () => pingPostgres(pool),
    }),
    waitForServer({
      ...wait,
      server: { name: 'RabbitMQ', url: options.amqpUrl, variable: 'AMQP_URL' },
      // One connection attempt per try: the wait above does the retrying, and logs it.
      connect: () => connectBroker(options.amqpUrl, { logger, name: options.service, initialMaxRetries: 0 }),
    }),
  ]);
  if (postgres.status === 'rejected' || rabbitmq.status === 'rejected') {
    if (rabbitmq.status === 'fulfilled') await rabbitmq.value.close();
    await pool.end();
    throw postgres.status === 'rejected' ? postgres.reason : (rabbitmq as PromiseRejectedResult).reason;
  }
  const broker = rabbitmq.value;
  const readiness = options.readiness ?? { accepting: false, checks: {} };
  readiness.checks.postgres = () => pingPostgres(pool);
  readiness.checks.rabbitmq = async () => {
    if (!broker.isConnected()) throw new Error('disconnected');
  };
  return {
    pool,
    broker,
    readiness,
    closeStages: [
      { name: 'close broker connection', run: () => broker.close() },
      { name: 'close postgres pool', run: () => pool.end() },
    ],
  };
}
