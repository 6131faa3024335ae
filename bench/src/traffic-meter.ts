import type { FastifyInstance } from 'fastify';

/** What one upstream route served: requests, response bytes and the time the simulator took. */
export interface RouteTraffic {
  requests: number;
  bytes: number;
  /** Sum of the simulator's handling times (fastify's `elapsedTime`), ms. */
  ms: number;
  /** Longest handling time, ms. */
  maxMs: number;
}

export type Traffic = Record<string, RouteTraffic>;

export interface TrafficMeter {
  /** Totals by route (`GET /api/v2/cases`) since the simulator started. */
  snapshot: () => Traffic;
}

/**
 * Counts a simulator's upstream traffic by route, with response bytes and handling time — what its
 * `GET /_control/stats` does not report. Call before the app listens; `/_control/` calls are left out.
 */
export function meterTraffic(app: FastifyInstance): TrafficMeter {
  const routes = new Map<string, RouteTraffic>();
  const bytes = new WeakMap<object, number>();
  app.addHook('onSend', async (request, reply, payload) => {
    if (typeof payload === 'string') bytes.set(request, Buffer.byteLength(payload));
    else if (Buffer.isBuffer(payload)) bytes.set(request, payload.length);
    else bytes.set(request, Number(reply.getHeader('content-length') ?? 0));
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.url.startsWith('/_control')) return;
    const route = `${request.method} ${request.routeOptions.url ?? '(unmatched)'}`;
    const entry = routes.get(route) ?? { requests: 0, bytes: 0, ms: 0, maxMs: 0 };
    entry.requests += 1;
    entry.bytes += bytes.get(request) ?? 0;
    entry.ms += reply.elapsedTime;
    entry.maxMs = Math.max(entry.maxMs, reply.elapsedTime);
    routes.set(route, entry);
  });
  return {
    snapshot: () => Object.fromEntries([...routes].map(([route, entry]) => [route, { ...entry }])),
  };
}

/** What `after` adds to `before`, routes without traffic left out. */
export function trafficSince(before: Traffic, after: Traffic): Traffic {
  const delta: Traffic = {};
  for (const [route, entry] of Object.entries(after)) {
    const earlier = before[route] ?? { requests: 0, bytes: 0, ms: 0, maxMs: 0 };
    if (entry.requests === earlier.requests) continue;
    delta[route] = {
      requests: entry.requests - earlier.requests,
      bytes: entry.bytes - earlier.bytes,
      ms: entry.ms - earlier.ms,
      maxMs: entry.maxMs,
    };
  }
  return delta;
}

export function totalRequests(traffic: Traffic): number {
  return Object.values(traffic).reduce((sum, entry) => sum + entry.requests, 0);
}

/** The busiest routes first: `[route, requests]`. */
export function topRoutes(traffic: Traffic, count = 5): Array<[string, number]> {
  return Object.entries(traffic)
    .map(([route, entry]) => [route, entry.requests] as [string, number])
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
}
