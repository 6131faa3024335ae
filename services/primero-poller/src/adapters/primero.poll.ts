import { createHash } from 'node:crypto';

import type { PrimeroClient } from '@pos/clients';
import type { CaseChangedData, ReferralDecisionData } from '@pos/contracts';
import { fingerprintContent, type MappingTables, primeroCaseToEvents } from '@pos/mapping';
import {
  changedFingerprints,
  clearRejected,
  commitPoll,
  type DeadLetterPublisher,
  makeEvent,
  type OutboxEvent,
  type PollerStateDatabase,
  type PollSummary,
  readCursor,
  recordRejected,
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

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
    const candidates = new Map<string, OutboxEvent>();
    const fingerprints = new Map<string, string>();
    const mapped: string[] = [];
    for (const record of page.cases) {
      summary.read += 1;
      newestSeen = newest(newestSeen, record.last_updated_at);
      const referrals =
        needsReferrals(record) && typeof record.id === 'string'
          ? await deps.primero.listReferrals(record.id, { signal })
          : [];
      const result = primeroCaseToEvents({ case: record, referrals }, deps.tables);
      const sourceId =
        typeof record.case_id === 'string'
          ? record.case_id
          : typeof record.id === 'string'
            ? record.id
            : '(no id)';
      if (!result.ok) {
        summary.rejected += 1;
        const first = await recordRejected(deps.db, {
          sourceId,
          code: result.error.code,
          reason: result.error.message,
          fingerprint: sha256(JSON.stringify(record)),
        });
        if (first) {
          await deps.deadLetters.publish({
            source: 'primero',
            sourceId,
            code: result.error.code,
            reason: result.error.message,
          });
          deps.logger.warn(
            { caseId: sourceId, code: result.error.code, reason: result.error.message },
            'case rejected',
          );
        }
        continue;
      }
      mapped.push(sourceId);
      const { subject, caseChanged, decisions } = result.value;
      if (caseChanged) {
        const fingerprint = sha256(fingerprintContent(caseChanged));
        const data: CaseChangedData = { ...caseChanged, fingerprint };
        const key = `case:${subject}`;
        fingerprints.set(key, fingerprint);
        candidates.set(key, {
          route: 'primero.case.changed',
          event: makeEvent('primero.case.changed', data, {
            source: 'primero',
            subject,
            occurredAt: deps.now(),
          }),
        });
      }
      for (const decision of decisions) {
        const key = `decision:${subject}:${decision.referral.oscarReferralId ?? decision.referral.primeroServiceId ?? '?'}`;
        fingerprints.set(key, sha256(fingerprintContent(decision)));
        candidates.set(key, {
          route: 'primero.referral.decided',
          event: makeEvent('primero.referral.decided', decision satisfies ReferralDecisionData, {
            source: 'primero',
            subject,
            occurredAt: deps.now(),
          }),
        });
      }
    }
    const changed = await changedFingerprints(deps.db, fingerprints);
    const events = [...candidates].filter(([key]) => changed.has(key)).map(([, event]) => event);
    await commitPoll(deps.db, deps.schema, {
      events,
      fingerprints: new Map([...fingerprints].filter(([key]) => changed.has(key))),
    });
    await clearRejected(deps.db, mapped);
    summary.emitted += events.length;
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
