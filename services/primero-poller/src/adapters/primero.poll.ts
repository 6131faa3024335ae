import { type PrimeroClient, type UnknownRecord, UpstreamError } from '@pos/clients';
import {
  type CaseChangedContent,
  fingerprintContent,
  isIdLike,
  type MappingError,
  type MappingTables,
  type PrimeroCaseEvents,
  primeroCaseFields,
  primeroCaseToEvents,
  type RecordEvents,
} from '@pos/mapping';
import {
  commitPoll,
  type DeadLetterPublisher,
  type PollerStateDatabase,
  type PollSummary,
  readCursor,
  startPollBatch,
} from '@pos/messaging';
import type { Logger } from '@pos/runtime';
import type { Kysely } from 'kysely';

import { initialCursor, needsReferrals, newest, nextCursor } from '../core/cursor.policy.ts';
import {
  duplicateLinkError,
  linkConflict,
  type OscarLink,
  oscarNumberHeld,
} from '../core/oscar-link.policy.ts';
import { caseReadOf, isUnchangedSinceRead } from '../core/reread.policy.ts';
import type { CaseReadStore, HandledCase } from './case-reads.repository.ts';
import type { CaseReadsDatabase } from './case-reads.table.ts';
import type { LinkedCase, OscarLinkStore } from './oscar-links.repository.ts';

export interface PrimeroPollDeps {
  db: Kysely<PollerStateDatabase>;
  schema: string;
  primero: PrimeroClient;
  /** The `last_updated_at` each recently handled case had (`case_reads`). */
  caseReads: CaseReadStore;
  /** Which case the sync follows for each OSCaR client (`oscar_links`). */
  oscarLinks: OscarLinkStore;
  tables: MappingTables;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  overlapMs: number;
  now: () => Date;
}

const cursorName = 'primero.last_updated_at';
/** Only what the mapping reads: less of each child's record on the wire, and a lighter page to build. */
const listFields = primeroCaseFields.join(',');

/**
 * Which cases a poll found changed that no webhook notice had scheduled: with webhooks on, a case the safety
 * poll emits an event for, which is not waiting for (or in) a targeted read and was saved more than the grace
 * period before the poll started, had its notice lost (or the receiver was down).
 */
export interface NoticeCoverage {
  /** A notice for this record id is waiting for, or in, its targeted read. */
  isPending: (recordId: string) => boolean;
  /** Saves newer than this may still have their notice on the way. */
  graceMs: number;
  /** Called with how many cases the poll found changed that no notice covered. */
  foundOnlyByPoll: (count: number) => void;
}

/**
 * One poll: every case changed since the cursor, page by page, each page handled as `handleCases` does;
 * the cursor advances once the whole walk is committed.
 */
export async function pollPrimero(
  deps: PrimeroPollDeps,
  signal: AbortSignal,
  coverage?: NoticeCoverage,
): Promise<PollSummary> {
  const started = deps.now();
  const stored = await readCursor(deps.db, cursorName);
  const previous = stored ?? initialCursor;
  let newestSeen: string | null = null;
  const summary: PollSummary = { read: 0, emitted: 0, rejected: 0 };
  // The very first poll (no cursor stored yet) is the backfill of all history, not notices lost.
  const uncovered =
    coverage && stored !== null
      ? {
          beforeMs: started.getTime() - coverage.graceMs,
          isPending: coverage.isPending,
        }
      : null;
  let foundOnlyByPoll = 0;

  const filter = { last_updated_at: `${previous}..` };
  for await (const page of deps.primero.listCases(filter, { fields: listFields, signal })) {
    for (const record of page.cases) {
      newestSeen = newest(newestSeen, (record as { last_updated_at?: unknown }).last_updated_at);
    }
    const handled = await handleCases(deps, page.cases, previous, signal, uncovered);
    summary.read += handled.read;
    summary.emitted += handled.emitted;
    summary.rejected += handled.rejected;
    foundOnlyByPoll += handled.uncoveredChanged;
  }

  const cursor = nextCursor({ previous, newestSeen, pollStartedAt: started, overlapMs: deps.overlapMs });
  await commitPoll(deps.db, deps.schema, {
    events: [],
    fingerprints: new Map(),
    cursor: { name: cursorName, value: cursor },
  });
  await deps.caseReads.pruneBefore(cursor);
  if (coverage && foundOnlyByPoll > 0) coverage.foundOnlyByPoll(foundOnlyByPoll);
  return summary;
}

/** What a targeted read of one case (on a webhook notice) found. */
export type TargetedReadOutcome = 'changed' | 'unchanged' | 'not_found';

/**
 * Targeted reads: the cases a webhook notice named, each read again (`GET /api/v2/cases/:id`, never the
 * notice's body, which may be stale and is role-filtered) and handled exactly as a poll handles a page —
 * the same re-read skip, mapping, fingerprints, outbox and dead letters. The cursor does not move: the
 * safety poll lists these cases again and skips them (`isUnchangedSinceRead`).
 */
