import type { ConfirmChannel } from 'amqplib';
import type { Kysely } from 'kysely';

import type { FailureInfo } from './core/failure.ts';
import { type PayloadCipher, recordDeadLetter } from './dead-letters.ts';
import { carriedProperties, type Delivery, withoutBrokerHeaders } from './delivery.ts';
import type { CaseKeys } from './delivery-classification.ts';
import type { RetryProperties } from './retry-store.ts';
import type { DeadLetterDatabase } from './tables.ts';

export interface DeadLetteringDeps {
  db: Kysely<DeadLetterDatabase>;
  service: string;
  /** The dead-letter exchange of the writer's group (`<writer>.dead`). */
  deadExchange: string;
  cipher: PayloadCipher | null;
  mappingVersion: string | null;
  now: () => Date;
}

/**
 * Dead-letters a delivered event: first the row in Postgres an operator works from (`dead_letters`, the
 * event kept only sealed), then a notice on `<writer>.dead` for whoever watches the broker — ids, the code
 * and the reason, never the event. The caller acknowledges the delivery after both; returns the row's id.
 */
export async function deadLetterDelivery(
  ch: ConfirmChannel,
  delivery: Delivery,
  failure: FailureInfo,
  keys: CaseKeys,
  deps: DeadLetteringDeps,
): Promise<string> {
  const { eventId, route, subject, attempt, queue } = delivery;
  const id = await recordDeadLetter(
    deps.db,
    {
      service: deps.service,
      kind: 'event',
      eventId,
      route,
      subject,
      caseId: keys.caseId,
      globalId: keys.globalId,
      code: failure.code,
      reason: failure.message,
      attempts: attempt,
      firstFailedAt: delivery.firstFailedAt,
      mappingVersion: deps.mappingVersion,
      originalRoutingKey: delivery.originalRoutingKey,
      originalQueue: queue,
      payload: delivery.message.content,
      headers: withoutBrokerHeaders(delivery.headers),
    },
    deps.cipher,
    deps.now(),
  );
  await publishConfirmed(
    ch,
    deps.deadExchange,
    '',
    Buffer.from(JSON.stringify({ deadLetterId: id, eventId, code: failure.code, ...keys })),
    {
      ...carriedProperties(delivery.message),
      contentType: 'application/json',
      headers: {
        'x-dead-letter-id': id,
        'x-dead-reason': failure.message,
        'x-dead-code': failure.code,
        'x-attempts': attempt,
        'x-original-routing-key': delivery.originalRoutingKey,
        'x-original-queue': queue,
        'x-subject': subject,
        'x-case-id': keys.caseId,
        'x-global-id': keys.globalId,
        'x-failed-at': deps.now().toISOString(),
        'x-service': deps.service,
      },
    },
  );
  return id;
}

function publishConfirmed(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  properties: RetryProperties,
): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish(exchange, routingKey, content, { persistent: true, ...properties }, (error: unknown) =>
      error ? reject(error instanceof Error ? error : new Error('publish nacked')) : resolve(),
    );
  });
}
