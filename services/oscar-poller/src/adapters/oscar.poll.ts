import { createHash } from 'node:crypto';

import type { OscarClient } from '@pos/clients';
import type { CaseChangedData } from '@pos/contracts';
import { fingerprintContent, type MappingTables, oscarClientToEvents } from '@pos/mapping';
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

import { sinceDateFor } from '../core/since-date.policy.ts';

export interface OscarPollDeps {
  db: Kysely<PollerStateDatabase>;
  schema: string;
  oscar: OscarClient;
  tables: MappingTables;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  now: () => Date;
  /** Clients mapped and committed per transaction. */
  chunkSize?: number;
}

const cursorName = 'oscar.since_date';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One poll: every client OSCaR lists since the cursor day; events only for changed content. */
export async function pollOscar(deps: OscarPollDeps, signal: AbortSignal): Promise<PollSummary> {
  const started = deps.now();
  const since = await readCursor(deps.db, cursorName);
  const clients = await deps.oscar.listClients(since === null ? { signal } : { sinceDate: since, signal });
  const summary: PollSummary = { read: clients.length, emitted: 0, rejected: 0 };
  const chunkSize = deps.chunkSize ?? 500;

  for (let offset = 0; offset < clients.length; offset += chunkSize) {
    const candidates = new Map<string, OutboxEvent>();
    const fingerprints = new Map<string, string>();
    const mapped: string[] = [];
    for (const client of clients.slice(offset, offset + chunkSize)) {
      const sourceId =
        typeof client.global_id === 'string' && client.global_id !== '' ? client.global_id : '(no global_id)';
      const result = oscarClientToEvents(client, deps.tables, { now: started });
      if (!result.ok) {
        summary.rejected += 1;
        const first = await recordRejected(deps.db, {
          sourceId,
          code: result.error.code,
          reason: result.error.message,
          fingerprint: sha256(JSON.stringify(client)),
        });
        if (first) {
          await deps.deadLetters.publish({
            source: 'oscar',
            sourceId,
            code: result.error.code,
            reason: result.error.message,
          });
          deps.logger.warn(
            { globalId: sourceId, code: result.error.code, reason: result.error.message },
            'client rejected',
          );
        }
        continue;
      }
      mapped.push(sourceId);
      const { subject, caseChanged, decisions } = result.value;
      const fingerprint = sha256(fingerprintContent(caseChanged));
      const data: CaseChangedData = { ...caseChanged, fingerprint };
      const key = `case:${subject}`;
      fingerprints.set(key, fingerprint);
      candidates.set(key, {
        route: 'oscar.case.changed',
        event: makeEvent('oscar.case.changed', data, { source: 'oscar', subject, occurredAt: deps.now() }),
      });
      for (const decision of decisions) {
        const decisionKey = `decision:${subject}:${decision.referral.oscarReferralId ?? '?'}`;
        fingerprints.set(decisionKey, sha256(fingerprintContent(decision)));
        candidates.set(decisionKey, {
          route: 'oscar.referral.decided',
          event: makeEvent('oscar.referral.decided', decision, {
            source: 'oscar',
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
    cursor: { name: cursorName, value: sinceDateFor(started) },
  });
  return summary;
}
