import { type Kysely, sql } from 'kysely';

import type { PayloadCipher } from './dead-letters.ts';
import type { DeadLetterDatabase, RetriesTable } from './tables.ts';

/**
 * What an operator does with dead letters — list, show, replay, discard — over one service's schema. The
 * `pnpm dlq` command and the admin HTTP API both call these, so they behave the same. Every replay and
 * discard is recorded in `dead_letter_actions` (who, when, what, outcome).
 */
export interface DeadLetterFilter {
  ids?: readonly string[];
  caseId?: string;
  globalId?: string;
  code?: string;
  /** Only dead letters at least this old (ms). */
  olderThanMs?: number;
  /** Only dead letters at most this old (ms). */
  newerThanMs?: number;
  /** `open` (neither replayed nor discarded, the default), `replayed`, `discarded` or `all`. */
  state?: 'open' | 'replayed' | 'discarded' | 'all';
  limit?: number;
}

export interface DeadLetterSummary {
  id: string;
  service: string | null;
  kind: 'event' | 'record';
  caseId: string | null;
  globalId: string | null;
  route: string | null;
  code: string;
  reason: string;
  attempts: number;
  firstFailedAt: string | null;
  failedAt: string;
  mappingVersion: string | null;
  replayable: boolean;
  replayedAt: string | null;
  discardedAt: string | null;
}

/** The tables a schema needs for replays: writers replay events through `retries`, pollers re-read. */
export interface DeadLetterAdminDatabase extends DeadLetterDatabase {
  retries: RetriesTable;
  cursor: { name: string; value: string; updated_at: Date };
  rejected_records: { source_id: string };
}

export async function listDeadLetters(
  db: Kysely<DeadLetterAdminDatabase>,
  filter: DeadLetterFilter,
  now: Date = new Date(),
): Promise<DeadLetterSummary[]> {
  let query = db.selectFrom('dead_letters').selectAll().orderBy('id');
  if (filter.ids && filter.ids.length > 0) query = query.where('id', 'in', [...filter.ids]);
  if (filter.caseId) {
    const value = filter.caseId;
    // The short display id (last 7 characters) finds the case too.
    query = query.where((eb) =>
      eb.or([eb('case_id', '=', value), eb('case_id', 'like', `%${value.replace(/[%_\\]/g, '')}`)]),
    );
  }
  if (filter.globalId) query = query.where('global_id', '=', filter.globalId);
  if (filter.code) query = query.where('code', '=', filter.code);
  if (filter.olderThanMs !== undefined)
    query = query.where('failed_at', '<=', new Date(now.getTime() - filter.olderThanMs));
  if (filter.newerThanMs !== undefined)
    query = query.where('failed_at', '>=', new Date(now.getTime() - filter.newerThanMs));
  const state = filter.state ?? 'open';
  if (state === 'open') query = query.where('replayed_at', 'is', null).where('discarded_at', 'is', null);
  if (state === 'replayed') query = query.where('replayed_at', 'is not', null);
  if (state === 'discarded') query = query.where('discarded_at', 'is not', null);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: String(row.id),
    service: row.service,
    kind: row.kind,
    caseId: row.case_id,
    globalId: row.global_id,
    route: row.route,
    code: row.code,
    reason: row.reason,
    attempts: row.attempts,
    firstFailedAt: row.first_failed_at ? new Date(row.first_failed_at).toISOString() : null,
    failedAt: new Date(row.failed_at).toISOString(),
    mappingVersion: row.mapping_version,
    replayable: row.kind === 'record' || row.payload_sealed !== null,
    replayedAt: row.replayed_at ? new Date(row.replayed_at).toISOString() : null,
    discardedAt: row.discarded_at ? new Date(row.discarded_at).toISOString() : null,
  }));
}

export interface DeadLetterDetail extends DeadLetterSummary {
  actions: { action: string; actor: string; at: string; outcome: string; detail: string | null }[];
  /** The original event, only when asked for (it holds child data) and only where a key can open it. */
  payload?: unknown;
}

export async function showDeadLetter(
  db: Kysely<DeadLetterAdminDatabase>,
  id: string,
  options: { payload?: boolean; cipher?: PayloadCipher | null } = {},
): Promise<DeadLetterDetail | null> {
  const [summary] = await listDeadLetters(db, { ids: [id], state: 'all' });
  if (!summary) return null;
  const actions = await db
    .selectFrom('dead_letter_actions')
    .select(['action', 'actor', 'at', 'outcome', 'detail'])
    .where('dead_letter_id', '=', id)
    .orderBy('id')
    .execute();
  const detail: DeadLetterDetail = {
    ...summary,
    actions: actions.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
  };
  if (options.payload) {
    const row = await db
      .selectFrom('dead_letters')
      .select('payload_sealed')
      .where('id', '=', id)
      .executeTakeFirst();
    const opened =
      row?.payload_sealed && options.cipher ? openSealed(options.cipher, row.payload_sealed) : null;
    if (opened !== null) {
      const text = opened.toString('utf8');
      try {
        detail.payload = JSON.parse(text) as unknown;
      } catch {
        detail.payload = text;
      }
    }
  }
  return detail;
}

export type ReplayOutcome =
  | { id: string; outcome: 'queued' | 'would-queue' | 'reread' | 'would-reread' }
  | { id: string; outcome: 'not-replayable'; why: string };

/**
 * Replays dead letters in the order they failed (so each case's events keep their order). A writer's event
 * goes back to its partition queue through the `retries` table — published with confirms like any event,
 * and handled with the mapping tables the writer has loaded now (which is what fixes an unknown province);
 * the inbox and the stale-event guard still apply, so replaying twice has no second effect. A poller's
 * rejected record is read again from its source: the record's rejection is forgotten and the poller's
 * cursor goes back to where it was when the record was rejected.
 */
