import { type DeadLetterService, deadLetterServices } from '@pos/dlq';
import { type Kysely, sql } from 'kysely';

/**
 * Reads of the four services' own schemas (the console keeps none of their state): outbox backlogs and
 * cursors of the pollers, retries of the writers, open dead letters of all four, and one case's outbox and
 * inbox rows. A schema that does not exist yet (its service has never run) reads as empty.
 */
export type PollerName = 'primero-poller' | 'oscar-poller';
export type WriterName = 'primero-writer' | 'oscar-writer';
export const pollerNames: readonly PollerName[] = ['primero-poller', 'oscar-poller'];
export const writerNames: readonly WriterName[] = ['primero-writer', 'oscar-writer'];

interface SyncTables {
  outbox: {
    id: string;
    event_id: string;
    route: string;
    subject: string;
    headers: Record<string, string>;
    created_at: Date;
    published_at: Date | null;
    attempts: number;
  };
  inbox: { event_id: string; route: string; subject: string; outcome: string; processed_at: Date };
  cursor: { name: string; value: string; updated_at: Date };
  retries: { id: string; attempt: number; due_at: Date; created_at: Date };
  dead_letters: { id: string; replayed_at: Date | null; discarded_at: Date | null };
  oscar_links: { oscar_number: string; case_id: string };
  links: { global_id: string; case_id: string; case_id_display: string };
  client_sources: { global_id: string; slug: string | null };
}

export interface PollerState {
  cursor: { name: string; value: string; updatedAt: Date } | null;
  outbox: { unpublished: number; oldestCreatedAt: Date | null };
  openDeadLetters: number;
}

export interface WriterState {
  /** Messages waiting in `retries` for their next attempt, by attempt number (the retry tier). */
  retries: Array<{ attempt: number; count: number; nextDueAt: Date }>;
  openDeadLetters: number;
}

export function schemaOf(service: DeadLetterService): string {
  return deadLetterServices[service];
}

export async function readPollerState(db: Kysely<unknown>, service: PollerName): Promise<PollerState> {
  const scoped = (db as Kysely<SyncTables>).withSchema(schemaOf(service));
  const [cursor, outbox, openDeadLetters] = await Promise.all([
    orEmpty(
      scoped.selectFrom('cursor').selectAll().orderBy('updated_at', 'desc').executeTakeFirst(),
      undefined,
    ),
    orEmpty(
      scoped
        .selectFrom('outbox')
        .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.min('created_at').as('oldest')])
        .where('published_at', 'is', null)
        .executeTakeFirst(),
      undefined,
    ),
    countOpenDeadLetters(db, service),
  ]);
  return {
    cursor: cursor
      ? { name: cursor.name, value: cursor.value, updatedAt: new Date(cursor.updated_at) }
      : null,
    outbox: {
      unpublished: Number(outbox?.n ?? 0),
      oldestCreatedAt: outbox?.oldest ? new Date(outbox.oldest) : null,
    },
    openDeadLetters,
  };
}

export async function readWriterState(db: Kysely<unknown>, service: WriterName): Promise<WriterState> {
  const scoped = (db as Kysely<SyncTables>).withSchema(schemaOf(service));
  const [retries, openDeadLetters] = await Promise.all([
    orEmpty(
      scoped
        .selectFrom('retries')
        .select((eb) => ['attempt', eb.fn.countAll<string>().as('n'), eb.fn.min('due_at').as('next')])
        .groupBy('attempt')
        .orderBy('attempt')
        .execute(),
      [],
    ),
    countOpenDeadLetters(db, service),
  ]);
  return {
    retries: retries.map((row) => ({
      attempt: row.attempt,
      count: Number(row.n),
      nextDueAt: new Date(row.next),
    })),
    openDeadLetters,
  };
}

async function countOpenDeadLetters(db: Kysely<unknown>, service: DeadLetterService): Promise<number> {
  const row = await orEmpty(
    (db as Kysely<SyncTables>)
      .withSchema(schemaOf(service))
      .selectFrom('dead_letters')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('replayed_at', 'is', null)
      .where('discarded_at', 'is', null)
      .executeTakeFirst(),
    undefined,
  );
  return Number(row?.n ?? 0);
}

/** The ids a search text stands for: Primero case_ids and OSCaR global_ids. */
export interface CaseIdentity {
  caseIds: string[];
  globalIds: string[];
}

/**
 * What a search text names: a Primero `case_id` (or its short display id, its last 7 characters) or an
 * OSCaR `global_id` (or a client's slug), resolved through the links the services keep — the primero-poller's
 * `oscar_links`, the oscar-writer's `links`, the oscar-poller's `client_sources` — and the subjects of the
 * events both pollers emitted, so a case and its OSCaR client are found by either id.
 */
