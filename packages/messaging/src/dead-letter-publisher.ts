import type { ConfirmChannel, RecoveringChannelModel } from 'amqplib';
import type { Kysely } from 'kysely';

import { recordDeadLetter } from './dead-letters.ts';
import type { DeadLetterDatabase } from './tables.ts';

export interface RejectedRecord {
  source: 'primero' | 'oscar';
  /** Primero case_id / record id, or OSCaR global_id: what an operator searches by. */
  sourceId: string;
  code: string;
  /** Names the record id and field, never a value. */
  reason: string;
  /** The record's own update time in its source, from which a replay reads again. */
  sourceUpdatedAt?: string | null;
}

export interface DeadLetterPublisher {
  publish: (record: RejectedRecord) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Dead-letters a malformed source record found by a poller, through the same record as a writer's dead
 * letters (dead-letters.ts) — with ids only, no content: the record stays in its source system, where it
 * must be fixed, and a replay reads it again from there — plus a notice on `<service>.dead`.
 */
export function createDeadLetterPublisher(
  connection: RecoveringChannelModel,
  service: string,
  db?: Kysely<DeadLetterDatabase>,
  mappingVersion?: string,
): DeadLetterPublisher {
  const exchange = `${service}.dead`;
  let channel: ConfirmChannel | undefined;

  const getChannel = async (): Promise<ConfirmChannel> => {
    if (channel) return channel;
    const created = await connection.createConfirmChannel();
    created.on('close', () => {
      if (channel === created) channel = undefined;
    });
    created.on('error', () => undefined);
    await created.assertExchange(exchange, 'fanout', { durable: true });
    await created.assertQueue(exchange, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await created.bindQueue(exchange, exchange, '');
    channel = created;
    return created;
  };

  return {
    publish: async (record) => {
      const id = db
        ? await recordDeadLetter(
            db,
            {
              service,
              kind: 'record',
              eventId: null,
              route: null,
              subject: `${record.source}:${record.sourceId}`,
              caseId: record.source === 'primero' ? record.sourceId : null,
              globalId: record.source === 'oscar' ? record.sourceId : null,
              code: record.code,
              reason: record.reason,
              attempts: 1,
              firstFailedAt: null,
              mappingVersion: mappingVersion ?? null,
              originalRoutingKey: null,
              originalQueue: `${service}.poll`,
              headers: {},
              sourceUpdatedAt: record.sourceUpdatedAt ?? null,
            },
            null,
          )
        : null;
      const ch = await getChannel();
      const failedAt = new Date().toISOString();
      ch.publish(exchange, '', Buffer.from(JSON.stringify({ ...record, failedAt })), {
        persistent: true,
        contentType: 'application/json',
        type: 'RecordRejected',
        headers: {
          'x-dead-reason': record.reason,
          'x-dead-code': record.code,
          'x-attempts': 1,
          'x-source': record.source,
          'x-source-id': record.sourceId,
          'x-failed-at': failedAt,
          'x-service': service,
          ...(id === null ? {} : { 'x-dead-letter-id': id }),
        },
      });
      await ch.waitForConfirms();
    },
    close: async () => {
      const ch = channel;
      channel = undefined;
      await ch?.close().catch(() => undefined);
    },
  };
}
