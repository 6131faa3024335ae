import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { type Kysely, sql } from 'kysely';
import type { Migration } from 'kysely/migration';

import type { DeadLetterDatabase } from './tables.ts';

/**
 * The one record of every failure an operator may have to act on, whichever service met it: a poller's
 * malformed source record, a writer's permanent failure, retries exhausted, a poison message. Each row
 * names the case (Primero `case_id`, OSCaR `global_id`), the route, the error code, a reason that names
 * the field (never its value), the attempts, the first and last failure time and the mapping version in
 * force — and, for a writer, the original event, sealed (AES-256-GCM, `DEAD_LETTER_KEY`) so that child
 * data never lies readable at rest, and dropped after `DEAD_LETTER_RETENTION_DAYS`.
 */
export interface DeadLetterEntry {
  service: string;
  /** `event` (a writer could not apply an event) or `record` (a poller could not map a source record). */
  kind: 'event' | 'record';
  eventId: string | null;
  route: string | null;
  subject: string | null;
  caseId: string | null;
  globalId: string | null;
  code: string;
  reason: string;
  attempts: number;
  firstFailedAt: Date | null;
  mappingVersion: string | null;
  originalRoutingKey: string | null;
  originalQueue: string;
  /** The event as it arrived (writers); sealed before it is stored, left out when no key is configured. */
  payload?: Buffer | undefined;
  headers: Record<string, unknown>;
  /** For a poller's record: the source's own update time, from which a replay reads again. */
  sourceUpdatedAt?: string | null | undefined;
}

/** Seals and opens dead-letter payloads; `null` when no key is configured (payloads are then not kept). */
export interface PayloadCipher {
  seal: (plain: Buffer) => Buffer;
  open: (sealed: Buffer) => Buffer;
}

/**
 * `DEAD_LETTER_KEY`: 32 bytes, base64 or hex. Layout of a sealed payload: 12-byte IV, 16-byte tag, data.
 * Throws on a key of the wrong size (config validation reports it at start).
 */
export function payloadCipher(keyText: string): PayloadCipher | null {
  if (keyText === '') return null;
  const key = /^[0-9a-f]{64}$/i.test(keyText) ? Buffer.from(keyText, 'hex') : Buffer.from(keyText, 'base64');
  if (key.length !== 32) throw new Error('DEAD_LETTER_KEY must be 32 bytes, base64 or hex');
  return {
    seal: (plain) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), data]);
    },
    open: (sealed) => {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
    },
  };
}

/** Runs once per schema: writers have had `dead_letters` since their first migration, pollers get it here. */
export function deadLetterMigrations(): Record<string, Migration> {
  return {
    '2026-12-01T00.10-dead-letters-unified': {
      up: async (db) => {
        await db.schema
          .createTable('dead_letters')
          .ifNotExists()
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('event_id', 'uuid')
          .addColumn('route', 'text')
          .addColumn('subject', 'text')
          .addColumn('case_id', 'text')
          .addColumn('global_id', 'text')
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('original_routing_key', 'text')
          .addColumn('original_queue', 'text', (c) => c.notNull())
          .addColumn('payload', 'jsonb')
          .addColumn('headers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
          .addColumn('failed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('replayed_at', 'timestamptz')
          .execute();
        await db.schema
          .alterTable('dead_letters')
          .addColumn('service', 'text')
          .addColumn('kind', 'text', (c) => c.notNull().defaultTo('event'))
          .addColumn('mapping_version', 'text')
          .addColumn('first_failed_at', 'timestamptz')
          .addColumn('payload_sealed', 'bytea')
          .addColumn('source_updated_at', 'text')
          .addColumn('discarded_at', 'timestamptz')
          .execute();
        // Events are kept sealed from now on: the plain column is no longer written.
        await db.updateTable('dead_letters').set({ payload: null }).execute();
        for (const column of ['case_id', 'global_id', 'code'] as const) {
          await db.schema
            .createIndex(`dead_letters_${column}`)
            .ifNotExists()
            .on('dead_letters')
            .column(column)
            .execute();
        }
        await db.schema
          .createTable('dead_letter_actions')
          .addColumn('id', 'bigserial', (c) => c.primaryKey())
          .addColumn('dead_letter_id', 'bigint', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
          .addColumn('outcome', 'text', (c) => c.notNull())
          .addColumn('detail', 'text')
          .execute();
      },
      down: async (db) => {
        await db.schema.dropTable('dead_letter_actions').execute();
      },
    },
  };
}

/** Writes one dead letter; returns its id. */
export async function recordDeadLetter(
  db: Kysely<DeadLetterDatabase>,
  entry: DeadLetterEntry,
  cipher: PayloadCipher | null,
  now: Date = new Date(),
): Promise<string> {
  const row = await db
    .insertInto('dead_letters')
    .values({
      service: entry.service,
      kind: entry.kind,
      event_id: entry.eventId !== null && /^[0-9a-f-]{36}$/i.test(entry.eventId) ? entry.eventId : null,
      route: entry.route,
      subject: entry.subject,
      case_id: entry.caseId,
      global_id: entry.globalId,
      code: entry.code,
      reason: entry.reason,
      attempts: entry.attempts,
      first_failed_at: entry.firstFailedAt ?? now,
      failed_at: now,
      mapping_version: entry.mappingVersion,
      original_routing_key: entry.originalRoutingKey,
      original_queue: entry.originalQueue,
      payload: null,
      payload_sealed: entry.payload && cipher ? cipher.seal(entry.payload) : null,
      headers: JSON.stringify(entry.headers),
      source_updated_at: entry.sourceUpdatedAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** How long a dead letter keeps its (sealed) event: `DEAD_LETTER_RETENTION_DAYS`, default 30. */
export const defaultDeadLetterRetentionDays = 30;

/** Drops the sealed events of dead letters older than the retention; the ids and reasons stay. */
export async function pruneDeadLetterPayloads(
  db: Kysely<DeadLetterDatabase>,
  now: Date,
  retentionDays: number = defaultDeadLetterRetentionDays,
): Promise<number> {
  const result = await db
    .updateTable('dead_letters')
    .set({ payload_sealed: null })
    .where('payload_sealed', 'is not', null)
    .where('failed_at', '<', new Date(now.getTime() - retentionDays * 86_400_000))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
