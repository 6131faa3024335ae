import type { OscarClient } from '@pos/clients';
import { fingerprintContent, type MappingTables, oscarClientToEvents } from '@pos/mapping';
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

/** One poll: every client OSCaR lists since the cursor day; events only for changed content. */
export async function pollOscar(deps: OscarPollDeps, signal: AbortSignal): Promise<PollSummary> {
  const started = deps.now();
  const since = await readCursor(deps.db, cursorName);
  const clients = await deps.oscar.listClients(since === null ? { signal } : { sinceDate: since, signal });
  const summary: PollSummary = { read: clients.length, emitted: 0, rejected: 0 };
  const chunkSize = deps.chunkSize ?? 500;

  for (let offset = 0; offset < clients.length; offset += chunkSize) {
    const batch = startPollBatch({
      ...deps,
      source: 'oscar',
      fingerprintText: fingerprintContent,
      replayFrom: since ?? '',
    });
    for (const client of clients.slice(offset, offset + chunkSize)) {
      const sourceId =
        typeof client.global_id === 'string' && client.global_id !== '' ? client.global_id : '(no global_id)';
      const result = oscarClientToEvents(client, deps.tables, { now: started });
      if (!result.ok) {
        await batch.reject({
          sourceId,
          code: result.error.code,
          reason: result.error.message,
          content: client,
        });
        continue;
      }
      batch.mapped(sourceId);
      const { subject, caseChanged, decisions } = result.value;
      batch.caseChanged(subject, caseChanged);
      for (const decision of decisions)
        batch.decision(subject, String(decision.referral.oscarReferralId ?? '?'), decision);
    }
    summary.emitted += await batch.commit();
    summary.rejected += batch.rejected();
  }

  await commitPoll(deps.db, deps.schema, {
    events: [],
    fingerprints: new Map(),
    cursor: { name: cursorName, value: sinceDateFor(started) },
  });
  return summary;
}
