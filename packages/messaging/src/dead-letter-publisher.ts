import type { ConfirmChannel, RecoveringChannelModel } from 'amqplib';

export interface RejectedRecord {
  source: 'primero' | 'oscar';
  /** Primero case_id / record id, or OSCaR global_id: what an operator searches by. */
  sourceId: string;
  code: string;
  /** Names the record id and field, never a value. */
  reason: string;
}

export interface DeadLetterPublisher {
  publish: (record: RejectedRecord) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * Dead-letters a malformed source record found by a poller: a message on `<service>.dead` carrying the
 * reason and the record's id (not its content — the record stays in its source system, where it must be
 * fixed; the next poll picks it up again).
 */
export function createDeadLetterPublisher(
  connection: RecoveringChannelModel,
  service: string,
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
