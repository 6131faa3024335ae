import { v7 } from 'uuid';

/** A new event id: UUIDv7, time-ordered (monotonic within the process), also the AMQP messageId. */
export function newEventId(): string {
  return v7();
}
