import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { asRecord, createPrimeroCase, oscarReferralsFor, referService } from '../src/scenario.ts';
import { useSystem, webhookSecret } from '../src/system.ts';

type Json = Record<string, unknown>;

/** The simulator's webhook worker polls every second here (Primero's is 5 s): the same behaviour, sooner. */
const workerPollMs = 1000;

/**
 * Webhooks on: Primero's notices drive the Primero → OSCaR direction with no poll (the safety poll is an hour
 * apart and only ever triggered here by hand), and the oscar-writer reports each case's sync status back.
 */
describe('Primero webhooks: notices as the push path, the poll as the safety net, sync status back', () => {
  const system = useSystem({
    label: 'e2e_webhooks',
    webhooks: { workerPollMs },
    env: { WEBHOOK_GRACE_MS: '1000', RETRY_MAX_ATTEMPTS: '2' },
  });

  /** The webhook audit rows of one case: notices (sending/sent/failed for our URL) and sync statuses. */
  async function auditRows(recordId: string): Promise<Json[]> {
    const response = await system.primeroControl('GET', `/_control/audit_logs?record_id=${recordId}`);
    return (asRecord(response.body).data as Json[]) ?? [];
  }

  async function counts(recordId: string): Promise<{ notices: number; marks: number; marksFailed: number }> {
    const rows = await auditRows(recordId);
    const statusOf = (row: Json) => String(asRecord(row.metadata).webhook_status);
    const isMark = (row: Json) =>
      ['synced', 'failed', 'not_found'].includes(statusOf(row)) &&
      !('webhook_response' in asRecord(row.metadata));
    return {
      notices: rows.filter((row) => row.resource_url === system.webhookUrl && !isMark(row)).length,
      marks: rows.filter((row) => isMark(row) && statusOf(row) === 'synced').length,
      marksFailed: rows.filter((row) => isMark(row) && statusOf(row) === 'failed').length,
    };
  }

  async function figures(): Promise<Json> {
    return asRecord((await system.adminStatus('primero-poller')).webhooks);
  }

  /** Waits for `check` without polling anything: only notices can make it true. */
  async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(200);
    }
    throw new Error(`not within ${timeoutMs} ms`);
  }

  async function referredCase(subtype: string) {
    const primeroCase = await createPrimeroCase(system, { services: [{ subtype: [subtype] }] });
    const [serviceId = ''] = primeroCase.serviceIds;
    await referService(system, primeroCase, serviceId);
    return primeroCase;
  }

  it('a referral reaches OSCaR on its notice alone, within the worker delay and a second', async () => {
    const started = Date.now();
    const primeroCase = await referredCase('counselling_trauma');
    await eventually(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1);
    expect(Date.now() - started).toBeLessThan(2 * workerPollMs + 2000);
    const shown = await figures();
    expect(shown).toMatchObject({ enabled: true, safetyPollIntervalMs: 3_600_000 });
    expect(Number(shown.noticesReceived)).toBeGreaterThan(0);
    expect(Number(shown.changesFoundByNotices)).toBeGreaterThan(0);
    expect(shown.changesFoundOnlyBySafetyPoll).toBe(0);
  });

  it('marks the case synced once its change reached OSCaR, and the echo of that mark ends there (no loop)', async () => {
    const primeroCase = await referredCase('counselling_family');
    await eventually(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1);
    await eventually(async () => (await counts(primeroCase.id)).marks > 0);
    // "Last Sync" for case workers: synced_at, shown to a user with sync_external.
    const read = await system.primeroApi('GET', `/api/v2/cases/${primeroCase.id}`, undefined, 'primero-sync');
    expect(typeof asRecord(asRecord(read.body).data).synced_at).toBe('string');

    // Each mark is a save, and its notice an echo: read, unchanged, no event, no mark. Over several worker
    // polls neither the notices nor the marks grow any more.
    await sleep(3 * workerPollMs);
    const settled = await counts(primeroCase.id);
    const before = await figures();
    await sleep(5 * workerPollMs);
    expect(await counts(primeroCase.id)).toEqual(settled);
    const after = await figures();
    expect(after.noticesReceived).toBe(before.noticesReceived);
    expect(after.targetedReads).toBe(before.targetedReads);
    // One referral: at most one mark per event of the case (its creation, its referral), never one per notice.
    expect(settled.marks).toBeGreaterThanOrEqual(1);
    expect(settled.marks).toBeLessThanOrEqual(2);
    expect(settled.notices).toBeGreaterThan(settled.marks);
    expect(await oscarReferralsFor(system, primeroCase.caseId)).toHaveLength(1);
  });

  it('duplicate and stale notices cause one read each burst and no event', async () => {
    const primeroCase = await referredCase('counselling_generalist');
    await eventually(async () => (await counts(primeroCase.id)).marks > 0);
    await sleep(3 * workerPollMs);
    const marks = (await counts(primeroCase.id)).marks;
    const before = await figures();
    // Five copies of a stale notice at once, with a body that is not the case's.
    const stale = { data: { record_id: primeroCase.id, record_type: 'case', sex: 'male', status: 'closed' } };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        fetch(system.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': webhookSecret },
          body: JSON.stringify(stale),
        }).then((response) => response.status),
      ),
    );
    expect(answers).toEqual([202, 202, 202, 202, 202]);
    await eventually(async () => Number((await figures()).targetedReads) > Number(before.targetedReads));
    await sleep(2 * workerPollMs);
    const after = await figures();
    expect(Number(after.noticesReceived) - Number(before.noticesReceived)).toBe(5);
    expect(Number(after.targetedReads) - Number(before.targetedReads)).toBe(1);
    expect(after.changesFoundByNotices).toBe(before.changesFoundByNotices);
    expect((await counts(primeroCase.id)).marks).toBe(marks);
  });

  it('refuses a notice without the secret, and a malformed one, without crashing', async () => {
    const wrong = await fetch(system.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'not-the-secret' },
      body: JSON.stringify({ data: { record_id: '0b8f3f4e-7c1d-4d5e-9a3b-2f1e0d9c8b7a' } }),
    });
    expect(wrong.status).toBe(401);
    const broken = await fetch(system.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': webhookSecret },
      body: '{"data": {"record_id": "Sokha',
    });
    expect(broken.status).toBe(400);
    const live = await fetch(`${system.service('primero-poller').baseUrl}/health/ready`);
    expect(live.status).toBe(200);
  });

  it('a lost notice is found by the safety poll, and counted as found only by it', async () => {
    const before = Number((await figures()).changesFoundOnlyBySafetyPoll);
    // Primero stops sending notices for the CP module (the module option cleared): the next save is silent.
    await system.primeroControl('PUT', '/_control/modules/primeromodule-cp', { use_webhooks_for: [] });
    try {
      const primeroCase = await referredCase('counselling_psychosocial');
      await sleep(2 * workerPollMs + 500);
      expect(await oscarReferralsFor(system, primeroCase.caseId)).toHaveLength(0);
      await system.poll('primero-poller');
      await eventually(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1);
      expect(Number((await figures()).changesFoundOnlyBySafetyPoll)).toBe(before + 1);
      const metrics = await (await fetch(`${system.service('primero-poller').baseUrl}/metrics`)).text();
      expect(metrics).toMatch(
        new RegExp(
          `sync_webhook_changes_found_by_safety_poll_total\\{service="primero-poller"\\} ${before + 1}`,
        ),
      );
    } finally {
      await system.primeroControl('PUT', '/_control/modules/primeromodule-cp', {
        use_webhooks_for: ['case'],
        use_webhook_sync_for: ['case'],
      });
    }
  });

  it('a change made while the receiver was down reaches OSCaR with the poll at its start', async () => {
    await system.kill('primero-poller');
    const primeroCase = await referredCase('counselling_anger');
    // The notices go out while nobody listens: Primero leaves them at "sending" and never retries.
    await sleep(2 * workerPollMs + 500);
    await system.startService('primero-poller');
    await eventually(async () => (await oscarReferralsFor(system, primeroCase.caseId)).length === 1);
  });

  it('marks the case failed when its event was dead-lettered', async () => {
    // OSCaR refuses every upsert: the oscar-writer dead-letters the event (a 422 is permanent).
    await system.oscarControl('PUT', '/_control/faults', {
      errorRate: 1,
      errorStatus: 422,
      paths: '^/api/v1/organizations/clients/upsert',
    });
    try {
      const primeroCase = await referredCase('counselling_trauma');
      await eventually(async () => (await counts(primeroCase.id)).marksFailed > 0);
      expect((await counts(primeroCase.id)).marks).toBe(0);
      const read = await system.primeroApi(
        'GET',
        `/api/v2/cases/${primeroCase.id}`,
        undefined,
        'primero-sync',
      );
      expect(asRecord(asRecord(read.body).data).synced_at).toBeUndefined();
    } finally {
      await system.oscarControl('DELETE', '/_control/faults');
    }
  });

  it('never logs a name, the webhook secret or a notice body', () => {
    const output = system.allOutput();
    expect(output).not.toContain('Sokha');
    expect(output).not.toContain(webhookSecret);
  });
});