export async function resolveIdentity(db: Kysely<unknown>, text: string): Promise<CaseIdentity> {
  const q = text.trim();
  const caseIds = new Set<string>();
  const globalIds = new Set<string>();
  if (q === '') return { caseIds: [], globalIds: [] };
  const typed = db as Kysely<SyncTables>;
  // A display id is the case_id's last 7 characters; a suffix search needs at least that many.
  const suffix = q.length >= 7 ? `%${q.replace(/[%_\\]/g, '')}` : null;

  const [poller, writer, sources, subjects] = await Promise.all([
    orEmpty(
      typed
        .withSchema(schemaOf('primero-poller'))
        .selectFrom('oscar_links')
        .select(['oscar_number', 'case_id'])
        .where((eb) =>
          eb.or([
            eb('oscar_number', '=', q),
            eb('case_id', '=', q),
            ...(suffix ? [eb('case_id', 'like', suffix)] : []),
          ]),
        )
        .limit(20)
        .execute(),
      [],
    ),
    orEmpty(
      typed
        .withSchema(schemaOf('oscar-writer'))
        .selectFrom('links')
        .select(['global_id', 'case_id'])
        .where((eb) => eb.or([eb('global_id', '=', q), eb('case_id', '=', q), eb('case_id_display', '=', q)]))
        .limit(20)
        .execute(),
      [],
    ),
    orEmpty(
      typed
        .withSchema(schemaOf('oscar-poller'))
        .selectFrom('client_sources')
        .select('global_id')
        .where((eb) => eb.or([eb('global_id', '=', q), eb('slug', '=', q)]))
        .limit(20)
        .execute(),
      [],
    ),
    Promise.all(
      pollerNames.map((service) =>
        orEmpty(
          typed
            .withSchema(schemaOf(service))
            .selectFrom('outbox')
            .select('subject')
            .distinct()
            .where((eb) =>
              eb.or([
                eb('subject', '=', `primero:${q}`),
                eb('subject', '=', `oscar:${q}`),
                ...(suffix ? [eb('subject', 'like', `primero:${suffix}`)] : []),
              ]),
            )
            .limit(20)
            .execute(),
          [],
        ),
      ),
    ),
  ]);
  for (const row of poller) {
    caseIds.add(row.case_id);
    globalIds.add(row.oscar_number);
  }
  for (const row of writer) {
    caseIds.add(row.case_id);
    globalIds.add(row.global_id);
  }
  for (const row of sources) globalIds.add(row.global_id);
  for (const { subject } of subjects.flat()) addSubject(subject, caseIds, globalIds);
  return { caseIds: [...caseIds], globalIds: [...globalIds] };
}

export interface EmittedEvent {
  service: PollerName;
  eventId: string;
  route: string;
  subject: string;
  createdAt: Date;
  publishedAt: Date | null;
  attempts: number;
  /** The W3C trace id the event was written under, if tracing was on. */
  traceId: string | null;
}

export interface HandledEvent {
  service: WriterName;
  eventId: string;
  route: string;
  subject: string;
  outcome: string;
  processedAt: Date;
}

/** The events both pollers emitted about these subjects, and what both writers made of them. */
export async function readEventHistory(
  db: Kysely<unknown>,
  subjects: readonly string[],
): Promise<{ emitted: EmittedEvent[]; handled: HandledEvent[] }> {
  if (subjects.length === 0) return { emitted: [], handled: [] };
  const typed = db as Kysely<SyncTables>;
  const [emitted, handled] = await Promise.all([
    Promise.all(
      pollerNames.map(async (service) => {
        const rows = await orEmpty(
          typed
            .withSchema(schemaOf(service))
            .selectFrom('outbox')
            .select(['event_id', 'route', 'subject', 'headers', 'created_at', 'published_at', 'attempts'])
            .where('subject', 'in', [...subjects])
            .orderBy('id')
            .limit(500)
            .execute(),
          [],
        );
        return rows.map((row): EmittedEvent => ({
          service,
          eventId: row.event_id,
          route: row.route,
          subject: row.subject,
          createdAt: new Date(row.created_at),
          publishedAt: row.published_at ? new Date(row.published_at) : null,
          attempts: row.attempts,
          traceId: traceIdOf(row.headers),
        }));
      }),
    ),
    Promise.all(
      writerNames.map(async (service) => {
        const rows = await orEmpty(
          typed
            .withSchema(schemaOf(service))
            .selectFrom('inbox')
            .select(['event_id', 'route', 'subject', 'outcome', 'processed_at'])
            .where('subject', 'in', [...subjects])
            .orderBy('processed_at')
            .limit(500)
            .execute(),
          [],
        );
        return rows.map((row): HandledEvent => ({
          service,
          eventId: row.event_id,
          route: row.route,
          subject: row.subject,
          outcome: row.outcome,
          processedAt: new Date(row.processed_at),
        }));
      }),
    ),
  ]);
  return {
    emitted: emitted.flat().sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()),
    handled: handled.flat().sort((a, b) => a.processedAt.getTime() - b.processedAt.getTime()),
  };
}

/** `00-<trace id>-<span id>-<flags>` → the trace id; null when absent or malformed. */
export function traceIdOf(headers: unknown): string | null {
  if (typeof headers !== 'object' || headers === null) return null;
  const traceparent = (headers as Record<string, unknown>).traceparent;
  if (typeof traceparent !== 'string') return null;
  const match = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent.trim());
  if (!match?.[1] || /^0+$/.test(match[1])) return null;
  return match[1];
}

/** Subjects of the events about a case: `primero:<case_id>` and `oscar:<global_id>`. */
export function subjectsOf(identity: CaseIdentity): string[] {
  return [...identity.caseIds.map((id) => `primero:${id}`), ...identity.globalIds.map((id) => `oscar:${id}`)];
}

function addSubject(subject: string, caseIds: Set<string>, globalIds: Set<string>): void {
  if (subject.startsWith('primero:')) caseIds.add(subject.slice('primero:'.length));
  else if (subject.startsWith('oscar:')) globalIds.add(subject.slice('oscar:'.length));
}

/** A read of a schema whose service has not run yet (no such table): empty instead of an error. */
async function orEmpty<T>(query: Promise<T>, empty: T): Promise<T> {
  try {
    return await query;
  } catch (error) {
    if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '42P01') {
      return empty;
    }
    throw error;
  }
}

/** Postgres answers: for the console's readiness. */
export async function pingDatabase(db: Kysely<unknown>): Promise<void> {
  await sql`select 1`.execute(db);
}
