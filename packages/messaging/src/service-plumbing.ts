import { hostname } from 'node:os';

import type { SourceSystem } from '@pos/contracts';
import {
  createDb,
  type Infrastructure,
  type Logger,
  type PollerMetrics,
  type ShutdownStage,
  type WriterMetrics,
} from '@pos/runtime';
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

import { retryWhileServersAway } from './abortable.ts';
import { pollerBacklog, writerBacklog } from './backlog.repository.ts';
import { type Consumer, type Handlers, startConsumer } from './consumer.ts';
import { defaultRetryPolicy } from './core/retry.policy.ts';
import { consumerTopology } from './core/topology.ts';
import { createDeadLetterPublisher, type DeadLetterPublisher } from './dead-letter-publisher.ts';
import { deadLetterMigrations, type PayloadCipher, pruneDeadLetterPayloads } from './dead-letters.ts';
import { inboxMigrations, migrateSchema, outboxMigrations } from './migrations.ts';
import { type PollLoop, type PollSummary, startPollLoop } from './poll-loop.ts';
import { type PollerStateDatabase, pollerStateMigrations } from './poller-state.ts';
import { startRelay } from './relay.ts';
import type { DeadLetterDatabase, InboxDatabase } from './tables.ts';

export interface PollerPlumbing {
  pollLoop: PollLoop;
  /** The poller's schema (outbox, cursor, fingerprints) and dead-letter publisher, for reads outside a poll. */
  db: Kysely<PollerStateDatabase>;
  deadLetters: DeadLetterPublisher;
  /** In order, after "stop accepting work": stop polling, drain the relay, close the dead-letter channel. */
  stages: ShutdownStage[];
}

/**
 * What a poller needs around its own poll function: its schema migrated (outbox, cursor, fingerprints),
 * the dead-letter publisher for malformed records, the outbox relay, and the poll loop.
 */
export async function startPollerPlumbing(options: {
  service: string;
  schema: string;
  infra: Infrastructure;
  logger: Logger;
  partitions: number;
  intervalMs: number;
  /** The mapping tables' version in force, recorded with each dead letter. */
  mappingVersion?: string;
  /** The service's shutdown signal: ends every wait of the relay at once. */
  signal?: AbortSignal;
  /** Where polls, the relay and dead letters report, and the backlog is read on each scrape; default: nowhere. */
  metrics?: PollerMetrics;
  poll: (
    deps: { db: Kysely<PollerStateDatabase>; deadLetters: DeadLetterPublisher },
    signal: AbortSignal,
  ) => Promise<PollSummary>;
}): Promise<PollerPlumbing> {
  const { infra, schema, logger } = options;
  const signal = options.signal ?? new AbortController().signal;
  await retryWhileServersAway(
    () =>
      migrateSchema(createDb<unknown>(infra.pool), schema, {
        ...outboxMigrations(),
        ...pollerStateMigrations(),
        ...deadLetterMigrations(),
      }),
    signal,
  );
  const db = createDb<PollerStateDatabase>(infra.pool).withSchema(schema);
  const publisher = createDeadLetterPublisher(
    infra.broker.connection,
    options.service,
    db as unknown as Kysely<DeadLetterDatabase>,
    options.mappingVersion,
  );
  const { metrics } = options;
  const deadLetters: DeadLetterPublisher = metrics
    ? {
        ...publisher,
        publish: async (record) => {
          await publisher.publish(record);
          metrics.deadLetters.deadLettered(record.code);
        },
      }
    : publisher;
  metrics?.readOnScrape(() => pollerBacklog(db));
  const relay = await retryWhileServersAway(
    () =>
      startRelay({
        db,
        pool: infra.pool,
        schema,
        connection: infra.broker.connection,
        partitions: options.partitions,
        logger,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(metrics ? { metrics: metrics.relay } : {}),
      }),
    signal,
  );
  const pollLoop = startPollLoop({
    intervalMs: options.intervalMs,
    logger,
    poll: (signal) => options.poll({ db, deadLetters }, signal),
    ...(metrics ? { metrics: metrics.poll } : {}),
  });
  return {
    pollLoop,
    db,
    deadLetters,
    stages: [
      { name: 'stop polling', run: () => pollLoop.stop() },
      { name: 'drain outbox relay', run: () => relay.close() },
      { name: 'close dead-letter channel', run: () => deadLetters.close() },
    ],
  };
}

