import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { PrimeroSimOptions } from '../src/index.ts';
import { loadConfig } from '../src/index.ts';
import type { ErrorList, Harness } from './sim-harness.ts';
import { basic, startHarness, usersPassword } from './sim-harness.ts';
import type { Receiver } from './webhook-receiver.ts';
import { closedPort, startReceiver } from './webhook-receiver.ts';

/**
 * Outbound webhooks and the sync-status callback (docs/upstream/primero.md §14, #webhooks), against a real
 * local HTTP receiver. The worker's own timer is set to an hour unless a test is about it; the tests run
 * the queue with `POST /_control/webhooks/work-off`, as the worker's next poll would.
 */

const allEvents = ['case.create', 'case.update', 'case.post'];
const hour = 3_600_000;

let receiver: Receiver;
let sim: Harness;
let hookUrl: string;

/** One api_key webhook for every event, the CP module enabled; the worker's poll delay left at its default. */
function configured(): PrimeroSimOptions {
  return {
    webhooks: [
      {
        url: hookUrl,
        events: allEvents,
        authType: 'api_key',
        authSecret: 'k3y',
        roleUniqueId: 'role-integration',
      },
    ],
    moduleOptions: { 'primeromodule-cp': { use_webhooks_for: ['case'], use_webhook_sync_for: ['case'] } },
    hostname: 'primero.mosvy.example.org',
  };
}

function start(options: PrimeroSimOptions = {}): Harness {
  return startHarness({ ...configured(), webhookPollMs: hour, ...options });
}

beforeEach(async () => {
  receiver = await startReceiver();
  hookUrl = `${receiver.origin}/hooks/primero?source=mosvy`;
  sim = start();
});
afterEach(async () => {
  await sim.close();
  await receiver.close();
});

interface Row {
  id: number;
  record_id: string;
  resource_url: string | null;
  timestamp: string;
  metadata: { webhook_status?: string; webhook_response?: unknown };
}

async function workOff(harness: Harness = sim): Promise<Row[]> {
  const reply = await harness.control('POST', '/_control/webhooks/work-off');
  expect(reply.status).toBe(200);
  return reply.json<{ data: Row[] }>().data;
}

async function rows(recordId: string, harness: Harness = sim): Promise<Row[]> {
  return (await harness.control('GET', `/_control/audit_logs?record_id=${recordId}`)).json<{ data: Row[] }>()
    .data;
}

async function createCp(data: Record<string, unknown> = {}, harness: Harness = sim): Promise<string> {
  const record = await harness.createCase({
    module_id: 'primeromodule-cp',
    name_first: 'Sokha',
    sex: 'female',
    ...data,
  });
  return String(record.id);
}

async function showCase(id: string, auth?: string): Promise<Record<string, unknown>> {
  const reply = await sim.request('GET', `/api/v2/cases/${id}`, auth === undefined ? {} : { auth });
  return reply.json<{ data: Record<string, unknown> }>().data;
}

const markSynced = (id: string, data: Record<string, unknown> = {}) =>
  sim.patch(`/api/v2/cases/${id}`, {
    data: { mark_synced: true, mark_synced_url: hookUrl, mark_synced_status: 'synced', ...data },
  });