export async function readCases(
  deps: PrimeroPollDeps,
  recordIds: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, TargetedReadOutcome>> {
  const outcomes = new Map<string, TargetedReadOutcome>();
  const found: { recordId: string; record: UnknownRecord }[] = [];
  await Promise.all(
    recordIds.map(async (recordId) => {
      try {
        found.push({ recordId, record: await deps.primero.getCase(recordId, { signal }) });
      } catch (error) {
        // Deleted, or not the sync user's to see: nothing to sync.
        if (error instanceof UpstreamError && ['NOT_FOUND', 'FORBIDDEN'].includes(error.code)) {
          outcomes.set(recordId, 'not_found');
          return;
        }
        throw error;
      }
    }),
  );
  const previous = (await readCursor(deps.db, cursorName)) ?? initialCursor;
  const handled = await handleCases(
    deps,
    found.map(({ record }) => record),
    previous,
    signal,
    null,
  );
  for (const { recordId } of found) {
    outcomes.set(recordId, handled.changedRecordIds.has(recordId) ? 'changed' : 'unchanged');
  }
  return outcomes;
}

interface HandledCases extends PollSummary {
  /** Record ids of the cases whose events were written. */
  changedRecordIds: ReadonlySet<string>;
  /** Of those, how many no notice covered (counted only when `uncovered` is given). */
  uncoveredChanged: number;
}

/**
 * Cases listed by a poll or read on a notice. A case with the `last_updated_at` it had when it was last
 * handled is left alone (`isUnchangedSinceRead`); the others get their referrals fetched (when they have a
 * service referred to OSCaR) and are mapped. The events whose fingerprint changed are committed with their
 * fingerprints, then the cases are remembered as handled.
 */
async function handleCases(
  deps: PrimeroPollDeps,
  cases: readonly unknown[],
  replayFrom: string,
  signal: AbortSignal,
  uncovered: { beforeMs: number; isPending: (recordId: string) => boolean } | null,
): Promise<HandledCases> {
  const summary = { read: 0, emitted: 0, rejected: 0 };
  const idOf = (record: unknown) => (record as { id?: unknown }).id;
  const remembered = await deps.caseReads.read(
    cases.flatMap((record) => {
      const id = idOf(record);
      return isIdLike(id) ? [id] : [];
    }),
  );
  const links = await deps.oscarLinks.read(
    cases.flatMap((record) => {
      const oscarNumber = oscarNumberHeld(record);
      return isIdLike(oscarNumber) ? [oscarNumber] : [];
    }),
  );
  const handled: HandledCase[] = [];
  const linked: LinkedCase[] = [];
  /** subject → record id, of the cases mapped; and the subjects no notice covered. */
  const recordIdOf = new Map<string, string>();
  const uncoveredSubjects = new Set<string>();
  const batch = startPollBatch({
    ...deps,
    source: 'primero',
    fingerprintText: fingerprintContent,
    replayFrom,
  });
  for (const record of cases) {
    summary.read += 1;
    const read = caseReadOf(record, deps.tables.version);
    if (isUnchangedSinceRead(read, read ? remembered.get(read.recordId) : undefined)) continue;
    const recordId = idOf(record);
    const referrals =
      needsReferrals(record) && isIdLike(recordId)
        ? await deps.primero.listReferrals(recordId, { signal })
        : [];
    const outcome = follow(record, primeroCaseToEvents({ case: record, referrals }, deps.tables), links);
    if (read) handled.push({ ...read, sourceId: outcome.sourceId, rejected: !outcome.ok });
    if (!outcome.ok) {
      const { sourceId, error } = outcome;
      await batch.reject({ sourceId, code: error.code, reason: error.message, content: record });
      continue;
    }
    if (outcome.link) linked.push(outcome.link);
    batch.mapped(outcome.sourceId);
    const { subject, caseChanged, decisions } = outcome.value;
    if (isIdLike(recordId)) {
      recordIdOf.set(subject, recordId);
      if (
        uncovered &&
        read &&
        Date.parse(read.lastUpdatedAt) < uncovered.beforeMs &&
        !uncovered.isPending(recordId)
      ) {
        uncoveredSubjects.add(subject);
      }
    }
    if (caseChanged) batch.caseChanged(subject, caseChanged);
    for (const decision of decisions) {
      batch.decision(
        subject,
        String(decision.referral.oscarReferralId ?? decision.referral.primeroServiceId ?? '?'),
        decision,
      );
    }
  }
  // What is remembered of the cases commits with their events: a crash leaves both or neither.
  summary.emitted += await batch.commit(async (trx) => {
    const own = trx.withTables<CaseReadsDatabase>();
    await deps.oscarLinks.save(linked, own);
    await deps.caseReads.save(handled, own);
  });
  summary.rejected += batch.rejected();
  const emitted = [...batch.emittedSubjects()];
  return {
    ...summary,
    changedRecordIds: new Set(emitted.flatMap((subject) => recordIdOf.get(subject) ?? [])),
    uncoveredChanged: emitted.filter((subject) => uncoveredSubjects.has(subject)).length,
  };
}

type Followed =
  | { ok: true; value: RecordEvents<CaseChangedContent | null>; sourceId: string; link: LinkedCase | null }
  | { ok: false; sourceId: string; error: MappingError };

/**
 * A mapped case, unless it carries an OSCaR number another case holds (`linkConflict`); with the id its
 * rejection is (or would be) recorded under — one the error may name (case_id, else the record id), never
 * the content of a broken id field, which may be anything, of any size.
 */
function follow(record: unknown, result: PrimeroCaseEvents, links: Map<string, OscarLink>): Followed {
  if (!result.ok) return { ok: false, sourceId: result.recordId ?? '(no id)', error: result.error };
  const caseId = result.value.subject.slice('primero:'.length);
  const recordId = (record as { id?: unknown }).id;
  if (!isIdLike(recordId)) return { ok: true, value: result.value, sourceId: caseId, link: null };
  const oscarNumber = oscarNumberHeld(record);
  const link = { recordId, caseId, oscarNumber };
  if (oscarNumber === null) return { ok: true, value: result.value, sourceId: caseId, link };
  const claim = { recordId, caseId, oscarNumber };
  const holder = linkConflict(links, claim);
  if (holder !== null) return { ok: false, sourceId: caseId, error: duplicateLinkError(claim, holder) };
  links.set(oscarNumber, claim);
  return { ok: true, value: result.value, sourceId: caseId, link };
}
