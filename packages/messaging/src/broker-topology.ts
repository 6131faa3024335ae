import type { Channel } from 'amqplib';

import type { ConsumerTopology } from './core/topology.ts';
import { eventsExchange } from './core/topology.ts';

export interface QueueLimits {
  /** Broker-side delivery limit of the partition queues (RabbitMQ 4 defaults to 20; we set it explicitly). */
  deliveryLimit: number;
  /** Bound on a partition queue's length; with `reject-publish` the relay is nacked and retries later. */
  maxLength: number;
}

export const defaultQueueLimits: QueueLimits = { deliveryLimit: 10, maxLength: 1_000_000 };

/**
 * Declares a writer's part of the broker: durable quorum partition queues with single active consumer,
 * bound to the events exchange by partition and to the requeue exchange by name (where due retries come
 * back from Postgres, see retry-store.ts); and the dead-letter exchange and queue, which also receive
 * messages the broker gives up on (delivery limit, at-least-once dead-lettering).
 * Idempotent: every replica declares the same topology at start and after each reconnect.
 */
export async function assertConsumerTopology(
  channel: Channel,
  topology: ConsumerTopology,
  limits: QueueLimits = defaultQueueLimits,
): Promise<void> {
  await channel.assertExchange(eventsExchange, 'topic', { durable: true });
  await channel.assertExchange(topology.requeueExchange, 'direct', { durable: true });
  await channel.assertExchange(topology.deadExchange, 'fanout', { durable: true });
  await channel.assertQueue(topology.deadQueue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(topology.deadQueue, topology.deadExchange, '');

  for (const [partition, queue] of topology.partitionQueues.entries()) {
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-single-active-consumer': true,
        'x-delivery-limit': limits.deliveryLimit,
        'x-dead-letter-exchange': topology.deadExchange,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
        'x-max-length': limits.maxLength,
      },
    });
    await channel.bindQueue(queue, eventsExchange, topology.bindingPattern(partition));
    await channel.bindQueue(queue, topology.requeueExchange, queue);
  }
}
