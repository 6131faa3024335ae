import { setTimeout as sleep } from 'node:timers/promises';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { isReplayed } from './replay.ts';

/** Faults injected into the upstream API routes (never into `/_control/`). Rates are 0…1. */
export interface Faults {
  latencyMs: number;
  errorRate: number;
  errorStatus: number;
  timeoutRate: number;
  nonJsonRate: number;
  /** When above 0, injected errors carry `Retry-After: <seconds>` (as a 503 or 429 from a proxy does). */
  retryAfterSeconds: number;
  /** Regular expression matched against the request path; only matching requests get faults. */
  paths: string;
}

export const noFaults: Faults = {
  latencyMs: 0,
  errorRate: 0,
  errorStatus: 503,
  timeoutRate: 0,
  nonJsonRate: 0,
  retryAfterSeconds: 0,
  paths: '.*',
};

export interface ControlBasicsOptions {
  /** Value of the `x-control-token` header that `/_control/` requires. */
  token: string;
  /** Record counts by kind, for `GET /_control/stats`. */
  counts: () => Record<string, number>;
  /** Empties the simulator's state (credentials stay). */
  reset: () => void;
  /**
   * Creates `count` synthetic records, deterministic for `seed`; returns a summary for the response.
   * `options` is the rest of the request body (simulator-specific switches).
   */
  seed: (count: number, seed: number, options: Readonly<Record<string, unknown>>) => unknown;
  /** True for requests that change upstream state (they count as `writes`). */
  isWrite: (request: FastifyRequest) => boolean;
  /** Sends the simulator's own error response for an injected `errorStatus` (e.g. Primero's 503 config lock). */
  sendFault: (reply: FastifyReply, status: number) => FastifyReply;
  /** How long an injected timeout holds the request before dropping the socket. Default 30 s. */
  timeoutHoldMs?: number;
  random?: () => number;
}

export interface ControlState {
  faults: Faults;
  requests: Map<string, number>;
  writes: number;
}

const controlPrefix = '/_control/';

/**
 * Registers what both simulators' control APIs share: the token check, fault injection, request and
 * write counting, `PUT/DELETE /_control/faults`, `GET /_control/stats`, `POST /_control/reset` and
 * `POST /_control/seed`.
 */
export function registerControlBasics(app: FastifyInstance, options: ControlBasicsOptions): ControlState {
  const state: ControlState = { faults: { ...noFaults }, requests: new Map(), writes: 0 };
  const random = options.random ?? Math.random;
  const holdMs = options.timeoutHoldMs ?? 30_000;
  let pathPattern = new RegExp(state.faults.paths);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (path.startsWith(controlPrefix) || path === '/_control') {
      if (request.headers['x-control-token'] !== options.token) {
        return reply.code(401).send({ error: 'x-control-token header missing or wrong' });
      }
      return;
    }
    // A history played back by POST /_control/replay is neither traffic nor a target for faults.
    if (isReplayed(request, options.token)) return;
    const route = `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`;
    state.requests.set(route, (state.requests.get(route) ?? 0) + 1);

    const faults = state.faults;
    if (!pathPattern.test(path)) return;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (faults.timeoutRate > 0 && random() < faults.timeoutRate) {
      reply.hijack();
      await sleep(holdMs);
      request.raw.socket.destroy();
      return reply;
    }
    if (faults.nonJsonRate > 0 && random() < faults.nonJsonRate) {
      return reply
        .code(faults.errorStatus)
        .type('text/html; charset=utf-8')
        .send(
          `<html><head><title>${faults.errorStatus}</title></head><body><h1>${faults.errorStatus}</h1></body></html>\n`,
        );
    }
    if (faults.errorRate > 0 && random() < faults.errorRate) {
      if (faults.retryAfterSeconds > 0) void reply.header('retry-after', String(faults.retryAfterSeconds));
      return options.sendFault(reply, faults.errorStatus);
    }
    return;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (
      reply.statusCode < 400 &&
      !request.url.startsWith(controlPrefix) &&
      !isReplayed(request, options.token) &&
      options.isWrite(request)
    ) {
      state.writes += 1;
    }
  });

  app.put('/_control/faults', async (request, reply) => {
    const parsed = parseFaults(request.body);
    if (typeof parsed === 'string') return reply.code(422).send({ error: parsed });
    state.faults = parsed;
    pathPattern = new RegExp(parsed.paths);
    return { faults: state.faults };
  });

  app.delete('/_control/faults', async () => {
    state.faults = { ...noFaults };
    pathPattern = new RegExp(noFaults.paths);
    return { faults: state.faults };
  });

  app.get('/_control/stats', async () => ({
    records: options.counts(),
    requests: Object.fromEntries(state.requests),
    writes: state.writes,
  }));

  app.post('/_control/reset', async () => {
    options.reset();
    state.requests.clear();
    state.writes = 0;
    state.faults = { ...noFaults };
    pathPattern = new RegExp(noFaults.paths);
    return { records: options.counts() };
  });

  app.post('/_control/seed', async (request, reply) => {
    const { count = 10, seed = 42, ...extra } = (request.body ?? {}) as Record<string, unknown>;
    if (!Number.isInteger(count) || (count as number) < 0 || (count as number) > 1_000_000) {
      return reply.code(422).send({ error: 'count must be an integer from 0 to 1000000' });
    }
    if (!Number.isInteger(seed)) return reply.code(422).send({ error: 'seed must be an integer' });
    const summary = options.seed(count as number, seed as number, extra);
    return { seeded: summary, records: options.counts() };
  });

  return state;
}

function parseFaults(body: unknown): Faults | string {
  if (body === null || typeof body !== 'object') return 'body must be a JSON object';
  const input = body as Record<string, unknown>;
  const faults: Faults = { ...noFaults };
  for (const key of [
    'latencyMs',
    'errorRate',
    'errorStatus',
    'timeoutRate',
    'nonJsonRate',
    'retryAfterSeconds',
  ] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      return `${key} must be a non-negative number`;
    if (key.endsWith('Rate') && value > 1) return `${key} must be between 0 and 1`;
    faults[key] = value;
  }
  if (faults.errorStatus < 400 || faults.errorStatus > 599) return 'errorStatus must be from 400 to 599';
  if (input.paths !== undefined) {
    if (typeof input.paths !== 'string') return 'paths must be a regular expression string';
    try {
      new RegExp(input.paths);
    } catch {
      return 'paths is not a valid regular expression';
    }
    faults.paths = input.paths;
  }
  return faults;
}
