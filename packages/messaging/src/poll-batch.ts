import { createHash } from 'node:crypto';

import { context, propagation, trace } from '@opentelemetry/api';
import type { CaseChangedData, ReferralDecisionData, SourceSystem } from '@pos/contracts';
import type { Logger } from '@pos/runtime';
import type { Kysely } from 'kysely';

import { caseKeysOf } from './core/case-keys.ts';
import type { DeadLetterPublisher } from './dead-letter-publisher.ts';
import { makeEvent } from './make-event.ts';
import type { OutboxEvent } from './outbox.repository.ts';
import {
  changedFingerprints,
  clearRejected,
  commitPoll,
  type PollerStateDatabase,
  recordRejected,
} from './poller-state.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface PollBatchDeps {
  db: Kysely<PollerStateDatabase>;
  schema: string;
  source: SourceSystem;
  deadLetters: DeadLetterPublisher;
  logger: Logger;
  now: () => Date;
  /** The cursor this poll read from: a replay of a record rejected now reads again from there. */
  replayFrom?: string;
  /** The text a record's fingerprint is taken of (volatile fields left out), e.g. mapping's `fingerprintContent`. */
  fingerprintText: (data: Omit<CaseChangedData, 'fingerprint'> | ReferralDecisionData) => string;
}

export interface PollBatch {
  /** Queues a CaseChanged for the record; it is emitted only if its fingerprint changed. */
  caseChanged: (subject: string, data: Omit<CaseChangedData, 'fingerprint'>) => void;
  /** Queues a ReferralDecision; `referralKey` identifies the referral within the case. */
  decision: (subject: string, referralKey: string, data: ReferralDecisionData) => void;
  /** Marks a record as mapped (a rejection recorded earlier is forgotten on commit). */
  mapped: (sourceId: string) => void;
  /** A malformed record: recorded, and dead-lettered the first time this content is rejected. */
  reject: (record: { sourceId: string; code: string; reason: string; content: unknown }) => Promise<void>;
  /**
   * Writes the changed events and their fingerprints in one transaction, with whatever `alsoWrite` writes in
   * it (what the poller remembers of the records: it then holds exactly when the events do); resolves with
   * how many events.
   */
  commit: (alsoWrite?: (trx: Kysely<PollerStateDatabase>) => Promise<void>) => Promise<number>;
  rejected: () => number;
  /** The subjects of the events the last `commit` wrote (which records changed). */
  emittedSubjects: () => ReadonlySet<string>;
}

/**
 * One chunk of a poll (a Primero page, a slice of OSCaR's list): what both pollers do with mapped and
 * malformed records, so each poller only reads its upstream and maps.
 */
export function startPollBatch(deps: PollBatchDeps): PollBatch {
  /** The events to write if their fingerprint changed, made only then (an event id costs random bytes). */
  const candidates = new Map<string, () => OutboxEvent>();
  const fingerprints = new Map<string, string>();
  const mapped: string[] = [];
  let rejected = 0;
  let emittedSubjects = new Set<string>();
  const caseRoute = deps.source === 'primero' ? 'primero.case.changed' : 'oscar.case.changed';
  const decisionRoute = deps.source === 'primero' ? 'primero.referral.decided' : 'oscar.referral.decided';

  return {
    caseChanged: (subject, content) => {
      const fingerprint = sha256(deps.fingerprintText(content));
      const key = `case:${subject}`;
      fingerprints.set(key, fingerprint);
      const occurredAt = deps.now();
      candidates.set(key, () => ({
        route: caseRoute,
        event: makeEvent(
          caseRoute,
          { ...content, fingerprint },
          { source: deps.source, subject, occurredAt },
        ),
      }));
    },
    decision: (subject, referralKey, data) => {
      const key = `decision:${subject}:${referralKey}`;
      fingerprints.set(key, sha256(deps.fingerprintText(data)));
      const occurredAt = deps.now();
      candidates.set(key, () => ({
        route: decisionRoute,
        event: makeEvent(decisionRoute, data, { source: deps.source, subject, occurredAt }),
      }));
    },
    mapped: (sourceId) => void mapped.push(sourceId),
    reject: async ({ sourceId, code, reason, content }) => {
      rejected += 1;
      const first = await recordRejected(deps.db, {
        sourceId,
        code,
        reason,
        fingerprint: sha256(JSON.stringify(content)),
      });
      if (!first) return;
      await deps.deadLetters.publish({
        source: deps.source,
        sourceId,
        code,
        reason,
        sourceUpdatedAt: deps.replayFrom ?? null,
      });
      deps.logger.warn({ sourceId, code, reason }, 'record rejected');
    },
    commit: async (alsoWrite) => {
      const changed = await changedFingerprints(deps.db, fingerprints);
      const events = [...candidates]
        .filter(([key]) => changed.has(key))
        .map(([, makeOutboxEvent]) => withTrace(makeOutboxEvent()));
      await commitPoll(deps.db, deps.schema, {
        events,
        fingerprints: new Map([...fingerprints].filter(([key]) => changed.has(key))),
        ...(alsoWrite === undefined ? {} : { alsoWrite }),
      });
      await clearRejected(deps.db, mapped);
      emittedSubjects = new Set(events.map(({ event }) => event.metadata.subject));
      return events.length;
    },
    rejected: () => rejected,
    emittedSubjects: () => emittedSubjects,
  };

  /**
   * One trace per change: each emitted event gets a span of its own, the root of the trace that follows it
   * to the writer (its W3C context is stored with the outbox row), linked to the poll that read it. Ids only.
   */
  function withTrace(outboxEvent: OutboxEvent): OutboxEvent {
    const { eventId, subject } = outboxEvent.event.metadata;
    const { caseId, globalId } = caseKeysOf(outboxEvent.event);
    const poll = trace.getSpanContext(context.active());
    const span = tracer.startSpan(`emit ${outboxEvent.route}`, {
      root: true,
      links: poll ? [{ context: poll }] : [],
      attributes: {
        'messaging.message.id': eventId,
        'sync.subject': subject,
        ...(caseId === null ? {} : { 'sync.case_id': caseId }),
        ...(globalId === null ? {} : { 'sync.global_id': globalId }),
      },
    });
    const emitted = trace.setSpan(context.active(), span);
    const headers: Record<string, string> = {};
    propagation.inject(emitted, headers);
    span.end();
    context.with(emitted, () =>
      deps.logger.info({ eventId, subject, route: outboxEvent.route }, 'event emitted'),
    );
    return { ...outboxEvent, headers };
  }
}

const tracer = trace.getTracer('@pos/messaging');
