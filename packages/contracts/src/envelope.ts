import { z } from 'zod';

/** The two upstream systems. */
export const SourceSystem = z.enum(['primero', 'oscar']);
export type SourceSystem = z.infer<typeof SourceSystem>;

/**
 * Subject: the canonical case key that orders events. Events with the same subject are applied in order;
 * different subjects run in parallel. Primero-sourced events use `primero:<case_id>`, OSCaR-sourced events
 * `oscar:<global_id>`.
 *
 * @example 'primero:5f6130b0-bfa7-4544-a3c8-897f54d3b877'
 */
export const Subject = z
  .string()
  .regex(/^(primero|oscar):\S+$/, 'must look like "primero:<case_id>" or "oscar:<global_id>"');

/**
 * Envelope metadata carried by every event. The event id is a UUIDv7 and is also the AMQP `messageId`.
 * Trace context travels in AMQP headers (W3C `traceparent`), never in the payload.
 *
 * @example
 * { eventId: '01930c5e-7a9b-7c3d-8e4f-5a6b7c8d9e0f', schemaVersion: 1, occurredAt: '2026-11-29T10:00:00.000Z',
 *   source: 'primero', subject: 'primero:5f6130b0-…', correlationId: '01930c5e-…', causationId: null }
 */
export const EventMetadata = z
  .object({
    eventId: z.uuidv7(),
    schemaVersion: z.number().int().positive(),
    occurredAt: z.iso.datetime(),
    source: SourceSystem,
    subject: Subject,
    correlationId: z.uuid(),
    causationId: z.uuid().nullable(),
  })
  .strict();
export type EventMetadata = z.infer<typeof EventMetadata>;

/** Builds the schema of one event type: `{ type, data, metadata }` (STYLE.md, emmett style). */
export function eventSchema<const T extends string, D extends z.ZodType>(type: T, data: D) {
  return z
    .object({
      type: z.literal(type),
      data,
      metadata: EventMetadata,
    })
    .strict();
}