/** A replica's index: as configured, else the number ending the host name (`oscar-writer-2` → 2), else 0. */
export function replicaIndex(configured: string, host: string): number {
  if (configured !== '') return Number(configured);
  const match = /(\d+)$/.exec(host);
  return match ? Number(match[1]) : 0;
}

export interface WriterPlumbing {
  consumer: Consumer;
  /** After "stop accepting work": stop consuming and drain the messages in hand. */
  stages: ShutdownStage[];
}

/**
 * What a writer needs around its handlers: its schema migrated (inbox, dead-letter copies, and its own
 * tables), and the consumer on its partition queues with the retry policy.
 */
export async function startWriterPlumbing<DB extends InboxDatabase>(options: {
  service: string;
  schema: string;
  source: SourceSystem;
  infra: Infrastructure;
  logger: Logger;
  partitions: number;
  prefetch: number;
  maxAttempts: number;
  migrations?: Record<string, Migration>;
  /** The service's shutdown signal: ends every wait of the consumer and its retry pump at once. */
  signal?: AbortSignal;
  /** The mapping tables' version in force, recorded with each dead letter. */
  mappingVersion?: string;
  /** Seals the events kept with dead letters (`DEAD_LETTER_KEY`). */
  cipher?: PayloadCipher | null;
  /** `DEAD_LETTER_RETENTION_DAYS`: after it a dead letter's sealed event is dropped. */
  deadLetterRetentionDays?: number;
  /** `WRITER_REPLICAS` and `WRITER_REPLICA_INDEX` (empty: the number ending the host name, else 0). */
  replicas?: { count: number; index: string; standbyDelayMs?: number };
  /** Where the consumer reports, and the backlog is read on each scrape; default: nowhere. */
  metrics?: WriterMetrics;
  handlers: (db: Kysely<DB>) => Handlers;
}): Promise<WriterPlumbing> {
  const { infra, schema } = options;
  const signal = options.signal ?? new AbortController().signal;
  await retryWhileServersAway(
    () =>
      migrateSchema(createDb<unknown>(infra.pool), schema, { ...inboxMigrations(), ...options.migrations }),
    signal,
  );
  const db = createDb<DB>(infra.pool).withSchema(schema);
  const consumer = await retryWhileServersAway(
    () =>
      startConsumer({
        connection: infra.broker.connection,
        db: db as unknown as Kysely<InboxDatabase>,
        topology: consumerTopology(options.service, options.source, options.partitions),
        service: options.service,
        logger: options.logger,
        prefetch: options.prefetch,
        retryPolicy: { ...defaultRetryPolicy, maxAttempts: options.maxAttempts },
        handlers: options.handlers(db),
        cipher: options.cipher ?? null,
        ...(options.metrics ? { metrics: options.metrics.consumer } : {}),
        ...(options.mappingVersion === undefined ? {} : { mappingVersion: options.mappingVersion }),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.replicas && options.replicas.count > 1
          ? {
              replica: {
                count: options.replicas.count,
                index: replicaIndex(options.replicas.index, hostname()),
                ...(options.replicas.standbyDelayMs === undefined
                  ? {}
                  : { standbyDelayMs: options.replicas.standbyDelayMs }),
              },
            }
          : {}),
      }),
    signal,
  );
  options.metrics?.readOnScrape(() => writerBacklog(db as unknown as Kysely<InboxDatabase>));
  const prune = async () => {
    try {
      const pruned = await pruneDeadLetterPayloads(
        db as unknown as Kysely<DeadLetterDatabase>,
        new Date(),
        options.deadLetterRetentionDays,
      );
      if (pruned > 0) options.logger.info({ pruned }, 'expired dead-letter events dropped');
    } catch (error) {
      options.logger.warn(
        { reason: error instanceof Error ? error.message : 'unknown' },
        'dead-letter pruning failed',
      );
    }
  };
  void prune();
  const pruner = setInterval(() => void prune(), 3600_000);
  pruner.unref();
  return {
    consumer,
    stages: [
      {
        name: 'stop consuming and drain',
        run: async () => {
          clearInterval(pruner);
          await consumer.stop();
        },
      },
    ],
  };
}