export async function replayDeadLetters(
  db: Kysely<DeadLetterAdminDatabase>,
  filter: DeadLetterFilter,
  options: {
    actor: string;
    dryRun?: boolean;
    cipher?: PayloadCipher | null;
    now?: Date;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<ReplayOutcome[]> {
  const now = options.now ?? new Date();
  const targets = await listDeadLetters(db, { ...filter, state: filter.state ?? 'open' }, now);
  const outcomes: ReplayOutcome[] = [];
  for (const [index, target] of targets.entries()) {
    const outcome = await db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('dead_letters')
        .selectAll()
        .where('id', '=', target.id)
        .forUpdate()
        .executeTakeFirstOrThrow();
      // Another replay or a discard (the CLI, the admin API, the console) got to it since it was listed.
      const stillOpen = row.replayed_at === null && row.discarded_at === null;
      if ((filter.state ?? 'open') === 'open' && !stillOpen) return null;
      let result: ReplayOutcome;
      const event =
        row.payload_sealed && options.cipher ? openSealed(options.cipher, row.payload_sealed) : null;
      if (row.kind === 'record') {
        result = { id: target.id, outcome: options.dryRun ? 'would-reread' : 'reread' };
        if (!options.dryRun) await rewindPoller(trx, row.subject, row.source_updated_at);
      } else if (row.payload_sealed === null) {
        result = {
          id: target.id,
          outcome: 'not-replayable',
          why: 'its event is no longer kept (expired, or no DEAD_LETTER_KEY when it failed): change the record in its source system so it is sent again',
        };
      } else if (!options.cipher) {
        result = { id: target.id, outcome: 'not-replayable', why: 'DEAD_LETTER_KEY is not set here' };
      } else if (event === null) {
        result = {
          id: target.id,
          outcome: 'not-replayable',
          why: 'its event was sealed with another DEAD_LETTER_KEY: replay it with the key in force when it failed',
        };
      } else {
        result = { id: target.id, outcome: options.dryRun ? 'would-queue' : 'queued' };
        if (!options.dryRun) {
          const stored = row.headers;
          const { 'x-attempt': _attempt, 'x-first-failed-at': _first, ...headers } = stored;
          await trx
            .insertInto('retries')
            .values({
              event_id: row.event_id,
              queue: row.original_queue,
              content: event,
              properties: JSON.stringify({
                ...(row.event_id ? { messageId: row.event_id } : {}),
                ...(row.route ? { type: row.route } : {}),
                contentType: 'application/json',
                headers: { ...headers, 'x-attempt': 1, 'x-replay-of': String(row.id) },
              }),
              attempt: 1,
              // One millisecond apart: the retry pump publishes in due order, so the failure order holds.
              due_at: new Date(now.getTime() + index),
            })
            .execute();
        }
      }
      if (!options.dryRun) {
        if (result.outcome === 'queued' || result.outcome === 'reread') {
          await trx.updateTable('dead_letters').set({ replayed_at: now }).where('id', '=', row.id).execute();
        }
        await trx
          .insertInto('dead_letter_actions')
          .values({
            dead_letter_id: String(row.id),
            action: 'replay',
            actor: options.actor,
            outcome: result.outcome,
            detail: 'why' in result ? result.why : null,
          })
          .execute();
      }
      return result;
    });
    if (outcome) outcomes.push(outcome);
    options.onProgress?.(index + 1, targets.length);
  }
  return outcomes;
}

/** Discards dead letters (with a reason, required): they are kept, marked, and no longer listed as open. */
export async function discardDeadLetters(
  db: Kysely<DeadLetterAdminDatabase>,
  filter: DeadLetterFilter,
  options: { actor: string; reason: string; now?: Date; onProgress?: (done: number, total: number) => void },
): Promise<string[]> {
  if (options.reason.trim() === '') throw new Error('a discard needs a reason');
  const now = options.now ?? new Date();
  const targets = await listDeadLetters(db, { ...filter, state: 'open' }, now);
  const done: string[] = [];
  for (const [index, target] of targets.entries()) {
    const discarded = await db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('dead_letters')
        .set({ discarded_at: now, payload_sealed: null })
        .where('id', '=', target.id)
        .where('discarded_at', 'is', null)
        .where('replayed_at', 'is', null)
        .executeTakeFirst();
      // Replayed or discarded by someone else since it was listed: nothing to record.
      if (result.numUpdatedRows === 0n) return false;
      await trx
        .insertInto('dead_letter_actions')
        .values({
          dead_letter_id: target.id,
          action: 'discard',
          actor: options.actor,
          outcome: 'discarded',
          detail: options.reason,
        })
        .execute();
      return true;
    });
    if (discarded) done.push(target.id);
    options.onProgress?.(index + 1, targets.length);
  }
  return done;
}

/** A poller reads a rejected record again: forget the rejection, move the cursor back to where it was. */
async function rewindPoller(
  trx: Kysely<DeadLetterAdminDatabase>,
  subject: string | null,
  from: string | null,
): Promise<void> {
  const sourceId = subject?.replace(/^(primero|oscar):/, '') ?? '';
  await trx.deleteFrom('rejected_records').where('source_id', '=', sourceId).execute();
  if (from === null) return;
  if (from === '') {
    await trx.deleteFrom('cursor').execute();
    return;
  }
  await trx
    .updateTable('cursor')
    .set({ value: from, updated_at: sql<Date>`now()` })
    .where('value', '>', from)
    .execute();
}

/** The sealed event, opened; `null` when this key cannot open it (it was sealed with another key). */
function openSealed(cipher: PayloadCipher, sealed: Buffer): Buffer | null {
  try {
    return cipher.open(sealed);
  } catch {
    return null;
  }
}
