import { setTimeout as sleep } from 'node:timers/promises';

import { buildOscarSim, type Store as OscarStore } from '@pos/sim-oscar';
import { buildPrimeroSim } from '@pos/sim-primero';
import {
  createTestDatabase,
  createTestVhost,
  freePort,
  type ServiceProcess,
  startServiceProcess,
} from '@pos/testkit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, inject } from 'vitest';

const root = new URL('../../../', import.meta.url).pathname;
export type ServiceName = 'primero-poller' | 'oscar-poller' | 'primero-writer' | 'oscar-writer';

export const controlToken = 'sim-control';
/** The services' `ADMIN_TOKEN` in every system: `poll()` and `adminStatus()` send it as a bearer token. */
export const adminToken = 'e2e-admin-token-not-secret';
export const usersPassword = 'primero-user-password';
/** The secret Primero's webhook presents to the primero-poller in a system with webhooks on. */
export const webhookSecret = 'e2e-webhook-secret-not-secret';

export interface SystemOptions {
  databaseUrl: string;
  amqpUrl: string;
  amqpManagementUrl: string;
  label: string;
  /** Extra environment for every service (e.g. a short JWT lifetime is a simulator option instead). */
  env?: Record<string, string>;
  primeroJwtTtlSeconds?: number;
  /** Primero version the simulator plays (default 2.5). */
  primeroVersion?: string;
  /** The services to start (default all four); a scenario about one direction may need only two. */
  services?: readonly ServiceName[];
  /**
   * Webhooks on: the simulator's webhook points at the primero-poller's receiver (api key, CP module), the
   * poller polls only when asked (its safety poll an hour apart), and the oscar-writer reports sync statuses.
   */
  webhooks?: { workerPollMs?: number; safetyPollMs?: number };
  /**
   * What the services run: their TypeScript sources (`src/main.ts`, the default: a test sees an edit at
   * once), or the bundles of `pnpm build` (`dist/main.js`, what the image and `pnpm start` run; build first).
   */
  entry?: 'sources' | 'bundles';
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

/**
 * The whole sync for one spec file: its own database and vhost, both simulators in-process on free ports,
 * and the four services as child processes (exactly as `pnpm start` runs them). Polls are triggered through
 * `POST /admin/poll` so scenarios do not wait for timers.
 */
export class System {
  readonly primero: FastifyInstance;
  readonly oscar: FastifyInstance;
  /** The OSCaR simulator's state, for scenarios that need a record no real OSCaR UI could produce. */
  readonly oscarStore: OscarStore;
  primeroUrl = '';
  oscarUrl = '';
  /** AMQP URL of this system's own vhost. */
  amqpUrl = '';
  /** Management API of the broker (queue depths of this system's vhost). */
  get amqpManagementUrl(): string {
    return this.options.amqpManagementUrl;
  }
  /** Its own database (each service keeps its tables in its own schema there). */
  databaseUrl = '';
  /** Name of its own vhost. */
  vhostName = '';
  readonly services = new Map<ServiceName, ServiceProcess>();
  private cleanups: Array<() => Promise<void>> = [];
  private readonly options: SystemOptions;

  constructor(options: SystemOptions) {
    this.options = options;
    this.primero = buildPrimeroSim({
      controlToken,
      usersPassword,
      jwtTtlSeconds: options.primeroJwtTtlSeconds ?? 3600,
      ...(options.webhooks ? { webhookPollMs: options.webhooks.workerPollMs ?? 5000 } : {}),
    });
    const oscarSim = buildOscarSim({ controlToken });
    this.oscar = oscarSim.app;
    this.oscarStore = oscarSim.store;
  }