describe('webhooks: when a notice is sent', () => {
  it('queues a job on save and delivers it only when the worker polls, never inside the request', async () => {
    const fast = start({ webhookPollMs: 150 });
    const id = await createCp({}, fast);
    expect(receiver.received).toHaveLength(0);
    const [notice] = await receiver.waitFor(1, 2000);
    expect(notice?.body.data.record_id).toBe(id);
    await fast.close();
  });

  it('polls every 5 s by default: nothing before the delay, the notice right after it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const defaults = startHarness(configured());
    try {
      await createCp({}, defaults);
      await vi.advanceTimersByTimeAsync(4999);
      expect(receiver.received).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
    } finally {
      vi.useRealTimers();
    }
    await receiver.waitFor(1, 2000);
    await defaults.close();
  });

  it('holds the notices while the worker is stopped and sends the backlog, one by one, once it restarts', async () => {
    const fast = start({ webhookPollMs: 50 });
    await fast.control('POST', '/_control/webhooks/stop');
    const id = await createCp({}, fast);
    for (const age of [1, 2]) await fast.patch(`/api/v2/cases/${id}`, { data: { age } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(0);
    const stopped = (await fast.control('GET', '/_control/webhooks')).json<{
      worker: Record<string, unknown>;
    }>();
    expect(stopped.worker).toMatchObject({ pending_jobs: 3, polling: false });
    await fast.control('POST', '/_control/webhooks/restart');
    await receiver.waitFor(3, 2000);
    expect(receiver.received.map((notice) => notice.body.data.age)).toEqual([2, 2, 2]);
    await fast.close();
  });

  it("sends one notice per save — create, no-op PATCH, disable, referral saves, the sync user's own writes — but none for an accept", async () => {
    const id = await createCp({ consent_for_services: true, disclosure_other_orgs: true });
    await sim.patch(`/api/v2/cases/${id}`, { data: {} });
    const referred = await sim.post(`/api/v2/cases/${id}/referrals`, {
      data: { transitioned_to: 'agency-cif-user' },
    });
    const referralId = referred.json<{ data: { id: string } }>().data.id;
    await sim.patch(`/api/v2/cases/${id}/referrals/${referralId}`, { data: { status: 'accepted' } });
    await sim.del(`/api/v2/cases/${id}`);
    const attempts = await workOff();
    // create, PATCH {}, the referral's stamp save and its second save (assigned user), DELETE; the accept saves nothing.
    expect(attempts).toHaveLength(5);
    expect(receiver.received).toHaveLength(5);
    expect(attempts.every((row) => row.metadata.webhook_status === 'sent')).toBe(true);
  });

  it('builds every body from the record as the job loads it: three quick saves give three notices of the last state', async () => {
    const id = await createCp();
    for (const name of ['A', 'B', 'C'])
      await sim.patch(`/api/v2/cases/${id}`, { data: { name_first: name } });
    await workOff();
    expect(receiver.received.map((notice) => notice.body.data.name_first)).toEqual(['C', 'C', 'C', 'C']);
  });

  it("checks the gates when the job runs: the module's use_webhooks_for and the webhook's events", async () => {
    const gbv = await sim.createCase({ module_id: 'primeromodule-gbv', name_first: 'Dara' });
    const cp = await createCp();
    await sim.control('PUT', '/_control/modules/primeromodule-cp', { use_webhooks_for: [] });
    await workOff();
    expect(receiver.received).toHaveLength(0);

    await sim.patch(`/api/v2/cases/${String(gbv.id)}`, { data: { age: 3 } });
    await sim.patch(`/api/v2/cases/${cp}`, { data: { age: 4 } });
    await sim.control('PUT', '/_control/modules/primeromodule-cp', { use_webhooks_for: ['case'] });
    const webhooks = (await sim.control('GET', '/_control/webhooks')).json<{ data: { id: string }[] }>().data;
    await sim.control('PATCH', `/_control/webhooks/${webhooks[0]?.id ?? ''}`, { events: ['case.create'] });
    await workOff();
    expect(receiver.received).toHaveLength(0);
    await createCp();
    await workOff();
    expect(receiver.received).toHaveLength(1);
  });

  it('calls every matching webhook one after the other, one audit row each', async () => {
    const second = await startReceiver();
    await sim.control('POST', '/_control/webhooks', { url: `${second.origin}/b`, events: ['case.create'] });
    const id = await createCp();
    const attempts = await workOff();
    expect(attempts.map((row) => row.resource_url)).toEqual([hookUrl, `${second.origin}/b`]);
    expect(receiver.received).toHaveLength(1);
    expect(second.received).toHaveLength(1);
    expect((await rows(id)).map((row) => row.metadata.webhook_status)).toEqual(['sent', 'sent']);
    await second.close();
  });
});

describe('webhooks: the request', () => {
  it('POSTs to the url exactly as configured with JSON, no-cache and x-api-key, and no signature, timestamp, event or delivery id', async () => {
    await createCp();
    await workOff();
    const [notice] = receiver.received;
    expect(notice?.method).toBe('POST');
    expect(notice?.url).toBe('/hooks/primero?source=mosvy');
    expect(notice?.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-cache',
      'x-api-key': 'k3y',
      'user-agent': 'Faraday v0.17.4',
    });
    expect(notice?.headers.authorization).toBeUndefined();
    const extra = Object.keys(notice?.headers ?? {}).filter((name) =>
      /sig|timestamp|event|delivery|hook/i.test(name),
    );
    expect(extra).toEqual([]);
  });

  it('sends Basic auth from user:pass, losing whatever follows a second colon, and no auth without a secret', async () => {
    await sim.control('POST', '/_control/webhooks', {
      url: `${receiver.origin}/basic`,
      events: ['case.create'],
      auth_type: 'basic_auth',
      auth_secret: 'sync:pa:ss',
    });
    await sim.control('POST', '/_control/webhooks', {
      url: `${receiver.origin}/open`,
      events: ['case.create'],
    });
    await createCp();
    await workOff();
    const byPath = new Map(receiver.received.map((notice) => [notice.url, notice.headers]));
    expect(byPath.get('/basic')?.authorization).toBe(basic('sync:pa'));
    expect(byPath.get('/basic')?.['x-api-key']).toBeUndefined();
    expect(byPath.get('/open')?.authorization).toBeUndefined();
    expect(byPath.get('/open')?.['x-api-key']).toBeUndefined();
  });

  it('carries record_id, record_type "case" and hostname, no id and no event name, so create and update look alike', async () => {
    const id = await createCp();
    await workOff();
    await sim.patch(`/api/v2/cases/${id}`, { data: { age: 7 } });
    await workOff();
    const [created, updated] = receiver.received.map((notice) => notice.body.data);
    for (const data of [created, updated]) {
      expect(data).toMatchObject({
        record_id: id,
        record_type: 'case',
        hostname: 'primero.mosvy.example.org',
        name_first: 'Sokha',
        module_id: 'primeromodule-cp',
      });
      expect(data).not.toHaveProperty('id');
      expect(data).not.toHaveProperty('event');
      expect(Object.keys(data ?? {}).slice(0, 3)).toEqual(['record_id', 'record_type', 'hostname']);
    }
    expect(updated?.last_updated_at).toBe(new Date(sim.now()).toISOString());
  });

  it('reports sync_status "sending" — the attempt it is part of — when the role has sync_external', async () => {
    await createCp();
    await workOff();
    expect(receiver.received[0]?.body.data.sync_status).toBe('sending');
  });

  it("sends only the fields the webhook's role may read, and no sync fields without sync_external", async () => {
    await sim.control('PUT', '/_control/roles/role-webhook-summary', { fields: [], sync_external: false });
    const webhooks = (await sim.control('GET', '/_control/webhooks')).json<{ data: { id: string }[] }>().data;
    await sim.control('PATCH', `/_control/webhooks/${webhooks[0]?.id ?? ''}`, {
      role_unique_id: 'role-webhook-summary',
    });
    await createCp({ age: 9, services_section: [{ service_type: 'counselling' }] });
    await workOff();
    const data = receiver.received[0]?.body.data ?? {};
    expect(data).toMatchObject({
      sex: 'female',
      age: 9,
      status: 'open',
      record_state: true,
      workflow: 'new',
    });
    for (const key of [
      'short_id',
      'case_id_display',
      'owned_by',
      'created_at',
      'last_updated_by',
      'last_updated_at',
    ])
      expect(data, key).toHaveProperty(key);
    for (const key of ['name_first', 'services_section', 'case_id', 'sync_status'])
      expect(data, key).not.toHaveProperty(key);
  });

  it('escapes <, > and & as ActiveSupport does', async () => {
    await createCp({ name_first: 'A<b>&c' });
    await workOff();
    expect(receiver.received[0]?.rawBody).toContain('"name_first":"A\\u003cb\\u003e\\u0026c"');
    expect(receiver.received[0]?.body.data.name_first).toBe('A<b>&c');
  });
});

