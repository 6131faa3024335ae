import type { SourceSystem } from '@pos/contracts';

/** The one exchange every outbox relay publishes to (topic). */
export const eventsExchange = 'sync.events';

/** `<route>.<partition>`, e.g. `primero.case.changed.3`. */
export function partitionedRoutingKey(route: string, partition: number): string {
  return `${route}.${partition}`;
}

/** The route part of a partitioned routing key. */
export function routeOf(routingKey: string): string {
  return routingKey.replace(/\.\d+$/, '');
}

/** Names of everything one consumer group (a writer service) owns on the broker. */
export interface ConsumerTopology {
  group: string;
  source: SourceSystem;
  partitions: number;
  partitionQueues: string[];
  /** Binding pattern of partition i on the events exchange: `<source>.*.*.<i>`. */
  bindingPattern: (partition: number) => string;
  /** Direct exchange that due retries are published to; partition queues are bound by their name. */
  requeueExchange: string;
  /** Fanout exchange and queue of dead letters. */
  deadExchange: string;
  deadQueue: string;
}

export function consumerTopology(group: string, source: SourceSystem, partitions: number): ConsumerTopology {
  return {
    group,
    source,
    partitions,
    partitionQueues: Array.from({ length: partitions }, (_, i) => `${group}.p${i}`),
    bindingPattern: (partition) => `${source}.*.*.${partition}`,
    requeueExchange: `${group}.requeue`,
    deadExchange: `${group}.dead`,
    deadQueue: `${group}.dead`,
  };
}
