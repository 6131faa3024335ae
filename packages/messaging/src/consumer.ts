import { context, SpanStatusCode } from '@opentelemetry/api';
import type { Routes, RoutingKey } from '@pos/contracts';
import { type ConsumerMetrics, type HandlingOutcome, type Logger, noopMetrics } from '@pos/runtime';
import type { ConfirmChannel, ConsumeMessage, RecoveringChannelModel } from 'amqplib';
import type { Kysely } from 'kysely';

import { abortableDelay } from './abortable.ts';
import { assertConsumerTopology, defaultQueueLimits, type QueueLimits } from './broker-topology.ts';
import { backoffDelay, infrastructureBackoff } from './core/backoff.policy.ts';
import { describeFailure, type FailureInfo, isInfrastructureError } from './core/failure.ts';
import { splitPartitions } from './core/partition.ts';
import { decideRetry, defaultRetryPolicy, type RetryPolicy } from './core/retry.policy.ts';
import type { ConsumerTopology } from './core/topology.ts';
import { deadLetterDelivery } from './dead-lettering.ts';
import type { PayloadCipher } from './dead-letters.ts';
import { readDelivery, retryPropertiesOf, routeOfMessage } from './delivery.ts';
import { type CaseKeys, classifyDelivery } from './delivery-classification.ts';
import { startHandlingSpan } from './handling-span.ts';
import { recordInbox } from './inbox.repository.ts';
import { pruneInbox, pruneIntervalMs } from './retention.ts';
import { type RetryPump, scheduleRetry, startRetryPump } from './retry-store.ts';
import type { InboxDatabase } from './tables.ts';

export interface HandlerContext {
  attempt: number;
  logger: Logger;
  signal: AbortSignal;
}

/** 'applied': the target changed (or already matched); 'skipped': nothing to do for this event. */
export type HandlerOutcome = 'applied' | 'skipped';
export type Handler<K extends RoutingKey> = (
  event: Routes[K],
  ctx: HandlerContext,
) => Promise<HandlerOutcome>;
export type Handlers = { [K in RoutingKey]?: Handler<K> };

export interface ConsumerOptions {
  connection: RecoveringChannelModel;
  db: Kysely<InboxDatabase>;
  topology: ConsumerTopology;
  handlers: Handlers;
  logger: Logger;
  service: string;
  retryPolicy?: RetryPolicy;
  limits?: QueueLimits;
  /** Unacknowledged messages per partition consumer; processing within a partition stays sequential. */
  prefetch?: number;
  /** A message redelivered this many times without an ack (a crash while handling it) is dead-lettered. */
  poisonDeliveryCount?: number;
  random?: () => number;
  /** The service's shutdown signal: every wait of the consumer ends when it aborts. */
  signal?: AbortSignal;
  /** Seals the events kept with dead letters (`DEAD_LETTER_KEY`); without one, dead letters keep ids only. */
  cipher?: PayloadCipher | null;
  /** The mapping tables' version in force, recorded with each dead letter. */
  mappingVersion?: string;
  /**
   * With several replicas of a writer: this one's index of `count`. It subscribes first to the partitions
   * `p % count === index` (so it is their active consumer when the replicas start together) and to the
   * others only after `standbyDelayMs`, as a standby that takes over when their replica stops.
   */
  replica?: { index: number; count: number; standbyDelayMs?: number };
  now?: () => Date;
  /** Reports messages received and how each was settled; default: nothing. */
  metrics?: ConsumerMetrics;
}

export interface Consumer {
  /** Stops taking messages, waits for the ones in hand, closes the channel. */
  stop: () => Promise<void>;
  /** Messages handled so far, by outcome (for tests and metrics). */
  stats: () => Record<string, number>;
}

/**
 * Consumes a writer's partition queues. Per message: validate against the routing registry (invalid →
 * dead letter at once, naming the field), drop duplicates through the inbox and stale events through the
 * per-subject high-water mark (`progressKeyOf`), run the handler, then record the outcome and acknowledge —
 * only after the effect is durable. Failures are classified once (`describeFailure`): our own Postgres or
 * RabbitMQ away → wait for it and handle the same message again (no attempt used); retryable → a retry
 * row in Postgres, published back to the partition when due (`retry-store.ts`); permanent or out of
 * attempts → the dead-letter queue with the reason, attempt count and original routing, plus a copy in
 * Postgres for the operator.
 */
