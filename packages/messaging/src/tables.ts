import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Events a poller wrote, in the same transaction as its cursor; the relay publishes and then marks them. */
export interface OutboxTable {
  id: Generated<string>;
  event_id: string;
  /** Registry routing key (`primero.case.changed`), without the partition suffix. */
  route: string;
  subject: string;
  /** The event; nulled once published (no case data at rest longer than needed). */
  payload: ColumnType<unknown, string | null, string | null> | null;
  /** W3C trace context and other AMQP headers captured when the event was written. */
  headers: ColumnType<Record<string, string>, string, string>;
  created_at: Timestamp;
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  attempts: Generated<number>;
}

/** Events a writer has finished with (applied, stale or dead-lettered), for deduplication. */
export interface InboxTable {
  event_id: string;
  route: string;
  subject: string;
  outcome: 'applied' | 'skipped' | 'stale' | 'dead-lettered';
  processed_at: Timestamp;
}

/** The newest event applied per subject and route: older events that arrive late are stale. */
export interface SubjectProgressTable {
  subject: string;
  route: string;
  last_event_id: string;
  updated_at: Timestamp;
}

/** Every failure an operator may have to act on (see dead-letters.ts): what they find, read, replay or discard. */
export interface DeadLetterTable {
  id: Generated<string>;
  service: string | null;
  kind: ColumnType<'event' | 'record', 'event' | 'record' | undefined, 'event' | 'record'>;
  event_id: string | null;
  route: string | null;
  subject: string | null;
  case_id: string | null;
  global_id: string | null;
  code: string;
  reason: string;
  attempts: number;
  original_routing_key: string | null;
  original_queue: string;
  /** No longer written: events are kept sealed in `payload_sealed`. */
  payload: ColumnType<unknown, string | null, string | null> | null;
  payload_sealed: Buffer | null;
  headers: ColumnType<Record<string, unknown>, string, string>;
  mapping_version: string | null;
  source_updated_at: string | null;
  first_failed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  failed_at: Timestamp;
  replayed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  discarded_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Who replayed or discarded which dead letter, when, and how it went. */
export interface DeadLetterActionTable {
  id: Generated<string>;
  dead_letter_id: string;
  action: 'replay' | 'discard';
  actor: string;
  at: Generated<Date>;
  outcome: string;
  detail: string | null;
}

export interface DeadLetterDatabase {
  dead_letters: DeadLetterTable;
  dead_letter_actions: DeadLetterActionTable;
}

/** A message waiting to be retried: published back to its partition queue when due (see retry-store.ts). */
export interface RetriesTable {
  id: Generated<string>;
  event_id: string | null;
  /** The partition queue it goes back to. */
  queue: string;
  content: Buffer;
  properties: ColumnType<unknown, string, string>;
  attempt: number;
  due_at: Timestamp;
  created_at: Generated<Date>;
}

export interface OutboxDatabase {
  outbox: OutboxTable;
}

export interface InboxDatabase extends DeadLetterDatabase {
  inbox: InboxTable;
  subject_progress: SubjectProgressTable;
  retries: RetriesTable;
}

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
export type DeadLetterRow = Selectable<DeadLetterTable>;
