import amqp from 'amqplib';

import type { Logger } from './logger.ts';

export interface BrokerConnection {
  connection: amqp.RecoveringChannelModel;
  /** True while the connection is up; readiness reports it. */
  isConnected: () => boolean;
  close: () => Promise<void>;
}

/**
 * Connects to RabbitMQ with amqplib 2's built-in recovery: exponential backoff with jitter, reconnecting
 * forever once connected. Before the first connection it gives up after `initialMaxRetries` attempts; the
 * services pass 0 and let `waitForServer` do the retrying (one log line per attempt, ended by the shutdown).
 * `setup` runs after every (re)connect: declare topology and restart consumers there.
 */
export async function connectBroker(
  url: string,
  options: {
    logger: Logger;
    name: string;
    setup?: (model: amqp.ChannelModel) => Promise<void>;
    initialMaxRetries?: number;
  },
): Promise<BrokerConnection> {
  let connected = false;
  const connection = await amqp.connect(url, {
    clientProperties: { connection_name: options.name },
    recovery: {
      initialDelay: 200,
      maxDelay: 10_000,
      factor: 2,
      jitter: 0.2,
      maxRetries: Infinity,
      initialMaxRetries: options.initialMaxRetries ?? 5,
      waitForConnect: false,
      ...(options.setup ? { setup: options.setup } : {}),
    },
  });
  connection.on('connect', () => {
    connected = true;
    options.logger.info('broker: connected');
  });
  connection.on('disconnect', (error: Error) => {
    connected = false;
    options.logger.warn({ reason: error.message }, 'broker: disconnected, reconnecting');
  });
  connection.on('reconnect-scheduled', (info: { attempt: number; delay: number }) => {
    options.logger.info({ attempt: info.attempt, delayMs: info.delay }, 'broker: reconnect scheduled');
  });
  connection.on('error', (error: Error) => {
    options.logger.warn({ reason: error.message }, 'broker: connection error');
  });
  await connection.waitForConnect();
  connected = true;
  return {
    connection,
    isConnected: () => connected,
    close: async () => {
      connected = false;
      await connection.close();
    },
  };
}
