import type { PrimeroClient } from '@pos/clients';
import { fingerprintContent, type MappingTables, primeroCaseToEvents } from '@pos/mapping';
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

export interface PrimeroPollDeps {
  db: Kysely<PollerStateDatabase>;
  schema: string;
  primero: PrimeroClient;
  tables: MappingTables;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  overlapMs: number;
  now: () => Date;
}

const cursorName = 'primero.last_updated_at';

/**
 * One poll: every case changed since the cursor, page by page; per page, the events whose fingerprint
 * changed are committed with their fingerprints; the cursor advances once the whole walk is committed.
 */
export async function pollPrimero(deps: PrimeroPollDeps, signal: AbortSignal): Promise<PollSummary> {
  const started = deps.now();
  const previous = (await readCursor(deps.db, cursorName)) ?? initialCursor;
  let newestSeen: string | null = null;
  const summary: PollSummary = { read: 0, emitted: 0, rejected: 0 };

  for await (const page of deps.primero.listCases({ last_updated_at: `${previous}..` }, { signal })) {
    const batch = startPollBatch({
      ...deps,
      source: 'primero',
      fingerprintText: fingerprintContent,
      replayFrom: previous,
    });
    for (const record of page.cases) {
      summary.read += 1;
      newestSeen = newest(newestSeen, record.last_updated_at);
      const sourceId = [record.case_id, record.id].find((id) => typeof id === 'string') ?? '(no id)';
      const referrals =
        needsReferrals(record) && typeof record.id === 'string'
          ? await deps.primero.listReferrals(record.id, { signal })
          : [];
      const result = primeroCaseToEvents({ case: record, referrals }, deps.tables);
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
  }

  await commitPoll(deps.db, deps.schema, {
    events: [],
    fingerprints: new Map(),
    cursor: {
      name: cursorName,
      value: nextCursor({ previous, newestSeen, pollStartedAt: started, overlapMs: deps.overlapMs }),
    },
  });
  return summary;
}
