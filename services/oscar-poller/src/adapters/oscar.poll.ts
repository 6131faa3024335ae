import { createHash } from 'node:crypto';

import type { OscarClient, UnknownRecord } from '@pos/clients';
import {
  type CaseChangedContent,
  fingerprintContent,
  isIdLike,
  type MappingError,
  type MappingTables,
  type OscarClientEvents,
  oscarClientToEvents,
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

import {
  type ClientSource,
  duplicateClientError,
  duplicateSourceId,
  sourceConflict,
} from '../core/client-source.policy.ts';
import { sinceDateFor } from '../core/since-date.policy.ts';
import type { ClientSourceStore } from './client-sources.repository.ts';
import type { ClientSourcesDatabase } from './client-sources.table.ts';

export interface OscarPollDeps {
  db: Kysely<PollerStateDatabase>;
  schema: string;
  oscar: OscarClient;
  tables: MappingTables;
  /** Which NGO's client the sync follows for each global_id (`client_sources`). */
  clientSources: ClientSourceStore;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  now: () => Date;
  /** Clients mapped and committed per transaction. */
  chunkSize?: number;
  /** The clients earlier polls committed, to skip those listed again unchanged (`rememberListedClients`). */
  listed: ListedClients;
}

/**
 * The clients the last poll committed, each as a hash of its JSON as OSCaR listed it. OSCaR lists every
 * client changed today on every poll; one listed again exactly as before maps to the same events and
 * fingerprints, which the poll would only compare and drop, so it is skipped before it is mapped (the
 * oscar-poller's CPU went mostly to mapping and fingerprinting unchanged clients). In memory only: after a
 * restart the first poll maps everything again, and the stored fingerprints drop what did not change. A
 * client that was rejected is not remembered, so it is checked again on every poll.
 */
export interface ListedClients {
  committed: Set<string>;
}

export function rememberListedClients(): ListedClients {
  return { committed: new Set() };
}

const listingHash = (client: UnknownRecord) =>
  createHash('sha1').update(JSON.stringify(client)).digest('base64');

const cursorName = 'oscar.since_date';

/** One poll: every client OSCaR lists since the cursor day; events only for changed content. */
export async function pollOscar(deps: OscarPollDeps, signal: AbortSignal): Promise<PollSummary> {
  const started = deps.now();
  const since = await readCursor(deps.db, cursorName);
  const summary = { read: 0, emitted: 0, rejected: 0, unchanged: 0 } satisfies PollSummary;
  // The list arrives a chunk at a time and each chunk commits before the next is read: memory holds one
  // chunk of clients, however many changed today.
  const { listed } = deps;
  const listedNow = new Set<string>();
  summary.read = await deps.oscar.forEachClientBatch(
    { ...(since === null ? {} : { sinceDate: since }), signal, batchSize: deps.chunkSize ?? 500 },
    async (chunk) => {
      const listing = chunk.map((client) => ({ client, hash: listingHash(client) }));
      const changed = listing.filter(({ hash }) => !listed.committed.has(hash)).map(({ client }) => client);
      summary.unchanged += chunk.length - changed.length;
      // A chunk listed exactly as committed has nothing to write: no transaction for it.
      const counts =
        changed.length === 0
          ? { emitted: 0, rejected: 0, followed: new Set<UnknownRecord>() }
          : await commitChunk(deps, since, started, changed);
      summary.emitted += counts.emitted;
      summary.rejected += counts.rejected;
      for (const { client, hash } of listing) {
        if (!listed.committed.has(hash) && !counts.followed.has(client)) continue;
        listedNow.add(hash);
        listed.committed.add(hash);
      }
    },
  );
  // Only what this poll listed: a client no longer listed (or listed changed) is forgotten.
  listed.committed = listedNow;

  await commitPoll(deps.db, deps.schema, {
    events: [],
    fingerprints: new Map(),
    cursor: { name: cursorName, value: sinceDateFor(started) },
  });
  return summary;
}

/** Maps one chunk of the list and commits its events with the clients it follows. */
async function commitChunk(
  deps: OscarPollDeps,
  since: string | null,
  started: Date,
  chunk: UnknownRecord[],
): Promise<{ emitted: number; rejected: number; followed: ReadonlySet<UnknownRecord> }> {
  const batch = startPollBatch({
    ...deps,
    source: 'oscar',
    fingerprintText: fingerprintContent,
    replayFrom: since ?? '',
  });
  const sources = await deps.clientSources.read(
    chunk.flatMap((client) => (isIdLike(client.global_id) ? [client.global_id] : [])),
  );
  const followed: ClientSource[] = [];
  const followedClients = new Set<UnknownRecord>();
  for (const client of chunk) {
    const outcome = follow(oscarClientToEvents(client, deps.tables, { now: started }), sources);
    if (!outcome.ok) {
      const { sourceId, error } = outcome;
      await batch.reject({ sourceId, code: error.code, reason: error.message, content: client });
      continue;
    }
    followed.push(outcome.source);
    followedClients.add(client);
    batch.mapped(outcome.source.globalId);
    const { subject, caseChanged, decisions } = outcome.value;
    batch.caseChanged(subject, caseChanged);
    for (const decision of decisions)
      batch.decision(subject, String(decision.referral.oscarReferralId ?? '?'), decision);
  }
  // The clients followed commit with their events: a crash leaves both or neither.
  const emitted = await batch.commit((trx) =>
    deps.clientSources.save(followed, trx.withTables<ClientSourcesDatabase>()),
  );
  return { emitted, rejected: batch.rejected(), followed: followedClients };
}

type Followed =
  | { ok: true; value: RecordEvents<CaseChangedContent>; source: ClientSource }
  | { ok: false; sourceId: string; error: MappingError };

/**
 * A mapped client, unless another NGO's client with its global_id is followed (`sourceConflict`); for a
 * rejection, the id it is recorded under — one the error may name (global_id, else slug), never the content
 * of a broken id field, which may be anything, of any size.
 */
function follow(result: OscarClientEvents, sources: Map<string, ClientSource>): Followed {
  if (!result.ok) return { ok: false, sourceId: result.recordId ?? '(no id)', error: result.error };
  const { ids, organization } = result.value.caseChanged;
  const source = { globalId: ids.oscarGlobalId ?? '', organization: organization ?? '', slug: ids.oscarSlug };
  const held = sourceConflict(sources, source);
  if (held !== null) {
    return { ok: false, sourceId: duplicateSourceId(source), error: duplicateClientError(source, held) };
  }
  sources.set(source.globalId, source);
  return { ok: true, value: result.value, source };
}
