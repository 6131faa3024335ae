import type { PrimeroClient } from '@pos/clients';
import { fingerprintContent, type MappingTables, primeroCaseFields, primeroCaseToEvents } from '@pos/mapping';
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
import { caseReadOf, isUnchangedSinceRead } from '../core/reread.policy.ts';
import type { CaseReadStore, HandledCase } from './case-reads.repository.ts';

export interface PrimeroPollDeps {
  db: Kysely<PollerStateDatabase>;
  schema: string;
  primero: PrimeroClient;
  /** The `last_updated_at` each recently handled case had (`case_reads`). */
  caseReads: CaseReadStore;
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
      page.cases.flatMap((record) => (typeof record.id === 'string' ? [record.id] : [])),
    );
    const handled: HandledCase[] = [];
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
      const sourceId = [record.case_id, record.id].find((id) => typeof id === 'string') ?? '(no id)';
      const referrals =
        needsReferrals(record) && typeof record.id === 'string'
          ? await deps.primero.listReferrals(record.id, { signal })
          : [];
      const result = primeroCaseToEvents({ case: record, referrals }, deps.tables);
      if (read) handled.push({ ...read, sourceId, rejected: !result.ok });
      if (!result.ok) {
        await batch.reject({
          sourceId,
          code: result.error.code,
          reason: result.error.message,
          content: record,
        });
        continue;
      }
      batch.mapped(sourceId);
      const { subject, caseChanged, decisions } = result.value;
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
