import type { FastifyInstance } from 'fastify';

import type { PrimeroSimOptions } from '../src/index.ts';
import { buildPrimeroSim } from '../src/index.ts';

/** A simulator on a controllable clock, driven through `inject()` (no network). */
export interface Harness {
  readonly app: FastifyInstance;
  /** Epoch ms the simulator sees; move it with `advance`. */
  now(): number;
  advance(ms: number): void;
  request(method: Method, url: string, options?: RequestOptions): Promise<Reply>;
  /** Shorthands as the sync user with Basic auth. */
  get(url: string): Promise<Reply>;
  post(url: string, payload?: unknown): Promise<Reply>;
  patch(url: string, payload?: unknown): Promise<Reply>;
  del(url: string): Promise<Reply>;
  control(method: Method, url: string, payload?: unknown): Promise<Reply>;
  /** POST /api/v2/cases and return the stored record (full, via the control API). */
  createCase(data: Record<string, unknown>, as?: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  readonly payload?: unknown;
  readonly headers?: Record<string, string>;
  /** `user:password` for Basic auth, a `Bearer …` header value, or `none`. Default: the sync user. */
  readonly auth?: string;
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: string;
  /** The parsed body (throws for non-JSON). */
  json<T = Record<string, unknown>>(): T;
}

export const syncCredentials = 'primero-sync:primero-sync-password';
export const usersPassword = 'primero-user-password';
export const controlToken = 'sim-control';
export const startTime = Date.UTC(2025, 7, 1, 0, 0, 0);

export function basic(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

export function startHarness(options: PrimeroSimOptions = {}): Harness {
  let clock = startTime;
  const app = buildPrimeroSim({ now: () => clock, ...options });
  const request = async (method: Method, url: string, opts: RequestOptions = {}): Promise<Reply> => {
    const headers: Record<string, string> = { ...opts.headers };
    const auth = opts.auth ?? syncCredentials;
    if (auth.startsWith('Bearer ')) headers.authorization = auth;
    else if (auth !== 'none') headers.authorization = basic(auth);
    const response = await app.inject({
      method,
      url,
      headers,
      ...(opts.payload === undefined
        ? {}
        : typeof opts.payload === 'string'
          ? { payload: opts.payload, headers: { ...headers, 'content-type': 'application/json' } }
          : { payload: opts.payload as Record<string, unknown> }),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: <T>() => JSON.parse(response.body) as T,
    };
  };
  const harness: Harness = {
    app,
    now: () => clock,
    advance: (ms) => {
      clock += ms;
    },
    request,
    get: (url) => request('GET', url),
    post: (url, payload) => request('POST', url, payload === undefined ? {} : { payload }),
    patch: (url, payload) => request('PATCH', url, payload === undefined ? {} : { payload }),
    del: (url) => request('DELETE', url),
    control: (method, url, payload) =>
      request(method, url, {
        auth: 'none',
        headers: { 'x-control-token': controlToken },
        ...(payload === undefined ? {} : { payload }),
      }),
    async createCase(data, as) {
      const created = await request('POST', '/api/v2/cases', {
        payload: { data },
        ...(as === undefined ? {} : { auth: `${as}:${usersPassword}` }),
      });
      if (created.status !== 200) throw new Error(`create failed: ${created.status} ${created.body}`);
      const id = created.json<{ data: { id: string } }>().data.id;
      const stored = await harness.control('GET', `/_control/cases?id=${id}`);
      const [record] = stored.json<{ data: Record<string, unknown>[] }>().data;
      if (record === undefined) throw new Error('created case not found');
      return record;
    },
    close: () => app.close(),
  };
  return harness;
}

export interface CaseList {
  data: Record<string, unknown>[];
  metadata: { total: number; per: number; page: number };
}

export interface ErrorList {
  errors: { status: number; resource: string; detail?: string | string[]; message: string | string[] }[];
}

/** The ids of a list response, in order. */
export function ids(reply: Reply): string[] {
  return reply.json<CaseList>().data.map((item) => String(item.id));
}

export function uuid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
