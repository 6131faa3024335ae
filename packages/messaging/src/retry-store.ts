import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Logger } from '@pos/runtime';
import type { ConfirmChannel, RecoveringChannelModel } from 'amqplib';
import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

import { abortableDelay } from './abortable.ts';
import { backoffDelay, infrastructureBackoff } from './core/backoff.policy.ts';
import type { ConsumerTopology } from './core/topology.ts';
import type { RetriesTable } from './tables.ts';

/**
 * Retries wait in Postgres, not in the broker. A message whose handling failed for a reason worth retrying
 * is written here (in the writer's schema) and only then acknowledged; when it is due, the pump publishes
 * it back to its partition queue with publisher confirms and `mandatory`, and deletes the row only after
 * the broker confirmed it. So a retry survives a crash of the writer, of RabbitMQ and of Postgres, like an
 * outbox row does.
 *
 * Why not the broker's own TTL wait queues that dead-letter back into the partition: RabbitMQ drops a
 * dead-lettered message it cannot route, and just after a broker restart the partition queues are not
 * routable for a moment — every retry that expired then was silently lost.
 */
export interface RetryDatabase {
  retries: RetriesTable;
}

export function retryMigrations(): Record<string, Migration> {
  return {
    '2026-12-01T00.00-retries': {
      up: async (db) => {
        await db.schema
          .createTable('retries')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('event_id', 'text')
          .addColumn('queue', 'text', (c) => c.notNull())
          .addColumn('content', 'bytea', (c) => c.notNull())
          .addColumn('properties', 'jsonb', (c) => c.notNull())
          .addColumn('attempt', 'integer', (c) => c.notNull())
          .addColumn('due_at', 'timestamptz', (c) => c.notNull())
          .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .execute();
        await db.schema.createIndex('retries_due_at').on('retries').column('due_at').execute();
      },
      down: async (db) => {
        await db.schema.dropTable('retries').execute();
      },
    },
  };
}

/** AMQP properties a retried message keeps (headers carry `x-attempt` and the trace context). */
export interface RetryProperties {
  headers: Record<string, unknown>;
  messageId?: string;
  type?: string;
  contentType?: string;
  timestamp?: number;
}

