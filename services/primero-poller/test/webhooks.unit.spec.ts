import { createLogger, createMetricsRegistry, webhookMetrics } from '@pos/runtime';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

import { parseNotice } from '../src/core/notice.policy.ts';
import { pendingReads } from '../src/core/pending-reads.policy.ts';
import { buildApp } from '../src/http/app.ts';

const recordId = '0b8f3f4e-7c1d-4d5e-9a3b-2f1e0d9c8b7a';

describe('parseNotice: only the record id is taken from a notice', () => {
  it.each([
    [
      'a case notice, whatever its stale fields',
      { data: { record_id: recordId, record_type: 'case', sex: 'female' } },
    ],
    ['a notice without record_type', { data: { record_id: recordId.toUpperCase() } }],
  ])('%s → its record id', (_name, body) => {
    expect(parseNotice(body)).toEqual({ ok: true, recordId });
  });

  it.each([
    ['null', null],
    ['a string', 'case saved'],
    ['no data', { record_id: recordId }],
    ['data not an object', { data: [recordId] }],
    ['an `id` instead of `record_id`', { data: { id: recordId, record_type: 'case' } }],
    ['a record id that is no UUID', { data: { record_id: '../../admin', record_type: 'case' } }],
    ['a megabyte record id', { data: { record_id: 'x'.repeat(1_000_000) } }],
  ])('%s → MALFORMED', (_name, body) => {
    expect(parseNotice(body)).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('an incident notice → NOT_A_CASE', () => {
    expect(parseNotice({ data: { record_id: recordId, record_type: 'incident' } })).toEqual({
      ok: false,
      reason: 'NOT_A_CASE',
    });
  });
});

describe('pendingReads: notices coalesced per case', () => {
  const options = { coalesceMs: 100, maxPending: 3, maxAttempts: 3, retryDelayMs: (n: number) => n * 1000 };

  it('reads a case once for the notices that arrive before its read starts', () => {
    const pending = pendingReads(options);
    expect(pending.add('a', 0)).toBe('scheduled');
    expect(pending.add('a', 50)).toBe('coalesced');
    expect(pending.add('a', 90)).toBe('coalesced');
    expect(pending.nextDueAt()).toBe(100);
    expect(pending.takeDue(99, 10)).toEqual([]);
    expect(pending.takeDue(100, 10)).toEqual(['a']);
    pending.settle(['a'], 120, false);
    expect(pending.size()).toBe(0);
    expect(pending.nextDueAt()).toBeNull();
  });

  it('reads a case once more when a notice arrives during its read (the read may predate the save)', () => {
    const pending = pendingReads(options);
    pending.add('a', 0);
    expect(pending.takeDue(100, 10)).toEqual(['a']);
    expect(pending.has('a')).toBe(true);
    expect(pending.add('a', 110)).toBe('coalesced');
    expect(pending.add('a', 115)).toBe('coalesced');
    pending.settle(['a'], 130, false);
    expect(pending.takeDue(130, 10)).toEqual(['a']);
    pending.settle(['a'], 140, false);
    expect(pending.size()).toBe(0);
  });

  it('takes at most the batch size, the rest in the next round', () => {
    const pending = pendingReads(options);
    pending.add('a', 0);
    pending.add('b', 0);
    pending.add('c', 0);
    expect(pending.takeDue(100, 2)).toEqual(['a', 'b']);
    expect(pending.takeDue(100, 2)).toEqual(['c']);
  });

  it('drops notices past maxPending (the caller polls instead)', () => {
    const pending = pendingReads(options);
    for (const id of ['a', 'b', 'c']) expect(pending.add(id, 0)).toBe('scheduled');
    expect(pending.add('d', 0)).toBe('dropped');
    expect(pending.add('a', 0)).toBe('coalesced');
  });

  it('retries a failed read with a backoff, then gives up and leaves the case to the safety poll', () => {
    const pending = pendingReads(options);
    pending.add('a', 0);
    pending.takeDue(100, 10);
    expect(pending.settle(['a'], 100, true)).toEqual({ givenUp: 0 });
    expect(pending.nextDueAt()).toBe(1100);
    pending.takeDue(1100, 10);
    expect(pending.settle(['a'], 1100, true)).toEqual({ givenUp: 0 });
    expect(pending.nextDueAt()).toBe(3100);
    pending.takeDue(3100, 10);
    expect(pending.settle(['a'], 3100, true)).toEqual({ givenUp: 1 });
    expect(pending.has('a')).toBe(false);
  });
});

describe('POST /webhooks/primero', () => {
  const secret = 'a-webhook-secret-of-32-characters';
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  function build(auth: 'api_key' | 'basic') {
    const noticed: string[] = [];
    const refused: string[] = [];
    const logged: string[] = [];
    const registry = createMetricsRegistry('primero-poller', { defaultMetrics: false });
    const metrics = webhookMetrics(registry);
    const logger = createLogger({
      service: 'primero-poller',
      level: 'trace',
      destination: { write: (line: string) => void logged.push(line) },
    });
    app = buildApp({
      logger,
      readiness: { accepting: true, checks: {} },
      adminToken: 'an-admin-token-of-some-length',
      metrics: registry,
      webhooks: {
        auth,
        secret,
        notice: (id) => {
          noticed.push(id);
          metrics.notice('scheduled');
          return 'scheduled';
        },
        refused: (outcome) => {
          refused.push(outcome);
          metrics.notice(outcome);
        },
        figures: () => ({
          noticesReceived: noticed.length,
          noticesRefused: refused.length,
          targetedReads: 0,
          changesFoundByNotices: 0,
          changesFoundOnlyBySafetyPoll: 0,
          pending: noticed.length,
          lastNoticeAt: null,
          safetyPollIntervalMs: 300_000,
        }),
      },
    });
    return { app, noticed, refused, logged, registry };
  }

  const notice = {
    data: { record_id: recordId, record_type: 'case', name: 'Sokha Chan', last_updated_at: 'x' },
  };

  it('answers 202 at once and schedules the read of the case the notice names (x-api-key)', async () => {
    const { app, noticed } = build('api_key');
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/primero',
      headers: { 'x-api-key': secret, 'content-type': 'application/json', 'cache-control': 'no-cache' },
      payload: notice,
    });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ status: 'scheduled' });
    expect(noticed).toEqual([recordId]);
  });

  it('accepts Basic with the configured user:password', async () => {
    const { app, noticed } = build('basic');
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/primero',
      headers: { authorization: `Basic ${Buffer.from(secret).toString('base64')}` },
      payload: notice,
    });
    expect(response.statusCode).toBe(202);
    expect(noticed).toEqual([recordId]);
  });

  it.each([
    ['no credential', {}],
    ['a wrong api key', { 'x-api-key': `${secret}x` }],
    ['the api key as Basic', { authorization: `Basic ${Buffer.from(secret).toString('base64')}` }],
  ])('refuses %s with 401, schedules nothing and never echoes the secret', async (_name, headers) => {
    const { app, noticed, refused, logged } = build('api_key');
    const response = await app.inject({ method: 'POST', url: '/webhooks/primero', headers, payload: notice });
    expect(response.statusCode).toBe(401);
    expect(noticed).toEqual([]);
    expect(refused).toEqual(['unauthorized']);
    expect(response.body).not.toContain(secret);
    expect(logged.join('')).not.toContain(secret);
  });

  it.each([
    ['broken JSON', '{"data": {"record_id": "Sokha Chan'],
    ['JSON without a record id', JSON.stringify({ data: { case_id: 'x', name: 'Sokha Chan' } })],
    ['an array', '[1,2,3]'],
  ])('answers %s with 400, never crashes and never logs the body', async (_name, payload) => {
    const { app, noticed, refused, logged } = build('api_key');
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/primero',
      headers: { 'x-api-key': secret, 'content-type': 'application/json' },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(noticed).toEqual([]);
    expect(refused).toEqual(['malformed']);
    expect(logged.join('')).not.toContain('Sokha');
    // Still serving.
    const next = await app.inject({
      method: 'POST',
      url: '/webhooks/primero',
      headers: { 'x-api-key': secret },
      payload: notice,
    });
    expect(next.statusCode).toBe(202);
  });

  it('ignores notices for other record types with 202', async () => {
    const { app, noticed, refused } = build('api_key');
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/primero',
      headers: { 'x-api-key': secret },
      payload: { data: { record_id: recordId, record_type: 'incident' } },
    });
    expect(response.statusCode).toBe(202);
    expect(noticed).toEqual([]);
    expect(refused).toEqual(['not_a_case']);
  });

  it('shows the figures under webhooks in GET /admin/status, and counts notices on /metrics', async () => {
    const { app } = build('api_key');
    await app.inject({
      method: 'POST',
      url: '/webhooks/primero',
      headers: { 'x-api-key': secret },
      payload: notice,
    });
    await app.inject({ method: 'POST', url: '/webhooks/primero', payload: notice });
    const status = await app.inject({
      method: 'GET',
      url: '/admin/status',
      headers: { authorization: 'Bearer an-admin-token-of-some-length' },
    });
    expect(status.json()).toMatchObject({
      webhooks: { enabled: true, noticesReceived: 1, noticesRefused: 1 },
    });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain(
      'sync_webhook_notices_total{outcome="scheduled",service="primero-poller"} 1',
    );
    expect(metrics.body).toContain(
      'sync_webhook_notices_total{outcome="unauthorized",service="primero-poller"} 1',
    );
  });
});