  async start(): Promise<this> {
    const database = await createTestDatabase(this.options.databaseUrl, this.options.label);
    this.cleanups.push(() => database.drop());
    const vhost = await createTestVhost(
      this.options.amqpUrl,
      this.options.amqpManagementUrl,
      this.options.label,
    );
    this.cleanups.push(() => vhost.delete());
    this.amqpUrl = vhost.url;
    this.databaseUrl = database.url;
    this.vhostName = decodeURIComponent(new URL(vhost.url).pathname.slice(1));
    this.primeroUrl = await this.primero.listen({ host: '127.0.0.1', port: 0 });
    this.cleanups.push(() => this.primero.close());
    this.oscarUrl = await this.oscar.listen({ host: '127.0.0.1', port: 0 });
    this.cleanups.push(() => this.oscar.close());

    const env = {
      DATABASE_URL: database.url,
      AMQP_URL: vhost.url,
      PRIMERO_BASE_URL: this.primeroUrl,
      OSCAR_BASE_URL: this.oscarUrl,
      POLL_INTERVAL_MS: '3600000',
      PARTITIONS: '3',
      CURSOR_OVERLAP_MS: '60000',
      LOG_LEVEL: 'info',
      ADMIN_TOKEN: adminToken,
      ...this.options.env,
    };
    this.env = env;
    if (this.options.webhooks) await this.configureWebhooks(this.options.webhooks);
    // Writers first: they declare the partition queues the pollers' relays publish to.
    for (const name of ['primero-writer', 'oscar-writer', 'primero-poller', 'oscar-poller'] as const) {
      if (this.options.services === undefined || this.options.services.includes(name)) {
        await this.startService(name);
      }
    }
    this.cleanups.push(async () => {
      await Promise.all([...this.services.values(), ...this.replicas].map((proc) => proc.stop()));
    });
    return this;
  }

  private env: Record<string, string> = {};
  /** Per service: its own port and environment beyond the system's (the webhook receiver's). */
  private readonly serviceEnv = new Map<ServiceName, { port?: number; env: Record<string, string> }>();
  /** The receiver's URL as the simulator's webhook has it, when webhooks are on. */
  webhookUrl = '';

  /**
   * Registers the receiver with the simulator (a fixed port for the primero-poller, so the URL is known
   * before it starts), turns webhooks on for the CP module, and gives the poller the secret and the
   * oscar-writer the URL to report sync statuses for.
   */
  private async configureWebhooks(options: { safetyPollMs?: number }): Promise<void> {
    const port = await freePort();
    this.webhookUrl = `http://127.0.0.1:${port}/webhooks/primero`;
    const added = await this.primeroControl('POST', '/_control/webhooks', {
      url: this.webhookUrl,
      events: ['case.create', 'case.update', 'case.post'],
      auth_type: 'api_key',
      auth_secret: webhookSecret,
      role_unique_id: 'role-integration',
    });
    if (added.status !== 201)
      throw new Error(`the simulator refused the webhook: ${JSON.stringify(added.body)}`);
    await this.primeroControl('PUT', '/_control/modules/primeromodule-cp', {
      use_webhooks_for: ['case'],
      use_webhook_sync_for: ['case'],
    });
    this.serviceEnv.set('primero-poller', {
      port,
      env: {
        WEBHOOK_SECRET: webhookSecret,
        WEBHOOK_AUTH: 'api_key',
        SAFETY_POLL_INTERVAL_MS: String(options.safetyPollMs ?? 3_600_000),
      },
    });
    this.serviceEnv.set('oscar-writer', {
      env: { PRIMERO_SYNC_STATUS_URL: this.webhookUrl, SYNC_STATUS_INTERVAL_MS: '200' },
    });
  }

  /** Starts (or restarts) one service with the system's environment. */
  async startService(name: ServiceName): Promise<ServiceProcess> {
    const own = this.serviceEnv.get(name);
    const proc = await startServiceProcess({
      entry: this.entryOf(name),
      env: { ...this.env, ...own?.env },
      ...(own?.port === undefined ? {} : { port: own.port }),
    });
    this.services.set(name, proc);
    return proc;
  }

  /**
   * Starts one more replica of a writer beside the running one (`WRITER_REPLICA_INDEX` = `index`), with the
   * system's environment; it is stopped with the system.
   */
  async startReplica(name: 'primero-writer' | 'oscar-writer', index: number): Promise<ServiceProcess> {
    const proc = await startServiceProcess({
      entry: this.entryOf(name),
      env: { ...this.env, WRITER_REPLICA_INDEX: String(index) },
    });
    this.replicas.push(proc);
    return proc;
  }

  readonly replicas: ServiceProcess[] = [];

  private entryOf(name: ServiceName): string {
    return this.options.entry === 'bundles'
      ? `${root}services/${name}/dist/main.js`
      : `${root}services/${name}/src/main.ts`;
  }

  /** Kills one service the hard way (SIGKILL: no shutdown stages, nothing drained). */
  async kill(name: ServiceName): Promise<void> {
    const proc = this.service(name);
    proc.signal('SIGKILL');
    await proc.exited;
  }

