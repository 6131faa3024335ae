import type { ConsumeMessage } from 'amqplib';

import { routeOf } from './core/topology.ts';
import type { RetryProperties } from './retry-store.ts';

/**
 * One message as the broker delivered it to a partition queue, with what the consumer reads from its AMQP
 * properties and headers once: the attempt it is on, how often the broker has delivered it, its route,
 * event id and subject, the routing it first had, and when it first failed.
 */
export interface Delivery {
  queue: string;
  message: ConsumeMessage;
  headers: Record<string, unknown>;
  /** `x-attempt`: 1 on the first delivery, counted up by each retry. */
  attempt: number;
  /** `x-delivery-count`: how often the broker delivered it without an ack (quorum queues). */
  deliveryCount: number;
  route: string;
  eventId: string | null;
  subject: string | null;
  /** The routing key it was first published with (a retry keeps it in `x-original-routing-key`). */
  originalRoutingKey: string;
  /** `x-first-failed-at`, when an earlier attempt failed. */
  firstFailedAt: Date | null;
}

export function readDelivery(queue: string, message: ConsumeMessage): Delivery {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const firstFailedAt =
    typeof headers['x-first-failed-at'] === 'string' ? new Date(headers['x-first-failed-at']) : null;
  return {
    queue,
    message,
    headers,
    attempt: Number(headers['x-attempt'] ?? 1),
    deliveryCount: Number(headers['x-delivery-count'] ?? 0),
    route: routeOfMessage(message),
    eventId: typeof message.properties.messageId === 'string' ? message.properties.messageId : null,
    subject: typeof headers['x-subject'] === 'string' ? headers['x-subject'] : null,
    originalRoutingKey:
      typeof headers['x-original-routing-key'] === 'string'
        ? headers['x-original-routing-key']
        : message.fields.routingKey,
    firstFailedAt: firstFailedAt && !Number.isNaN(firstFailedAt.getTime()) ? firstFailedAt : null,
  };
}

/** The message's route: its `type` property, else read off the partitioned routing key. */
export function routeOfMessage(message: ConsumeMessage): string {
  return typeof message.properties.type === 'string'
    ? message.properties.type
    : routeOf(message.fields.routingKey);
}

/** The AMQP properties a retry of this delivery is published with: its headers carry the next attempt. */
export function retryPropertiesOf(
  delivery: Delivery,
  retry: { attempt: number; code: string; now: Date },
): RetryProperties {
  return {
    ...carriedProperties(delivery.message),
    headers: {
      ...withoutBrokerHeaders(delivery.headers),
      'x-attempt': retry.attempt,
      'x-last-error-code': retry.code,
      'x-first-failed-at':
        typeof delivery.headers['x-first-failed-at'] === 'string'
          ? delivery.headers['x-first-failed-at']
          : retry.now.toISOString(),
      'x-original-routing-key': delivery.originalRoutingKey,
    },
  };
}

/** Headers the broker adds on delivery: a retry is a new message, its delivery count starts again. */
export function withoutBrokerHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const { 'x-delivery-count': _count, 'x-death': _death, ...rest } = headers;
  return rest;
}

/** The properties of a delivered message worth carrying into a retry or a dead letter, narrowed from amqplib's loose types. */
export function carriedProperties(message: ConsumeMessage): Omit<RetryProperties, 'headers'> {
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
