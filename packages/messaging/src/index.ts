export { abortableDelay, recordAfterEffect, retryWhileServersAway } from './abortable.ts';
export { openDeadLetterCounts, outboxBacklog, pollerBacklog, writerBacklog } from './backlog.repository.ts';
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
export type { Backoff } from './core/backoff.policy.ts';
export { backoffDelay, infrastructureBackoff } from './core/backoff.policy.ts';
export { caseKeysOf } from './core/case-keys.ts';
export type { FailureInfo } from './core/failure.ts';
export { describeFailure, isInfrastructureError, PermanentError, RetryableError } from './core/failure.ts';
export { progressKeyOf } from './core/ordering.ts';
export { partitionOf } from './core/partition.ts';
export { nextPollDelay } from './core/poll.policy.ts';
export type { RetryDecision, RetryPolicy } from './core/retry.policy.ts';
export { decideRetry, defaultRetryPolicy, defaultRetryTiersMs } from './core/retry.policy.ts';
export type { ConsumerTopology } from './core/topology.ts';
export { consumerTopology, eventsExchange, partitionedRoutingKey, routeOf } from './core/topology.ts';
export type {
  DeadLetterAdminDatabase,
  DeadLetterDetail,
  DeadLetterFilter,
  DeadLetterSummary,
  ReplayOutcome,
} from './dead-letter-admin.ts';
export {
  discardDeadLetters,
  listDeadLetters,
  replayDeadLetters,
  showDeadLetter,
} from './dead-letter-admin.ts';
export type { DeadLetterPublisher, RejectedRecord } from './dead-letter-publisher.ts';
export { createDeadLetterPublisher } from './dead-letter-publisher.ts';
export type { DeadLetterOperations, DeadLetterRoutesDeps } from './dead-letter-routes.ts';
export { actorHeader, deadLetterOperations, registerDeadLetterRoutes } from './dead-letter-routes.ts';
export type { DeadLetterSelection, SelectionField, SelectionResult } from './dead-letter-selection.ts';
export { filterOfSelection, parseAge } from './dead-letter-selection.ts';
export type { DeadLetterEntry, PayloadCipher } from './dead-letters.ts';
export {
  deadLetterMigrations,
  defaultDeadLetterRetentionDays,
  payloadCipher,
  pruneDeadLetterPayloads,
  recordDeadLetter,
} from './dead-letters.ts';
export { newEventId } from './event-id.ts';
export { makeEvent } from './make-event.ts';
export { inboxMigrations, migrateSchema, outboxMigrations } from './migrations.ts';
export type { OutboxEvent } from './outbox.repository.ts';
export { countUnpublished, insertOutbox, outboxChannel } from './outbox.repository.ts';
export type { PollBatch, PollBatchDeps } from './poll-batch.ts';
export { startPollBatch } from './poll-batch.ts';
export type { PollLoop, PollSummary } from './poll-loop.ts';
export { startPollLoop } from './poll-loop.ts';
export type { PollerStateDatabase } from './poller-state.ts';
export {
  changedFingerprints,
  clearRejected,
  commitPoll,
  pollerStateMigrations,
  readCursor,
  recordRejected,
} from './poller-state.ts';
export type { Relay, RelayOptions } from './relay.ts';
export { startRelay } from './relay.ts';
export { inboxRetentionMs, outboxRetentionMs, pruneInbox, pruneOutbox } from './retention.ts';
export type { RetryDatabase, RetryPump } from './retry-store.ts';
export { retryBacklog, retryMigrations, scheduleRetry, startRetryPump } from './retry-store.ts';
export type { PollerPlumbing, WriterPlumbing } from './service-plumbing.ts';
export { startPollerPlumbing, startWriterPlumbing } from './service-plumbing.ts';
export type {
  DeadLetterDatabase,
  DeadLetterRow,
  InboxDatabase,
  NewOutboxRow,
  OutboxDatabase,
  OutboxRow,
} from './tables.ts';
