import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { parseEvent, type Routes, type RoutingKey } from '@pos/contracts';
import { type ConsumerMetrics, type HandlingOutcome, type Logger, noopMetrics } from '@pos/runtime';
import type { ConfirmChannel, ConsumeMessage, RecoveringChannelModel } from 'amqplib';
import { type Kysely, sql } from 'kysely';

import { abortableDelay } from './abortable.ts';
import { assertConsumerTopology, defaultQueueLimits, type QueueLimits } from './broker-topology.ts';
import { backoffDelay, infrastructureBackoff } from './core/backoff.policy.ts';
import { caseKeysOf } from './core/case-keys.ts';
import { describeFailure, type FailureInfo, isInfrastructureError } from './core/failure.ts';
import { progressKeyOf } from './core/ordering.ts';
import { decideRetry, defaultRetryPolicy, type RetryPolicy } from './core/retry.policy.ts';
import type { ConsumerTopology } from './core/topology.ts';
import { routeOf } from './core/topology.ts';
import { type PayloadCipher, recordDeadLetter } from './dead-letters.ts';
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

const tracer = trace.getTracer('@pos/messaging');

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
    metrics.received(
      typeof message.properties.type === 'string'
        ? message.properties.type
        : routeOf(message.fields.routingKey),
    );
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

  const handleMessage = async (ch: ConfirmChannel, queue: string, message: ConsumeMessage): Promise<void> => {
    const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
    const attempt = Number(headers['x-attempt'] ?? 1);
    const deliveryCount = Number(headers['x-delivery-count'] ?? 0);
    const route =
      typeof message.properties.type === 'string'
        ? message.properties.type
        : routeOf(message.fields.routingKey);
    const eventId = typeof message.properties.messageId === 'string' ? message.properties.messageId : null;
    const subject = typeof headers['x-subject'] === 'string' ? headers['x-subject'] : null;
    const log = logger.child({ eventId, subject, route, attempt });
    const original = {
      routingKey:
        typeof headers['x-original-routing-key'] === 'string'
          ? headers['x-original-routing-key']
          : message.fields.routingKey,
      queue,
    };

    const deadLetter = async (
      failure: FailureInfo,
      _payload: unknown,
      keys: { caseId: string | null; globalId: string | null },
      exhausted = false,
    ) => {
      // The row in Postgres is the record an operator works from; it keeps the event only sealed.
      const firstFailedAt =
        typeof headers['x-first-failed-at'] === 'string' ? new Date(headers['x-first-failed-at']) : null;
      const id = await recordDeadLetter(
        options.db,
        {
          service: options.service,
          kind: 'event',
          eventId,
          route,
          subject,
          caseId: keys.caseId,
          globalId: keys.globalId,
          code: failure.code,
          reason: failure.message,
          attempts: attempt,
          firstFailedAt: firstFailedAt && !Number.isNaN(firstFailedAt.getTime()) ? firstFailedAt : null,
          mappingVersion: options.mappingVersion ?? null,
          originalRoutingKey: original.routingKey,
          originalQueue: queue,
          payload: message.content,
          headers: withoutBrokerHeaders(headers),
        },
        options.cipher ?? null,
        now(),
      );
      // A notice on `<writer>.dead` for whoever watches the broker: ids and the reason, never the event.
      await publishConfirmed(
        ch,
        options.topology.deadExchange,
        '',
        Buffer.from(JSON.stringify({ deadLetterId: id, eventId, code: failure.code, ...keys })),
        {
          ...carriedProperties(message),
          contentType: 'application/json',
          headers: {
            'x-dead-letter-id': id,
            'x-dead-reason': failure.message,
            'x-dead-code': failure.code,
            'x-attempts': attempt,
            'x-original-routing-key': original.routingKey,
            'x-original-queue': queue,
            'x-subject': subject,
            'x-case-id': keys.caseId,
            'x-global-id': keys.globalId,
            'x-failed-at': now().toISOString(),
            'x-service': options.service,
          },
        },
      );
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

    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch {
      await deadLetter(
        { retryable: false, code: 'INVALID_JSON', message: `event ${eventId ?? '?'}: body is not JSON` },
        undefined,
        {
          caseId: null,
          globalId: null,
        },
      );
      return;
    }
    const parsed = parseEvent(route, body);
    if (!parsed.ok) {
      await deadLetter(
        {
          retryable: false,
          code: parsed.reason,
          message: `event ${eventId ?? '?'} (${route}): ${parsed.message}`,
        },
        body,
        caseKeysOf(body),
      );
      return;
    }
    const event = parsed.event;
    const keys = caseKeysOf(event);
    const id = event.metadata.eventId;
    const eventSubject = event.metadata.subject;

    const done = await options.db
      .selectFrom('inbox')
      .select('outcome')
      .where('event_id', '=', id)
      .executeTakeFirst();
    if (done) {
      count('duplicate');
      log.info({ outcome: done.outcome }, 'duplicate event dropped');
      ch.ack(message);
      return;
    }
    if (deliveryCount >= poisonCount) {
      await deadLetter(
        {
          retryable: false,
          code: 'POISON',
          message: `event ${id}: delivered ${deliveryCount} times without completing (the service stopped while handling it)`,
        },
        event,
        keys,
      );
      return;
    }
    const progressKey = progressKeyOf(route, event);
    const progress = await options.db
      .selectFrom('subject_progress')
      .select('last_event_id')
      .where('subject', '=', eventSubject)
      .where('route', '=', progressKey)
      .executeTakeFirst();
    if (progress && progress.last_event_id >= id) {
      await recordInbox(options.db, id, route, eventSubject, progressKey, 'stale', false);
      count('stale');
      log.info({ newer: progress.last_event_id }, 'stale event dropped (a newer one was applied)');
      ch.ack(message);
      return;
    }

    const handler = options.handlers[route as RoutingKey] as Handler<RoutingKey> | undefined;
    if (!handler) {
      await deadLetter(
        { retryable: false, code: 'NO_HANDLER', message: `event ${id}: no handler for ${route}` },
        event,
        keys,
      );
      return;
    }

    // amqplib's instrumentation has started a consumer span that continues the trace in the headers: stay
    // under it (one parent chain). Without the instrumentation, continue the trace from the headers.
    const carried = propagation.extract(ROOT_CONTEXT, headers);
    const consuming = trace.getSpanContext(context.active());
    const parentContext =
      consuming !== undefined && consuming.traceId === trace.getSpanContext(carried)?.traceId
        ? context.active()
        : carried;
    const span = tracer.startSpan(
      `process ${route}`,
      {
        attributes: {
          'messaging.message.id': id,
          'sync.subject': eventSubject,
          ...(keys.caseId === null ? {} : { 'sync.case_id': keys.caseId }),
          ...(keys.globalId === null ? {} : { 'sync.global_id': keys.globalId }),
        },
      },
      parentContext,
    );
    try {
      const outcome = await context.with(trace.setSpan(parentContext, span), () =>
        handler(event, { attempt, logger: log, signal: abort.signal }),
      );
      await recordInbox(options.db, id, route, eventSubject, progressKey, outcome, true);
      pump.upstreamAnswers();
      count(outcome);
      log.info({ outcome, caseId: keys.caseId, globalId: keys.globalId }, 'event handled');
      ch.ack(message);
    } catch (error) {
      const failure = describeFailure(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.code });
      if (failure.infrastructure) throw error;
      const decision = decideRetry({
        attempt,
        retryable: failure.retryable,
        retryAfterMs: failure.retryAfterMs,
        policy,
        random,
      });
      if (decision.action === 'dead-letter') {
        await deadLetter(
          decision.why === 'exhausted'
            ? { ...failure, message: `${failure.message} (gave up after ${attempt} attempts)` }
            : failure,
          event,
          keys,
          decision.why === 'exhausted',
        );
        return;
      }
      await scheduleRetry(options.db, {
        eventId: id,
        queue,
        content: message.content,
        properties: {
          ...carriedProperties(message),
          headers: {
            ...withoutBrokerHeaders(headers),
            'x-attempt': decision.attempt,
            'x-last-error-code': failure.code,
            'x-first-failed-at':
              typeof headers['x-first-failed-at'] === 'string'
                ? headers['x-first-failed-at']
                : now().toISOString(),
            'x-original-routing-key': original.routingKey,
          },
        },
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

/** This replica's own partitions first; the rest it only stands by for. */
export function splitPartitions(
  queues: readonly string[],
  replica: { index: number; count: number } | undefined,
): { preferred: string[]; others: string[] } {
  if (!replica || replica.count <= 1) return { preferred: [...queues], others: [] };
  const mine = (i: number) =>
    i % replica.count === ((replica.index % replica.count) + replica.count) % replica.count;
  return {
    preferred: queues.filter((_, i) => mine(i)),
    others: queues.filter((_, i) => !mine(i)),
  };
}

async function recordInbox(
  db: Kysely<InboxDatabase>,
  eventId: string,
  route: string,
  subject: string,
  progressKey: string,
  outcome: 'applied' | 'skipped' | 'stale',
  advance: boolean,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('inbox')
      .values({ event_id: eventId, route, subject, outcome })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .execute();
    if (!advance) return;
    await trx
      .insertInto('subject_progress')
      .values({ subject, route: progressKey, last_event_id: eventId })
      .onConflict((oc) =>
        oc.columns(['subject', 'route']).doUpdateSet({
          last_event_id: sql<string>`greatest(subject_progress.last_event_id, excluded.last_event_id)`,
          updated_at: sql<Date>`now()`,
        }),
      )
      .execute();
  });
}

interface PublishProperties {
  headers: Record<string, unknown>;
  messageId?: string;
  type?: string;
  contentType?: string;
  timestamp?: number;
  expiration?: string;
}

/** Headers the broker adds on delivery: a retry is a new message, its delivery count starts again. */
function withoutBrokerHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const { 'x-delivery-count': _count, 'x-death': _death, ...rest } = headers;
  return rest;
}

/** The properties of a delivered message worth carrying into a retry or a dead letter, narrowed from amqplib's loose types. */
function carriedProperties(message: ConsumeMessage): Omit<PublishProperties, 'headers'> {
  const { messageId, type, contentType, timestamp } = message.properties as unknown as Record<
    string,
    unknown
  >;
  return {
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof contentType === 'string' ? { contentType } : {}),
    ...(typeof timestamp === 'number' ? { timestamp } : {}),
  };
}

function publishConfirmed(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  properties: PublishProperties,
): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish(exchange, routingKey, content, { persistent: true, ...properties }, (error: unknown) =>
      error ? reject(error instanceof Error ? error : new Error('publish nacked')) : resolve(),
    );
  });
}