export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const policy = options.retryPolicy ?? defaultRetryPolicy;
  const limits = options.limits ?? defaultQueueLimits;
  const prefetch = options.prefetch ?? 20;
  const poisonCount = options.poisonDeliveryCount ?? Math.max(2, limits.deliveryLimit - 2);
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => new Date());
  const metrics = options.metrics ?? noopMetrics.consumer;
  const logger = options.logger.child({ component: 'consumer', group: options.topology.group });
  // Aborted when the consumer stops (after draining) or the service shuts down: handlers' upstream calls.
  const abort = new AbortController();
  // Aborted as soon as stopping starts: the waits for our own infrastructure and the re-attach backoff.
  const stopWaiting = new AbortController();
  const waits = options.signal ? AbortSignal.any([options.signal, stopWaiting.signal]) : stopWaiting.signal;
  const pump: RetryPump = startRetryPump({
    db: options.db,
    connection: options.connection,
    topology: options.topology,
    logger: options.logger,
    signal: waits,
    now,
  });
  const counts: Record<string, number> = {};
  const chains = new Map<string, Promise<void>>();
  let channel: ConfirmChannel | undefined;
  let consumerTags: string[] = [];
  let stopping = false;

  const count = (outcome: HandlingOutcome, failure?: { code: string; exhausted: boolean }) => {
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    metrics.settled(outcome, failure);
  };

  const attach = async (): Promise<void> => {
    const ch = await options.connection.createConfirmChannel();
    ch.on('error', (error: Error) => logger.warn({ reason: error.message }, 'consumer channel error'));
    ch.on('close', () => {
      if (channel !== ch) return;
      channel = undefined;
      consumerTags = [];
      if (!stopping) void reattach();
    });
    await assertConsumerTopology(ch, options.topology, limits);
    await ch.prefetch(prefetch);
    channel = ch;
    const tags: string[] = [];
    const subscribe = async (queue: string, priority: number) => {
      const { consumerTag } = await ch.consume(
        queue,
        (message) => {
          if (message === null) return;
          const previous = chains.get(queue) ?? Promise.resolve();
          const next = previous
            .then(() => handleUntilSettled(ch, queue, message))
            .catch((error: unknown) => {
              // An unexpected failure of our own bookkeeping: hand the message back so it is delivered again;
              // its delivery count grows, and a message that keeps failing ends as poison.
              logger.error(
                {
                  queue,
                  messageId: message.properties.messageId as unknown,
                  reason: error instanceof Error ? error.message : 'unknown',
                },
                'message handling failed; returned to the queue',
              );
              try {
                ch.nack(message, false, true);
              } catch {
                // the channel is gone: the broker redelivers unacknowledged messages anyway
              }
            });
          chains.set(queue, next);
        },
        { arguments: { 'x-priority': priority } },
      );
      tags.push(consumerTag);
      consumerTags = [...tags];
    };
    const { preferred, others } = splitPartitions(options.topology.partitionQueues, options.replica);
    for (const queue of preferred) await subscribe(queue, 10);
    logger.info({ queues: preferred.length, standbyLater: others.length }, 'consuming');
    if (others.length > 0) {
      // The other partitions' queues get this replica as a standby consumer a little later, so that replicas
      // starting together each become the active consumer of their own share (single active consumer: the
      // first subscriber is active), and any replica takes over a partition whose replica is gone. The
      // priorities tell a broker that weighs consumer priority in single-active-consumer queues to hand a
      // partition back to its own replica when that one returns; one that does not keeps the standby active
      // until it stops.
      void (async () => {
        await abortableDelay(options.replica?.standbyDelayMs ?? 5_000, waits);
        if (channel !== ch || waits.aborted) return;
        for (const queue of others) await subscribe(queue, 0).catch(() => undefined);
      })();
    }
  };

  const reattach = async (): Promise<void> => {
    for (let attempt = 1; !stopping && !waits.aborted; attempt += 1) {
      try {
        await attach();
        return;
      } catch (error) {
        logger.warn(
          { attempt, reason: error instanceof Error ? error.message : 'unknown' },
          'consumer re-attach failed',
        );
        await abortableDelay(backoffDelay(attempt, infrastructureBackoff, random), waits);
      }
    }
  };

  /**
   * Handles a message until it is settled. When our own Postgres or RabbitMQ fails on the way (a restart),
   * that is not the message's fault: it costs no attempt and does not go to a retry; the partition waits
   * (with backoff) and handles the same message again once the server answers — its order kept, as its
   * case's later messages wait behind it. If the channel itself is gone, the broker redelivers the message
   * on the next one, so this delivery is given up.
   */
  const handleUntilSettled = async (ch: ConfirmChannel, queue: string, message: ConsumeMessage) => {
    metrics.received(routeOfMessage(message));
    for (let failures = 1; ; failures += 1) {
      try {
        await handleMessage(ch, queue, message);
        return;
      } catch (error) {
        if (!isInfrastructureError(error) || channel !== ch || waits.aborted) throw error;
        logger.warn(
          {
            queue,
            messageId: message.properties.messageId as unknown,
            reason: error instanceof Error ? error.message : 'unknown',
            failures,
          },
          'our database or broker failed while handling a message; waiting for it, then handling it again',
        );
        await abortableDelay(backoffDelay(failures, infrastructureBackoff, random), waits);
        if (channel !== ch || waits.aborted) throw error;
      }
    }
  };

  const deadLettering = {
    db: options.db,
    service: options.service,
    deadExchange: options.topology.deadExchange,
    cipher: options.cipher ?? null,
    mappingVersion: options.mappingVersion ?? null,
    now,
  };

  /** A message's path: read it, classify it, then dead-letter, drop or handle it — and acknowledge. */
  const handleMessage = async (ch: ConfirmChannel, queue: string, message: ConsumeMessage): Promise<void> => {
    const delivery = readDelivery(queue, message);
    const log = logger.child({
      eventId: delivery.eventId,
      subject: delivery.subject,
      route: delivery.route,
      attempt: delivery.attempt,
    });
    const deadLetter = async (failure: FailureInfo, keys: CaseKeys, exhausted = false) => {
      const id = await deadLetterDelivery(ch, delivery, failure, keys, deadLettering);
      count('dead-lettered', { code: failure.code, exhausted });
      log.warn(
        {
          code: failure.code,
          reason: failure.message,
          caseId: keys.caseId,
          globalId: keys.globalId,
          deadLetterId: id,
        },
        'dead-lettered',
      );
      ch.ack(message);
    };

    const classified = await classifyDelivery(options.db, delivery, {
      poisonCount,
      handles: (route) => options.handlers[route] !== undefined,
    });
    switch (classified.kind) {
      case 'dead-letter':
        await deadLetter(classified.failure, classified.keys);
        return;
      case 'duplicate':
        count('duplicate');
        log.info({ outcome: classified.outcome }, 'duplicate event dropped');
        ch.ack(message);
        return;
      case 'stale': {
        const { event } = classified;
        await recordInbox(options.db, {
          eventId: event.metadata.eventId,
          route: delivery.route,
          subject: event.metadata.subject,
          progressKey: classified.progressKey,
          outcome: 'stale',
          advance: false,
        });
        count('stale');
        log.info({ newer: classified.newer }, 'stale event dropped (a newer one was applied)');
        ch.ack(message);
        return;
      }
      case 'handle':
        break;
    }
    const { event, keys, progressKey } = classified;
    const route = delivery.route;
    const id = event.metadata.eventId;
    const handler = options.handlers[route as RoutingKey] as Handler<RoutingKey>;

    const { span, context: spanContext } = startHandlingSpan(delivery.headers, {
      route,
      eventId: id,
      subject: event.metadata.subject,
      keys,
    });
    try {
      const outcome = await context.with(spanContext, () =>
        handler(event, { attempt: delivery.attempt, logger: log, signal: abort.signal }),
      );
      await recordInbox(options.db, {
        eventId: id,
        route,
        subject: event.metadata.subject,
        progressKey,
        outcome,
        advance: true,
      });
      pump.upstreamAnswers();
      count(outcome);
      log.info({ outcome, caseId: keys.caseId, globalId: keys.globalId }, 'event handled');
      ch.ack(message);
    } catch (error) {
      const failure = describeFailure(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.code });
      if (failure.infrastructure) throw error;
      const decision = decideRetry({
        attempt: delivery.attempt,
        retryable: failure.retryable,
        retryAfterMs: failure.retryAfterMs,
        policy,
        random,
      });
      if (decision.action === 'dead-letter') {
        const exhausted = decision.why === 'exhausted';
        await deadLetter(
          exhausted
            ? { ...failure, message: `${failure.message} (gave up after ${delivery.attempt} attempts)` }
            : failure,
          keys,
          exhausted,
        );
        return;
      }
      await scheduleRetry(options.db, {
        eventId: id,
        queue,
        content: message.content,
        properties: retryPropertiesOf(delivery, {
          attempt: decision.attempt,
          code: failure.code,
          now: now(),
        }),
        attempt: decision.attempt,
        dueAt: new Date(now().getTime() + decision.delayMs),
      });
      pump.wake();
      count('retried', { code: failure.code, exhausted: false });
      log.warn(
        { code: failure.code, reason: failure.message, retryInMs: decision.delayMs },
        'retry scheduled',
      );
      ch.ack(message);
    } finally {
      span.end();
    }
  };

  try {
    await attach();
  } catch (error) {
    // Nothing consumes yet: stop what was started, so a caller that tries again starts afresh.
    stopping = true;
    stopWaiting.abort();
    await pump.close();
    throw error;
  }

  const prune = async () => {
    try {
      const pruned = await pruneInbox(options.db, new Date());
      if (pruned > 0) logger.info({ pruned }, 'old inbox rows pruned');
    } catch (error) {
      logger.warn({ reason: error instanceof Error ? error.message : 'unknown' }, 'inbox pruning failed');
    }
  };
  void prune();
  const pruner = setInterval(() => void prune(), pruneIntervalMs);
  pruner.unref();

  return {
    stats: () => ({ ...counts }),
    stop: async () => {
      stopping = true;
      stopWaiting.abort();
      clearInterval(pruner);
      const ch = channel;
      if (ch) {
        for (const tag of consumerTags) await ch.cancel(tag).catch(() => undefined);
      }
      await Promise.all(chains.values());
      abort.abort();
      await pump.close();
      channel = undefined;
      await ch?.close().catch(() => undefined);
    },
  };
}
