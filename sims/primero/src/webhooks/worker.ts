import type { FastifyBaseLogger } from 'fastify';

import type { JsonValue } from '../core/json.ts';
import { noticeBody, noticeHeaders, railsJson } from '../core/webhook-notice.ts';
import type { AuditLogRow, AuditLogStore } from '../state/audit-log-store.ts';
import type { CaseStore } from '../state/case-store.ts';
import type { Role, Webhook, WebhookRegistry } from '../state/webhook-registry.ts';
import type { Delivery } from './deliver.ts';
import { caseSyncStatus } from './sync-view.ts';

/**
 * Primero's `api` queue and its delayed_job worker (WebhookJob, WebhookConnectorService, v2.5.7;
 * docs/upstream/primero.md §14.1–§14.3). Every save enqueues a job; the worker polls every `pollMs`
 * (5 s), works off every job it finds one after the other, and sleeps again only when the queue is empty.
 * A job reloads the case, checks its module's `use_webhooks_for` and the webhooks whose events hold the
 * event, and posts to each in turn. Each attempt writes a `sending` audit row first, then `sent` (< 400) or
 * `failed` (>= 400) with the response; an error (refused, reset, timeout, unknown role) leaves the row at
 * `sending`, ends that job — the webhooks after it are not called — and is never retried. A webhook's
 * url, role and secret are read once into a connector that the worker keeps until it restarts.
 */

export type WebhookAction = 'create' | 'update' | 'post';

export interface WebhookJob {
  readonly recordId: string;
  readonly action: WebhookAction;
}

export interface WebhookWorkerOptions {
  readonly cases: CaseStore;
  readonly auditLogs: AuditLogStore;
  readonly registry: WebhookRegistry;
  readonly delivery: Delivery;
  readonly now: () => number;
  /** `PRIMERO_HOST`, sent as `hostname`. */
  readonly hostname: string | null;
  /** delayed_job's `sleep_delay`. */
  readonly pollMs: number;
  /** Idle timeout of one POST (net/http's 60 s). */
  readonly timeoutMs: number;
  readonly log: FastifyBaseLogger;
}

export interface WorkerStatus {
  readonly pollMs: number;
  readonly timeoutMs: number;
  readonly pendingJobs: number;
  readonly running: boolean;
  /** False once `stop` was called, until `restart`. */
  readonly polling: boolean;
}

export interface WebhookWorker {
  /** `WebhookJob.perform_later`: queued now, run at the worker's next poll. */
  enqueue(job: WebhookJob): void;
  /** Works off every queued job now (after any run in progress); the audit rows of the attempts made. */
  workOff(): Promise<readonly AuditLogRow[]>;
  /** A new worker process: connectors rebuilt from the current rows, optionally another poll delay. */
  restart(options?: { readonly pollMs?: number }): void;
  /** A stopped worker process: jobs pile up until `restart` (or `workOff`). */
  stop(): void;
  /** Drops queued jobs (a reset). */
  clear(): void;
  status(): WorkerStatus;
  /** Stops polling and abandons the POSTs in flight. */
  close(): Promise<void>;
}

interface Connector {
  readonly url: string;
  readonly roleUniqueId: string;
  readonly headers: Record<string, string>;
  /** `@role ||= Role.find_by(…)`: looked up at the first delivery, then kept. */
  role: Role | undefined;
}

export function createWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { cases, auditLogs, registry, delivery, now, log } = options;
  let pollMs = options.pollMs;
  let queue: WebhookJob[] = [];
  let connectors = new Map<string, Connector>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();
  // A restart starts a new poll loop; the old one stops at its next turn.
  let generation = 0;
  let polling = true;

  const connectorFor = (webhook: Webhook): Connector => {
    let connector = connectors.get(webhook.id);
    if (connector === undefined) {
      connector = {
        url: webhook.url,
        roleUniqueId: webhook.roleUniqueId,
        headers: noticeHeaders(webhook),
        role: undefined,
      };
      connectors.set(webhook.id, connector);
    }
    return connector;
  };

  const perform = async (job: WebhookJob, attempts: AuditLogRow[]): Promise<void> => {
    const stored = cases.get(job.recordId);
    if (stored === undefined) return;
    const moduleId = stored.data.module_id;
    if (typeof moduleId !== 'string') return;
    if (!(registry.moduleOptions(moduleId).use_webhooks_for ?? []).includes('case')) return;
    // The record as the job loaded it; its sync status is computed once, at the first body.
    const record = { id: stored.id, data: stored.data };
    let status: { syncStatus: JsonValue | undefined; syncedAt: string | undefined } | undefined;
    for (const webhook of registry.webhooksFor(`case.${job.action}`)) {
      const connector = connectorFor(webhook);
      const row = auditLogs.add({
        recordType: 'Child',
        recordId: record.id,
        action: 'webhook',
        resourceUrl: connector.url,
        timestamp: now(),
        metadata: { webhook_status: 'sending' },
      });
      attempts.push(row);
      connector.role ??= registry.role(connector.roleUniqueId);
      const role = connector.role;
      if (role === undefined) {
        log.error(
          { recordId: record.id, webhook: webhook.id },
          "webhook role not found: undefined method `id' for nil",
        );
        return;
      }
      status ??= caseSyncStatus(auditLogs, record.id);
      const body = railsJson(noticeBody(record, role, options.hostname, status));
      const outcome = await delivery.post(connector.url, connector.headers, body, options.timeoutMs);
      if (!outcome.ok) {
        log.error(
          { recordId: record.id, webhook: webhook.id, error: outcome.error },
          'webhook delivery error',
        );
        return;
      }
      row.metadata = {
        webhook_status: outcome.status < 400 ? 'sent' : 'failed',
        webhook_response: parseResponse(outcome.body),
      };
    }
  };

  const workOffAll = async (): Promise<AuditLogRow[]> => {
    const attempts: AuditLogRow[] = [];
    running = true;
    try {
      while (queue.length > 0 && !closed) {
        const [job] = queue.splice(0, 1);
        if (job !== undefined) await perform(job, attempts);
      }
    } finally {
      running = false;
    }
    return attempts;
  };

  const runExclusive = (): Promise<AuditLogRow[]> => {
    const run = chain.then(workOffAll);
    chain = run.catch(() => undefined);
    return run;
  };

  const schedule = () => {
    if (closed || !polling) return;
    const mine = generation;
    const again = () => {
      if (mine === generation) schedule();
    };
    timer = setTimeout(() => {
      runExclusive().then(again, (error: unknown) => {
        log.error({ err: error }, 'webhook worker failed');
        again();
      });
    }, pollMs);
    timer.unref();
  };
  schedule();

  return {
    enqueue(job) {
      if (!closed) queue.push(job);
    },
    workOff: runExclusive,
    restart(next = {}) {
      connectors = new Map();
      if (next.pollMs !== undefined) pollMs = next.pollMs;
      polling = true;
      generation += 1;
      clearTimeout(timer);
      schedule();
    },
    stop() {
      polling = false;
      generation += 1;
      clearTimeout(timer);
    },
    clear() {
      queue = [];
    },
    status: () => ({ pollMs, timeoutMs: options.timeoutMs, pendingJobs: queue.length, running, polling }),
    async close() {
      closed = true;
      clearTimeout(timer);
      delivery.abortAll();
      await chain;
    },
  };
}

/** Faraday's body: parsed JSON, else the text as it came. */
function parseResponse(body: string): JsonValue {
  try {
    return JSON.parse(body) as JsonValue;
  } catch {
    return body;
  }
}
