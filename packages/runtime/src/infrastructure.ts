import type pg from 'pg';

import { type BrokerConnection, connectBroker } from './broker.ts';
import type { Readiness } from './health.ts';
import type { Logger } from './logger.ts';
import { createPool, pingPostgres } from './postgres.ts';
import type { ShutdownStage } from './shutdown.ts';

export interface Infrastructure {
  pool: pg.Pool;
  broker: BrokerConnection;
  readiness: Readiness;
  /** Closing stages in dependency order: broker, then Postgres. */
  closeStages: ShutdownStage[];
}

/** Opens what every service needs — a Postgres pool and a recovering RabbitMQ connection — and their checks. */
export async function openInfrastructure(options: {
  service: string;
  logger: Logger;
  databaseUrl: string;
  amqpUrl: string;
}): Promise<Infrastructure> {
  const pool = createPool(options.databaseUrl, { applicationName: options.service });
  try {
    await pingPostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  let broker: BrokerConnection;
  try {
    broker = await connectBroker(options.amqpUrl, { logger: options.logger, name: options.service });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const readiness: Readiness = {
    accepting: false,
    checks: {
      postgres: () => pingPostgres(pool),
      rabbitmq: async () => {
        if (!broker.isConnected()) throw new Error('disconnected');
      },
    },
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
