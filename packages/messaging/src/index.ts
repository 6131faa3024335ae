export type { QueueLimits } from './broker-topology.ts';
export { assertConsumerTopology, defaultQueueLimits } from './broker-topology.ts';
export type {
  Consumer,
  ConsumerOptions,
  Handler,
  HandlerContext,
  HandlerOutcome,
  Handlers,
} from './consumer.ts';
export { startConsumer } from './consumer.ts';
export { caseKeysOf } from './core/case-keys.ts';
export type { FailureInfo } from './core/failure.ts';
export { describeFailure, PermanentError, RetryableError } from './core/failure.ts';
export { partitionOf } from './core/partition.ts';
export type { RetryDecision, RetryPolicy } from './core/retry.policy.ts';
export { decideRetry, defaultRetryPolicy, defaultRetryTiersMs } from './core/retry.policy.ts';
export type { ConsumerTopology } from './core/topology.ts';
export { consumerTopology, eventsExchange, partitionedRoutingKey, routeOf } from './core/topology.ts';
export { newEventId } from './event-id.ts';
export { inboxMigrations, migrateSchema, outboxMigrations } from './migrations.ts';
export type { OutboxEvent } from './outbox.repository.ts';
export { countUnpublished, insertOutbox, outboxChannel } from './outbox.repository.ts';
export type { Relay, RelayOptions } from './relay.ts';
export { startRelay } from './relay.ts';
export type { DeadLetterRow, InboxDatabase, NewOutboxRow, OutboxDatabase, OutboxRow } from './tables.ts';
