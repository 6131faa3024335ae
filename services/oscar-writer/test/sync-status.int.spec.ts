import { UpstreamError } from '@pos/clients';
import { inboxMigrations, migrateSchema, recordDeadLetter } from '@pos/messaging';
import { createDb, createLogger, createPool, type SyncStatusMetrics } from '@pos/runtime';
import { checkLeaks, useTestDatabase } from '@pos/testkit';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

import { startSyncStatusReporter } from '../src/adapters/sync-status.reporter.ts';
import {
  owedReports,
  recordDeadLettered,
  recordSynced,
  recordTried,
  type SyncStatusDatabase,
  syncStatusMigrations,
} from '../src/adapters/sync-status.repository.ts';
import {
  classifyReportFailure,
  markSyncedBody,
  reportedRoutes,
  reportRetryDelayMs,
} from '../src/core/sync-status.policy.ts';

const schema = 'oscar_writer';
const webhookUrl = 'https://sync.example/webhooks/primero';
const recordA = '0b8f3f4e-7c1d-4d5e-9a3b-2f1e0d9c8b7a';
const recordB = '1c9a4a5f-8d2e-4e6f-8b4c-3a2f1e0d9c8b';

describe('the sync status policy', () => {
  it('builds the mark_synced PATCH body for the webhook URL', () => {
    expect(markSyncedBody('failed', webhookUrl)).toEqual({
      mark_synced: true,
      mark_synced_url: webhookUrl,
      mark_synced_status: 'failed',
    });
  });

  it.each([
    ['NOT_FOUND', false, 'not_found'],
    ['VALIDATION', false, 'refused'],
    ['FORBIDDEN', false, 'refused'],
    ['SERVER_ERROR', true, 'retry'],
    ['TIMEOUT', true, 'retry'],
  ] as const)('%s (retryable %s) → %s', (code, retryable, expected) => {
    expect(classifyReportFailure(code, retryable)).toBe(expected);
  });

  it('backs off 5 s doubling, at most 10 min', () => {
    expect([1, 2, 3, 20].map(reportRetryDelayMs)).toEqual([5000, 10_000, 20_000, 600_000]);
  });
});

