import type { PrimeroClient } from '@pos/clients';
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
 * One poll: every case changed since the cursor, page by page. A case listed again with the
 * `last_updated_at` it had when it was last handled is left alone (`isUnchangedSinceRead`); the others get
 * their referrals fetched (when they have a service referred to OSCaR) and are mapped. Per page, the events
 * whose fingerprint changed are committed with their fingerprints, then the page's cases are remembered as
 * handled; the cursor advances once the whole walk is committed.
 */
export async function pollPrimero(deps: PrimeroPollDeps, signal: AbortSignal): Promise<PollSummary> {
  const started = deps.now();
  const previous = (await readCursor(deps.db, cursorName)) ?? initialCursor;
  let newestSeen: string | null = null;
  const summary: PollSummary = { read: 0, emitted: 0, rejected: 0 };

  const filter = { last_updated_at: `${previous}..` };
  for await (const page of deps.primero.listCases(filter, { fields: listFields, signal })) {
    const remembered = await deps.caseReads.read(
      page.cases.flatMap((record) => (isIdLike(record.id) ? [record.id] : [])),
    );
    const links = await deps.oscarLinks.read(
      page.cases.flatMap((record) => {
        const oscarNumber = oscarNumberHeld(record);
        return isIdLike(oscarNumber) ? [oscarNumber] : [];
      }),
    );
    const handled: HandledCase[] = [];
    const linked: LinkedCase[] = [];
    const batch = startPollBatch({
      ...deps,
      source: 'primero',
      fingerprintText: fingerprintContent,
      replayFrom: previous,
    });
    for (const record of page.cases) {
      summary.read += 1;
      newestSeen = newest(newestSeen, record.last_updated_at);
      const read = caseReadOf(record, deps.tables.version);
      if (isUnchangedSinceRead(read, read ? remembered.get(read.recordId) : undefined)) continue;
      const referrals =
        needsReferrals(record) && isIdLike(record.id)
          ? await deps.primero.listReferrals(record.id, { signal })
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
      if (caseChanged) batch.caseChanged(subject, caseChanged);
      for (const decision of decisions) {
        batch.decision(
          subject,
          String(decision.referral.oscarReferralId ?? decision.referral.primeroServiceId ?? '?'),
          decision,
        );
      }
    }
    summary.emitted += await batch.commit();
    summary.rejected += batch.rejected();
    // After the page's events are committed: a crash in between only means handling these cases again.
    await deps.oscarLinks.save(linked);
    await deps.caseReads.save(handled);
  }

  const cursor = nextCursor({ previous, newestSeen, pollStartedAt: started, overlapMs: deps.overlapMs });
  await commitPoll(deps.db, deps.schema, {
    events: [],
    fingerprints: new Map(),
    cursor: { name: cursorName, value: cursor },
  });
  await deps.caseReads.pruneBefore(cursor);
  return summary;
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