describe('webhooks: outcomes, audit rows and no retries', () => {
  it('counts a status below 400 as sent (a redirect included, not followed) and 400 and above as failed, keeping the response', async () => {
    const answers = [
      { status: 302, body: '' },
      { status: 400, body: '{"error":"boom"}' },
      { status: 201, body: 'queued', contentType: 'text/plain' },
    ];
    receiver.answer(() => answers[receiver.received.length - 1] ?? { status: 200 });
    const id = await createCp();
    for (const age of [1, 2]) await sim.patch(`/api/v2/cases/${id}`, { data: { age } });
    const attempts = await workOff();
    expect(attempts.map((row) => row.metadata)).toEqual([
      { webhook_status: 'sent', webhook_response: '' },
      { webhook_status: 'failed', webhook_response: { error: 'boom' } },
      { webhook_status: 'sent', webhook_response: 'queued' },
    ]);
    expect(receiver.received).toHaveLength(3);
    expect(await workOff()).toEqual([]);
    expect(receiver.received).toHaveLength(3);
  });

  it('leaves a refused connection at sending, skips the webhooks after it in that job, and never retries', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}/down`;
    const first = (await sim.control('GET', '/_control/webhooks')).json<{ data: { id: string }[] }>().data[0];
    await sim.control('DELETE', `/_control/webhooks/${first?.id ?? ''}`);
    await sim.control('POST', '/_control/webhooks', { url: dead, events: allEvents });
    await sim.control('POST', '/_control/webhooks', { url: hookUrl, events: allEvents });
    const id = await createCp();
    expect((await workOff()).map((row) => [row.resource_url, row.metadata.webhook_status])).toEqual([
      [dead, 'sending'],
    ]);
    expect(receiver.received).toHaveLength(0);
    expect(await workOff()).toEqual([]);
    expect(await rows(id)).toHaveLength(1);
  });

  it('leaves a timed-out or reset attempt at sending for ever', async () => {
    const quick = start({ webhookTimeoutMs: 200 });
    receiver.answer('hang');
    const id = await createCp({}, quick);
    expect((await workOff(quick)).map((row) => row.metadata)).toEqual([{ webhook_status: 'sending' }]);
    receiver.answer('reset');
    await quick.patch(`/api/v2/cases/${id}`, { data: { age: 2 } });
    expect((await workOff(quick)).map((row) => row.metadata)).toEqual([{ webhook_status: 'sending' }]);
    expect((await rows(id, quick)).map((row) => row.metadata.webhook_status)).toEqual(['sending', 'sending']);
    await quick.close();
  });

  it('writes a sending row and posts nothing when the webhook role does not exist', async () => {
    const webhooks = (await sim.control('GET', '/_control/webhooks')).json<{ data: { id: string }[] }>().data;
    await sim.control('PATCH', `/_control/webhooks/${webhooks[0]?.id ?? ''}`, {
      role_unique_id: 'role-gone',
    });
    const id = await createCp();
    await workOff();
    expect(receiver.received).toHaveLength(0);
    expect((await rows(id)).map((row) => row.metadata.webhook_status)).toEqual(['sending']);
  });

  it("keeps a used webhook's url and secret until the worker restarts, while added and deleted rows count at once", async () => {
    await createCp();
    await workOff();
    const webhooks = (await sim.control('GET', '/_control/webhooks')).json<{ data: { id: string }[] }>().data;
    const id = webhooks[0]?.id ?? '';
    await sim.control('PATCH', `/_control/webhooks/${id}`, {
      url: `${receiver.origin}/moved`,
      auth_secret: 'new',
    });
    await createCp();
    await workOff();
    expect(receiver.received[1]).toMatchObject({ url: '/hooks/primero?source=mosvy' });
    expect(receiver.received[1]?.headers['x-api-key']).toBe('k3y');
    await sim.control('POST', '/_control/webhooks/restart');
    await createCp();
    await workOff();
    expect(receiver.received[2]).toMatchObject({ url: '/moved' });
    expect(receiver.received[2]?.headers['x-api-key']).toBe('new');
    await sim.control('DELETE', `/_control/webhooks/${id}`);
    await createCp();
    expect(await workOff()).toEqual([]);
  });

  it('lists the attempts in GET /api/v2/audit_logs, newest first, in the audit-log view, to a role that may read them', async () => {
    const id = await createCp();
    sim.advance(1000);
    await sim.patch(`/api/v2/cases/${id}`, { data: { age: 5 } });
    await workOff();
    const reply = await sim.get('/api/v2/audit_logs');
    expect(reply.status).toBe(200);
    const body = reply.json<{ data: Record<string, unknown>[]; metadata: Record<string, number> }>();
    expect(body.metadata).toEqual({ total: 2, per: 100, page: 1 });
    const shortId = (await showCase(id)).case_id_display as string;
    expect(body.data[0]).toEqual({
      id: 2,
      display_id: shortId,
      record_type: 'child',
      user_name: null,
      action: 'webhook',
      resource_url: hookUrl,
      timestamp: new Date(sim.now()).toISOString(),
      log_message: {
        prefix: { key: 'logger.webhook', approval_type: null },
        identifier: `Child '${shortId}'`,
        suffix: { key: 'logger.by_user', user: null },
      },
      metadata: { webhook_status: 'sent', webhook_response: { ok: true } },
    });
    expect(
      (await sim.get('/api/v2/audit_logs?per=1&page=2')).json<{ data: { id: number }[] }>().data,
    ).toEqual([expect.objectContaining({ id: 1 })]);
    expect(
      (await sim.get('/api/v2/audit_logs?user_name=primero-sync')).json<{ data: unknown[] }>().data,
    ).toEqual([]);
    const manager = await sim.request('GET', '/api/v2/audit_logs', { auth: `mgrpnh:${usersPassword}` });
    expect(manager.status).toBe(403);
    expect(manager.json<ErrorList>().errors[0]).toMatchObject({ status: 403, message: 'Forbidden' });
  });
});

describe('webhooks: marking a case synced', () => {
  it('refuses the mark_synced keys with 422 to a user without sync_external', async () => {
    const id = await createCp();
    const reply = await sim.request('PATCH', `/api/v2/cases/${id}`, {
      auth: `mgrpnh:${usersPassword}`,
      payload: { data: { mark_synced: true, mark_synced_url: hookUrl, mark_synced_status: 'synced' } },
    });
    expect(reply.status).toBe(422);
    expect(reply.json<ErrorList>().errors[0]).toMatchObject({
      message: 'Invalid Record JSON',
      detail: ['/mark_synced', '/mark_synced_url', '/mark_synced_status'],
    });
    expect(await rows(id)).toEqual([]);
  });

  it('writes a row for that url, stores none of the three keys, and is a normal save: last_updated_at and _by move, an echo notice follows', async () => {
    const id = await createCp({}, sim);
    await workOff();
    await sim.request('PATCH', `/api/v2/cases/${id}`, {
      auth: `mgrpnh:${usersPassword}`,
      payload: { data: { age: 4 } },
    });
    await workOff();
    sim.advance(60_000);
    const reply = await markSynced(id, { age: 5 });
    expect(reply.status).toBe(200);
    const answered = reply.json<{ data: Record<string, unknown> }>().data;
    expect(answered).toMatchObject({ age: 5, last_updated_at: new Date(sim.now()).toISOString() });
    expect(answered).not.toHaveProperty('mark_synced');
    const stored = (await sim.control('GET', `/_control/cases?id=${id}`)).json<{
      data: Record<string, unknown>[];
    }>().data[0];
    expect(stored).toMatchObject({ last_updated_by: 'primero-sync', age: 5 });
    for (const key of ['mark_synced', 'mark_synced_url', 'mark_synced_status'])
      expect(stored).not.toHaveProperty(key);
    const logged = await rows(id);
    expect(logged.at(-1)).toMatchObject({
      resource_url: hookUrl,
      timestamp: new Date(sim.now()).toISOString(),
      metadata: { webhook_status: 'synced' },
    });
    const echo = await workOff();
    expect(echo).toHaveLength(1);
    expect(receiver.received.at(-1)?.body.data).toMatchObject({
      record_id: id,
      last_updated_by: 'primero-sync',
    });
  });

  it("shows sync_status and synced_at on GET to sync_external users only, and the echo's sent row hides synced_at", async () => {
    const id = await createCp();
    expect(await showCase(id)).not.toHaveProperty('sync_status');
    await workOff();
    expect((await showCase(id)).sync_status).toBe('sent');
    sim.advance(1000);
    await markSynced(id);
    const syncedAt = new Date(sim.now()).toISOString();
    const shown = await showCase(id);
    expect(shown).toMatchObject({ sync_status: 'synced', synced_at: syncedAt });
    expect(Object.keys(shown).slice(-3)).toEqual(['last_updated_at', 'sync_status', 'synced_at']);
    const list = (await sim.get('/api/v2/cases')).json<{ data: Record<string, unknown>[] }>().data;
    expect(list[0]).toMatchObject({ sync_status: 'synced', synced_at: syncedAt });
    expect(await showCase(id, `mgrpnh:${usersPassword}`)).not.toHaveProperty('sync_status');
    sim.advance(1000);
    await workOff();
    const afterEcho = await showCase(id);
    expect(afterEcho.sync_status).toBe('sent');
    expect(afterEcho).not.toHaveProperty('synced_at');
  });

  it('lets mark_synced_status win over mark_synced (failed, not_found), and logs no row without a url in the status', async () => {
    const id = await createCp();
    sim.advance(1000);
    await markSynced(id, { mark_synced_status: 'not_found' });
    expect((await showCase(id)).sync_status).toBe('not_found');
    sim.advance(1000);
    await sim.patch(`/api/v2/cases/${id}`, { data: { mark_synced: true } });
    expect((await rows(id)).at(-1)).toMatchObject({
      resource_url: null,
      metadata: { webhook_status: 'synced' },
    });
    expect((await showCase(id)).sync_status).toBe('not_found');
  });

  it('stores a lone mark_synced: false on the case, since it is not "present"', async () => {
    const id = await createCp();
    await sim.patch(`/api/v2/cases/${id}`, { data: { mark_synced: false } });
    expect(await rows(id)).toEqual([]);
    expect(await showCase(id)).toMatchObject({ mark_synced: false });
    expect(await showCase(id, `mgrpnh:${usersPassword}`)).not.toHaveProperty('mark_synced');
  });

  it('answers every mark-synced call with one more notice, so marking every notice synced never ends', async () => {
    const id = await createCp();
    for (let round = 1; round <= 5; round += 1) {
      expect(await workOff()).toHaveLength(1);
      expect(receiver.received).toHaveLength(round);
      await markSynced(String(receiver.received.at(-1)?.body.data.record_id));
    }
    expect((await rows(id)).map((row) => row.metadata.webhook_status)).toEqual(
      Array.from({ length: 5 }, () => ['sent', 'synced']).flat(),
    );
  });

  it('keeps looping on its own, once per worker poll, with a receiver that answers at once and marks synced after', async () => {
    const looping = start({ webhookPollMs: 100 });
    const marks: Promise<unknown>[] = [];
    let stopped = false;
    receiver.answer((notice) => {
      setTimeout(() => {
        if (stopped) return;
        marks.push(
          looping.patch(`/api/v2/cases/${String(notice.body.data.record_id)}`, {
            data: { mark_synced: true, mark_synced_url: hookUrl },
          }),
        );
      }, 20);
      return { status: 200, body: '{}' };
    });
    const started = Date.now();
    await createCp({}, looping);
    await receiver.waitFor(4, 3000);
    // Each echo waits for the next poll: never more notices than polls so far.
    expect(receiver.received.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 100) + 1);
    stopped = true;
    await new Promise((resolve) => setTimeout(resolve, 40));
    await Promise.all(marks);
    await looping.close();
  });
});

describe('webhooks: the manual sync, POST /api/v2/cases/:id/sync', () => {
  it('writes a sending row for the pseudo-url "webhook", queues case.post and answers the status, without saving the case', async () => {
    const id = await createCp();
    await workOff();
    const before = (await showCase(id)).last_updated_at;
    sim.advance(1000);
    const reply = await sim.post(`/api/v2/cases/${id}/sync`);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({
      data: { record_id: id, record_type: 'case', synced_at: null, sync_status: 'sending' },
    });
    expect((await rows(id)).at(-1)).toMatchObject({
      resource_url: 'webhook',
      metadata: { webhook_status: 'sending' },
    });
    expect(await workOff()).toHaveLength(1);
    expect((await showCase(id)).last_updated_at).toBe(before);
    expect((await showCase(id)).sync_status).toBe('sent');
  });

  it('is forbidden without sync_external and a 404 for an unknown case', async () => {
    const id = await createCp();
    const manager = await sim.request('POST', `/api/v2/cases/${id}/sync`, {
      auth: `mgrpnh:${usersPassword}`,
    });
    expect(manager.status).toBe(403);
    expect((await sim.post('/api/v2/cases/00000000-0000-4000-8000-000000000000/sync')).status).toBe(404);
  });
});

describe('webhooks: configuration', () => {
  it('registers a webhook at start from the environment and enables it for the CP module', () => {
    const config = loadConfig({
      PRIMERO_SIM_WEBHOOK_URL: 'http://127.0.0.1:8090/webhooks/primero',
      PRIMERO_SIM_WEBHOOK_AUTH: 'basic_auth',
      PRIMERO_SIM_WEBHOOK_SECRET: 'primero:hook-secret',
      PRIMERO_SIM_WEBHOOK_POLL_MS: '1000',
    });
    expect(config.webhooks).toEqual([
      {
        url: 'http://127.0.0.1:8090/webhooks/primero',
        events: allEvents,
        authType: 'basic_auth',
        authSecret: 'primero:hook-secret',
        roleUniqueId: 'role-integration',
      },
    ]);
    expect(config.webhookModules).toEqual(['primeromodule-cp']);
    expect(config.webhookPollMs).toBe(1000);
    expect(loadConfig({}).webhooks).toEqual([]);
    expect(loadConfig({}).webhookPollMs).toBe(5000);
  });

  it('reports every invalid webhook variable at once', () => {
    expect(() =>
      loadConfig({
        PRIMERO_SIM_WEBHOOK_URL: 'ftp://x',
        PRIMERO_SIM_WEBHOOK_AUTH: 'token',
        PRIMERO_SIM_WEBHOOK_MODULES: 'primeromodule-xyz',
        PRIMERO_SIM_WEBHOOK_POLL_MS: '0',
      }),
    ).toThrow(/WEBHOOK_URL[\s\S]*WEBHOOK_AUTH[\s\S]*WEBHOOK_MODULES[\s\S]*WEBHOOK_POLL_MS/);
  });

  it('reads use_webhooks_for back in GET /api/v2/primero_modules/:id (by its integer id), as set through the control API', async () => {
    const cp = await sim.get('/api/v2/primero_modules/1');
    expect(cp.json<{ data: Record<string, unknown> }>().data).toMatchObject({
      unique_id: 'primeromodule-cp',
      module_options: { use_webhooks_for: ['case'], use_webhook_sync_for: ['case'] },
    });
    await sim.control('PUT', '/_control/modules/primeromodule-gbv', { use_webhooks_for: ['case'] });
    const all = (await sim.get('/api/v2/primero_modules')).json<{ data: Record<string, unknown>[] }>().data;
    expect(all.map((module) => [module.unique_id, module.module_options])).toEqual([
      [
        'primeromodule-cp',
        {
          use_workflow_service_implemented: true,
          use_webhooks_for: ['case'],
          use_webhook_sync_for: ['case'],
        },
      ],
      ['primeromodule-gbv', { use_webhooks_for: ['case'] }],
      ['primeromodule-mrm', {}],
    ]);
    expect((await sim.get('/api/v2/primero_modules/primeromodule-cp')).status).toBe(404);
  });

  it('refuses a duplicate url and an invalid row through the control API', async () => {
    const duplicate = await sim.control('POST', '/_control/webhooks', {
      url: hookUrl,
      events: ['case.update'],
    });
    expect(duplicate.status).toBe(409);
    const invalid = await sim.control('POST', '/_control/webhooks', {
      url: 'nope',
      events: [],
      auth_type: 'x',
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json<{ errors: string[] }>().errors).toHaveLength(3);
  });
});