describe('sync statuses owed to Primero, and their reporter', () => {
  const database = useTestDatabase('oscar_writer_sync_status');
  checkLeaks({ scope: 'file' });
  let pool: ReturnType<typeof createPool>;
  let db: Kysely<SyncStatusDatabase>;
  const logger = createLogger({ service: 'oscar-writer', level: 'silent' });
  const reported: Array<{ status: string; outcome: string }> = [];
  const metrics: SyncStatusMetrics = {
    reported: (status, outcome) => void reported.push({ status, outcome }),
  };

  beforeAll(async () => {
    pool = createPool(database.url, { applicationName: 'sync-status-spec' });
    await migrateSchema(createDb<unknown>(pool), schema, { ...inboxMigrations(), ...syncStatusMigrations() });
    db = createDb<SyncStatusDatabase>(pool).withSchema(schema);
  });
  afterAll(async () => db?.destroy());
  beforeEach(async () => {
    reported.length = 0;
    await db.deleteFrom('sync_status').execute();
    await db.deleteFrom('sync_status_scan').execute();
    await db.deleteFrom('dead_letters').execute();
  });

  const deadLetter = (subject: string, at: Date, route = 'primero.case.changed') =>
    recordDeadLetter(
      db,
      {
        service: 'oscar-writer',
        kind: 'event',
        eventId: null,
        route,
        subject,
        caseId: subject.slice('primero:'.length),
        globalId: null,
        code: 'VALIDATION',
        reason: 'OSCaR refused it',
        attempts: 1,
        firstFailedAt: null,
        mappingVersion: null,
        originalRoutingKey: null,
        originalQueue: 'oscar-writer.p0',
        headers: {},
      },
      null,
      at,
    );

  /** A Primero that answers each PATCH as `answer` says, and remembers what it was sent. */
  function fakePrimero(answer: (recordId: string) => UpstreamError | null) {
    const calls: Array<{ recordId: string; body: unknown }> = [];
    return {
      calls,
      primero: {
        patchCase: async (recordId: string, body: unknown) => {
          calls.push({ recordId, body });
          const error = answer(recordId);
          if (error) throw error;
          return {};
        },
      },
    };
  }

  const reporter = (primero: { patchCase: (id: string, body: never) => Promise<object> }) =>
    startSyncStatusReporter({
      db,
      primero: primero as never,
      webhookUrl,
      intervalMs: 3_600_000,
      logger,
      metrics,
      signal: new AbortController().signal,
    });

  const failure = (code: 'SERVER_ERROR' | 'VALIDATION' | 'NOT_FOUND', retryable: boolean) =>
    new UpstreamError({
      system: 'primero',
      code,
      operation: 'PATCH /api/v2/cases/:id',
      retryable,
      status: 500,
    });

  it('sends one mark per case however many of its events reached OSCaR, and nothing more once sent', async () => {
    const { primero, calls } = fakePrimero(() => null);
    const loop = reporter(primero);
    onTestFinished(() => loop.stop());
    for (let i = 0; i < 3; i += 1) await recordSynced(db, { subject: 'primero:case-a', recordId: recordA });
    await recordSynced(db, { subject: 'primero:case-b', recordId: recordB });
    expect(await loop.runOnce()).toBe(2);
    expect(calls).toEqual([
      { recordId: recordA, body: markSyncedBody('synced', webhookUrl) },
      { recordId: recordB, body: markSyncedBody('synced', webhookUrl) },
    ]);
    expect(await loop.runOnce()).toBe(0);
    expect(calls).toHaveLength(2);
    // A later change of the case owes a new mark.
    await recordSynced(db, { subject: 'primero:case-a', recordId: recordA });
    expect(await loop.runOnce()).toBe(1);
    expect(reported.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
  });

  it('turns a dead letter into failed, for a case whose record id it kept, unless a later change reached OSCaR', async () => {
    await recordTried(db, { subject: 'primero:case-a', recordId: recordA });
    await recordSynced(db, { subject: 'primero:case-b', recordId: recordB });
    await deadLetter('primero:case-a', new Date());
    // case-b's dead letter is older than its synced change: the later change wins.
    await deadLetter('primero:case-b', new Date(Date.now() - 60_000));
    // A case it never handled: no record id, nothing to mark.
    await deadLetter('primero:case-c', new Date());
    // Another route's dead letter is not a case's.
    await deadLetter('primero:case-b', new Date(Date.now() + 1000), 'oscar.case.changed');
    expect(await recordDeadLettered(db, reportedRoutes)).toBe(1);
    const owed = await owedReports(db, 10);
    expect(owed.map((o) => [o.subject, o.status])).toEqual([
      ['primero:case-b', 'synced'],
      ['primero:case-a', 'failed'],
    ]);
    // Read once: the same dead letters are not read again.
    expect(await recordDeadLettered(db, reportedRoutes)).toBe(0);
  });

  it('retries a report Primero failed later, and drops one it refuses or a case it no longer has', async () => {
    const { primero, calls } = fakePrimero((recordId) =>
      recordId === recordA ? failure('SERVER_ERROR', true) : failure('VALIDATION', false),
    );
    const loop = reporter(primero);
    onTestFinished(() => loop.stop());
    await recordSynced(db, { subject: 'primero:case-a', recordId: recordA });
    await recordSynced(db, { subject: 'primero:case-b', recordId: recordB });
    expect(await loop.runOnce()).toBe(0);
    expect(reported).toEqual([
      { status: 'synced', outcome: 'failed' },
      { status: 'synced', outcome: 'refused' },
    ]);
    // case-a waits out its backoff; case-b is not tried again.
    expect(await loop.runOnce()).toBe(0);
    expect(calls).toHaveLength(2);
    const row = await db
      .selectFrom('sync_status')
      .selectAll()
      .where('subject', '=', 'primero:case-a')
      .executeTakeFirstOrThrow();
    expect(row.report_attempts).toBe(1);
    expect(row.next_report_at.getTime()).toBeGreaterThan(Date.now() + 3000);
  });
});