export async function scheduleRetry(
  db: Kysely<RetryDatabase>,
  retry: {
    eventId: string | null;
    queue: string;
    content: Buffer;
    properties: RetryProperties;
    attempt: number;
    dueAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('retries')
    .values({
      event_id: retry.eventId,
      queue: retry.queue,
      content: retry.content,
      properties: JSON.stringify(retry.properties),
      attempt: retry.attempt,
      due_at: retry.dueAt,
    })
    .execute();
}

/** Retries waiting, and the due time of the next one (for status pages and metrics). */
export async function retryBacklog(
  db: Kysely<RetryDatabase>,
): Promise<{ waiting: number; nextDueAt: Date | null }> {
  const row = await db
    .selectFrom('retries')
    .select((eb) => [eb.fn.countAll<string>().as('waiting'), eb.fn.min('due_at').as('next')])
    .executeTakeFirstOrThrow();
  return { waiting: Number(row.waiting), nextDueAt: row.next === null ? null : new Date(row.next) };
}

export interface RetryPump {
  /** Publishes the retries that are due now; resolves with how many. */
  flush: () => Promise<number>;
  /** A retry was scheduled: look again soon. */
  wake: () => void;
  /**
   * The upstream answers again (a message just went through): retries waiting longer than a few seconds
   * are brought forward to now (±1 s), so a burst of errors that pushed some messages into the minutes-long
   * backoff does not keep them waiting once it is over. During a real outage nothing goes through, so
   * nothing is brought forward and the backoff holds. Throttled to once every few seconds.
   */
  upstreamAnswers: () => void;
  close: () => Promise<void>;
}

/** Retries due later than this are brought forward when the upstream answers again. */
const expediteBeyondMs = 5_000;

export function startRetryPump(options: {
  db: Kysely<RetryDatabase>;
  connection: RecoveringChannelModel;
  topology: ConsumerTopology;
  logger: Logger;
  signal: AbortSignal;
  now?: () => Date;
  /** Longest sleep between two looks at the table (another replica may have scheduled a retry). */
  sweepIntervalMs?: number;
  batchSize?: number;
}): RetryPump {
  const now = options.now ?? (() => new Date());
  const sweepMs = options.sweepIntervalMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const logger = options.logger.child({ component: 'retry-pump', group: options.topology.group });
  const closing = new AbortController();
  const signal = AbortSignal.any([options.signal, closing.signal]);
  let channel: ConfirmChannel | undefined;
  let returned = 0;
  let wakeUp: AbortController | undefined;
  let running: Promise<number> | undefined;

  const getChannel = async (): Promise<ConfirmChannel> => {
    if (channel) return channel;
    const created = await options.connection.createConfirmChannel();
    created.on('close', () => {
      if (channel === created) channel = undefined;
    });
    created.on('error', (error: Error) => logger.warn({ reason: error.message }, 'retry channel error'));
    created.on('return', () => {
      returned += 1;
    });
    channel = created;
    return created;
  };

  const publishDue = (): Promise<number> =>
    options.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('retries')
        .selectAll()
        .where('queue', 'in', options.topology.partitionQueues)
        .where('due_at', '<=', now())
        .orderBy('due_at')
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const ch = await getChannel();
      returned = 0;
      for (const row of rows) {
        const properties = row.properties as RetryProperties;
        // In the trace the message carries, as the relay publishes (amqplib's instrumentation continues it).
        context.with(propagation.extract(ROOT_CONTEXT, properties.headers), () =>
          ch.publish(options.topology.requeueExchange, row.queue, row.content, {
            ...properties,
            persistent: true,
            mandatory: true,
          }),
        );
      }
      await ch.waitForConfirms();
      if (returned > 0)
        throw new Error(`${returned} retried message(s) were unroutable (no partition queue)`);
      await trx
        .deleteFrom('retries')
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      return rows.length;
    });

  const flush = (): Promise<number> => {
    running ??= (async () => {
      let total = 0;
      for (;;) {
        const published = await publishDue();
        total += published;
        if (published < batchSize) return total;
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const nextDelay = async (): Promise<number> => {
    const next = await options.db
      .selectFrom('retries')
      .where('queue', 'in', options.topology.partitionQueues)
      .select((eb) => eb.fn.min('due_at').as('next'))
      .executeTakeFirst();
    if (!next?.next) return sweepMs;
    return Math.max(0, Math.min(sweepMs, new Date(next.next).getTime() - now().getTime()));
  };

  const loop = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      let delay: number;
      try {
        const published = await flush();
        if (published > 0) logger.info({ published }, 'retries published');
        failures = 0;
        delay = await nextDelay();
      } catch (error) {
        failures += 1;
        channel = undefined;
        logger.warn(
          { reason: error instanceof Error ? error.message : 'unknown', failures },
          'publishing due retries failed',
        );
        delay = backoffDelay(failures, infrastructureBackoff);
      }
      wakeUp = new AbortController();
      await abortableDelay(delay, AbortSignal.any([signal, wakeUp.signal]));
      wakeUp = undefined;
    }
  })();

  let lastExpedite = 0;
  const upstreamAnswers = () => {
    const at = now();
    if (at.getTime() - lastExpedite < expediteBeyondMs) return;
    lastExpedite = at.getTime();
    void options.db
      .updateTable('retries')
      .set({ due_at: sql<Date>`${at}::timestamptz + random() * interval '1 second'` })
      .where('queue', 'in', options.topology.partitionQueues)
      .where('due_at', '>', new Date(at.getTime() + expediteBeyondMs))
      .executeTakeFirst()
      .then((result) => {
        const moved = Number(result.numUpdatedRows);
        if (moved > 0) {
          logger.info({ moved }, 'the upstream answers again: waiting retries brought forward');
          wakeUp?.abort();
        }
      })
      .catch((error: unknown) => {
        logger.warn(
          { reason: error instanceof Error ? error.message : 'unknown' },
          'bringing retries forward failed',
        );
      });
  };

  return {
    flush,
    upstreamAnswers,
    wake: () => wakeUp?.abort(),
    close: async () => {
      closing.abort();
      await loop;
      await running?.catch(() => 0);
      const ch = channel;
      channel = undefined;
      await ch?.close().catch(() => undefined);
    },
  };
}
