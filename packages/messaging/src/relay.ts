import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { type Logger, noopMetrics, type RelayMetrics } from '@pos/runtime';
import type { ConfirmChannel, RecoveringChannelModel } from 'amqplib';
import type { Kysely } from 'kysely';
import type pg from 'pg';

import { abortableDelay } from './abortable.ts';
import { backoffDelay, infrastructureBackoff } from './core/backoff.policy.ts';
import { partitionOf } from './core/partition.ts';
import { eventsExchange, partitionedRoutingKey } from './core/topology.ts';
import { outboxChannel } from './outbox.repository.ts';
import { pruneIntervalMs, pruneOutbox } from './retention.ts';
import type { OutboxDatabase, OutboxRow } from './tables.ts';

export interface RelayOptions {
  db: Kysely<OutboxDatabase>;
  /** A pool to take the dedicated LISTEN connection from. */
  pool: pg.Pool;
  schema: string;
  connection: RecoveringChannelModel;
  partitions: number;
  logger: Logger;
  batchSize?: number;
  /** Fallback sweep when no notification arrives (lost NOTIFY, relay restarted, rows left by a crash). */
  sweepIntervalMs?: number;
  /** The service's shutdown signal: the relay's waits end when it aborts. */
  signal?: AbortSignal;
  /** Reports rows published and failed rounds; default: nothing. */
  metrics?: RelayMetrics;
}

export interface Relay {
  /** Publishes what is pending now; resolves with the number of rows published. */
  flush: () => Promise<number>;
  close: () => Promise<void>;
}

/**
 * Publishes outbox rows to RabbitMQ with publisher confirms and marks a row published only after the
 * broker confirmed it. Rows are taken `FOR UPDATE SKIP LOCKED` in id order, so several relays never
 * publish the same row concurrently; a crash between confirm and commit publishes a row twice at worst
 * (the writers' inbox drops the duplicate). LISTEN/NOTIFY wakes it at once; a periodic sweep is the
 * fallback. `mandatory` publishing turns an unroutable message (no partition queue bound) into an error,
 * so a row is never marked published when no queue took it.
 */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  const batchSize = options.batchSize ?? 200;
  const sweepMs = options.sweepIntervalMs ?? 1_000;
  const logger = options.logger.child({ component: 'outbox-relay' });
  const metrics = options.metrics ?? noopMetrics.relay;
  let channel: ConfirmChannel | undefined;
  let returned: string[] = [];
  const closing = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, closing.signal]) : closing.signal;
  let wakeUp: AbortController | undefined;
  let running: Promise<number> | undefined;

  let notified = false;
  let listener: pg.PoolClient | undefined;
  /** LISTENs for new rows; after Postgres restarts, the loop listens again (the sweep covers the gap). */
  const listen = async (): Promise<void> => {
    const client = await options.pool.connect();
    client.on('notification', () => {
      notified = true;
      wakeUp?.abort();
    });
    client.on('error', (error: Error) => {
      logger.warn({ reason: error.message }, 'outbox listener lost; listening again');
      if (listener === client) listener = undefined;
      client.release(error);
    });
    try {
      await client.query(`listen "${outboxChannel(options.schema)}"`);
    } catch (error) {
      client.release(error instanceof Error ? error : true);
      throw error;
    }
    listener = client;
  };
  await listen();

  const getChannel = async (): Promise<ConfirmChannel> => {
    if (channel) return channel;
    const created = await options.connection.createConfirmChannel();
    created.on('close', () => {
      if (channel === created) channel = undefined;
    });
    created.on('error', (error: Error) => logger.warn({ reason: error.message }, 'relay channel error'));
    created.on('return', (message: { properties: { messageId?: string } }) => {
      returned.push(message.properties.messageId ?? '?');
    });
    await created.assertExchange(eventsExchange, 'topic', { durable: true });
    channel = created;
    return created;
  };

  const publishBatch = async (): Promise<number> => {
    const published = await options.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const ch = await getChannel();
      returned = [];
      for (const row of rows) publishRow(ch, row, options.partitions);
      await ch.waitForConfirms();
      if (returned.length > 0) {
        throw new Error(
          `${returned.length} event(s) were unroutable (no partition queue bound for them): ${returned.slice(0, 5).join(', ')}`,
        );
      }
      await trx
        .updateTable('outbox')
        .set({ published_at: new Date(), payload: null })
        .where(
          'id',
          'in',
          rows.map((row) => row.id),
        )
        .execute();
      return rows.length;
    });
    // Counted once committed: rows of a round whose commit failed go out again and are counted then.
    if (published > 0) metrics.published(published);
    return published;
  };

  const flush = async (): Promise<number> => {
    if (running) return running;
    running = (async () => {
      let total = 0;
      for (;;) {
        const published = await publishBatch();
        total += published;
        if (published < batchSize) return total;
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  let lastPrune = 0;
  const loop = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!listener) await listen();
        notified = false;
        const published = await flush();
        if (published > 0) logger.debug({ published }, 'outbox published');
        failures = 0;
        if (Date.now() - lastPrune >= pruneIntervalMs) {
          lastPrune = Date.now();
          const pruned = await pruneOutbox(options.db, new Date());
          if (pruned > 0) logger.info({ pruned }, 'old outbox rows pruned');
        }
      } catch (error) {
        failures += 1;
        channel = undefined;
        metrics.publishFailed();
        logger.warn(
          { reason: error instanceof Error ? error.message : 'unknown', failures },
          'outbox publish failed',
        );
        await abortableDelay(backoffDelay(failures, infrastructureBackoff), signal);
        continue;
      }
      if (notified) continue;
      wakeUp = new AbortController();
      await abortableDelay(sweepMs, AbortSignal.any([signal, wakeUp.signal]));
      wakeUp = undefined;
    }
  })();

  return {
    flush,
    close: async () => {
      closing.abort();
      await loop;
      await running?.catch(() => 0);
      listener?.release();
      listener = undefined;
      const ch = channel;
      channel = undefined;
      await ch?.close().catch(() => undefined);
    },
  };
}

function publishRow(ch: ConfirmChannel, row: OutboxRow, partitions: number): void {
  const partition = partitionOf(row.subject, partitions);
  // In the context of the span that emitted the event (stored with the row): amqplib's instrumentation makes
  // its publish span a child of it and puts that in the headers, so the change keeps one unbroken trace.
  context.with(propagation.extract(ROOT_CONTEXT, row.headers), () =>
    ch.publish(
      eventsExchange,
      partitionedRoutingKey(row.route, partition),
      Buffer.from(JSON.stringify(row.payload)),
      {
        persistent: true,
        mandatory: true,
        contentType: 'application/json',
        messageId: row.event_id,
        type: row.route,
        timestamp: Math.floor(new Date(row.created_at).getTime() / 1000),
        headers: { ...row.headers, 'x-subject': row.subject },
      },
    ),
  );
}