  async stop(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
    this.cleanups = [];
  }

  service(name: ServiceName): ServiceProcess {
    const proc = this.services.get(name);
    if (!proc) throw new Error(`${name} is not running`);
    return proc;
  }

  /** Every log line of every service, as text (for the privacy checks). */
  allOutput(): string {
    return [...this.services.values()].flatMap((proc) => proc.output).join('\n');
  }

  /** Triggers one poll of each poller ("Run now"), Primero first as the legacy hour did. */
  async pollBoth(): Promise<void> {
    await this.poll('primero-poller');
    await this.poll('oscar-poller');
  }

  async poll(name: 'primero-poller' | 'oscar-poller'): Promise<void> {
    const response = await fetch(`${this.service(name).baseUrl}/admin/poll`, {
      method: 'POST',
      headers: this.adminHeaders(),
    });
    await response.body?.cancel();
    // A failed poll (502) or one before ready (503) is the scenario's business; a refused token is the harness's.
    if (response.status === 401)
      throw new Error(`${name} refused the admin token: is ADMIN_TOKEN set in its env?`);
  }

  /** `authorization: Bearer <ADMIN_TOKEN>` as the services were started with. */
  adminHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.env.ADMIN_TOKEN ?? adminToken}` };
  }

  /** Polls both sides until `check` holds (each round gives the pipeline time to carry the changes). */
  async converge(check: () => Promise<boolean> | boolean, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    while (Date.now() < deadline) {
      await this.pollBoth();
      try {
        if (await check()) return;
      } catch (error) {
        lastError = error;
      }
      await sleep(250);
    }
    throw new Error(`the systems did not converge in ${timeoutMs} ms`, { cause: lastError });
  }

  /** Lets in-flight messages land: polls, then waits until neither simulator saw a write for `quietMs`. */
  async settle(quietMs = 1_500, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    let quietSince = Date.now();
    while (Date.now() < deadline) {
      await this.pollBoth();
      const writes = (await this.writes()).total;
      if (writes !== last) {
        last = writes;
        quietSince = Date.now();
      } else if (Date.now() - quietSince >= quietMs) {
        return;
      }
      await sleep(250);
    }
    throw new Error('the systems did not settle');
  }

  async writes(): Promise<{ primero: number; oscar: number; total: number }> {
    const [p, o] = await Promise.all([
      this.primeroControl('GET', '/_control/stats'),
      this.oscarControl('GET', '/_control/stats'),
    ]);
    const primero = Number((p.body as { writes?: number }).writes ?? 0);
    const oscar = Number((o.body as { writes?: number }).writes ?? 0);
    return { primero, oscar, total: primero + oscar };
  }

  primeroControl(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    return request(this.primeroUrl, method, path, body, { 'x-control-token': controlToken });
  }

  oscarControl(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    return request(this.oscarUrl, method, path, body, { 'x-control-token': controlToken });
  }

  /** Calls the Primero API as a person would, with Basic auth (e.g. the province manager `mgrpnh`). */
  primeroApi(method: string, path: string, body?: unknown, user = 'mgrpnh'): Promise<JsonResponse> {
    const password = user === 'primero-sync' ? 'primero-sync-password' : usersPassword;
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    return request(this.primeroUrl, method, path, body, { authorization });
  }

  async adminStatus(name: ServiceName): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.service(name).baseUrl}/admin/status`, {
      headers: this.adminHeaders(),
    });
    if (!response.ok) throw new Error(`${name} GET /admin/status answered ${response.status}`);
    return (await response.json()) as Record<string, unknown>;
  }
}

async function request(
  base: string,
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string>,
): Promise<JsonResponse> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed };
}

/**
 * Gives the calling spec file one whole system with its own database and vhost: built now, started in
 * beforeAll, stopped in afterAll.
 */
export function useSystem(
  options: Omit<SystemOptions, 'databaseUrl' | 'amqpUrl' | 'amqpManagementUrl'>,
): System {
  const system = new System({
    databaseUrl: inject('databaseUrl'),
    amqpUrl: inject('amqpUrl'),
    amqpManagementUrl: inject('amqpManagementUrl'),
    ...options,
  });
  beforeAll(async () => {
    await system.start();
  });
  afterAll(async () => {
    await system.stop();
  });
  return system;
}
