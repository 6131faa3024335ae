import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * One call of a history to play back: what an upstream API (or a person, through the control API) did,
 * and when.
 */
export interface ReplayCall {
  /** The instant the call happens at (ISO 8601): the simulator clock reads it during the call. */
  readonly at?: string;
  /** Seed of the ids the simulator makes up during the call (record ids, ULIDs, slugs), so a history replays the same. */
  readonly seed?: number;
  /** Who makes an upstream API call (simulator-specific, e.g. a Primero user name); ignored for `/_control/` calls. */
  readonly as?: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
}

export interface ReplayResult {
  readonly status: number;
  /** The parsed JSON answer, or its text when it is not JSON. */
  readonly body: unknown;
}

/** What a replayed call pins while it runs; `null` releases the pins. */
export interface ReplayPins {
  readonly at: number | null;
  readonly seed: number | null;
}

export interface ReplayOptions {
  /** The control token; replayed calls carry it, with `x-sim-replay`, so they are not counted as traffic. */
  readonly token: string;
  /** Pins the simulator clock and its id source for one call, or releases them (`null`). */
  readonly pin: (pins: ReplayPins | null) => void;
  /**
   * Headers that sign an upstream API call in (as `call.as` where the simulator has several users); called
   * with the pins of the call already set. `inject` makes further calls the same way (e.g. a sign-in).
   */
  readonly credentials: (
    call: ReplayCall,
    inject: (call: ReplayCall) => Promise<ReplayResult>,
  ) => Promise<Record<string, string>> | Record<string, string>;
}

/** Header marking a call made by the replay route: it is neither counted nor faulted. */
export const replayHeader = 'x-sim-replay';

const maxCalls = 200_000;
const methods = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** True for a call made by the replay route (it carries the control token too, so it cannot be forged). */
export function isReplayed(request: FastifyRequest, token: string): boolean {
  return request.headers[replayHeader] !== undefined && request.headers['x-control-token'] === token;
}

/**
 * `POST /_control/replay {"calls": [{at, seed, as, method, url, body}, …]}`: plays a history through the
 * simulator's own routes, one call after the other, each with the clock pinned to its `at` and the ids it
 * makes up drawn from its `seed`. Everything a record gets from the server (derived fields, timestamps,
 * validation, state machines) is then what the simulator would have given it at that time. Answers
 * `{results: [{status, body}, …]}` in call order; a failed call does not stop the others.
 *
 * Replayed calls are not counted in `GET /_control/stats` (a seeded history is not traffic) and get no
 * injected faults. The clock is global: replay while nothing else talks to the simulator.
 *
 * @example
 * POST /_control/replay {"calls":[{"at":"2024-03-01T02:00:00Z","as":"mgrpnh","method":"POST","url":"/api/v2/cases","body":{"data":{…}}}]}
 */
export function registerReplayRoute(app: FastifyInstance, options: ReplayOptions): void {
  const inject = async (call: ReplayCall): Promise<ReplayResult> => {
    const headers: Record<string, string> = { [replayHeader]: '1', 'x-control-token': options.token };
    if (!call.url.startsWith('/_control/')) Object.assign(headers, await options.credentials(call, inject));
    const response = await app.inject({
      method: call.method,
      url: call.url,
      headers: call.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(call.body === undefined ? {} : { payload: JSON.stringify(call.body) }),
    });
    let body: unknown = response.body;
    if ((response.headers['content-type'] ?? '').toString().includes('json') && response.body !== '') {
      try {
        body = JSON.parse(response.body) as unknown;
      } catch {
        // keep the text
      }
    }
    return { status: response.statusCode, body };
  };

  app.post('/_control/replay', async (request, reply) => {
    const parsed = parseCalls(request.body);
    if (typeof parsed === 'string') return reply.code(422).send({ error: parsed });
    const results: ReplayResult[] = [];
    for (const call of parsed) {
      options.pin({
        at: call.at === undefined ? null : Date.parse(call.at),
        seed: call.seed ?? null,
      });
      try {
        results.push(await inject(call));
      } finally {
        options.pin(null);
      }
    }
    return { results };
  });
}

function parseCalls(body: unknown): ReplayCall[] | string {
  const calls = (body as { calls?: unknown } | null)?.calls;
  if (!Array.isArray(calls)) return 'body must be {"calls": [{"method", "url", …}, …]}';
  if (calls.length > maxCalls) return `at most ${maxCalls} calls per request: send the history in parts`;
  for (const [index, call] of calls.entries()) {
    const c = call as Partial<ReplayCall> | null;
    if (typeof c !== 'object' || c === null) return `calls[${index}] must be an object`;
    if (typeof c.method !== 'string' || !methods.has(c.method))
      return `calls[${index}].method must be GET, POST, PUT, PATCH or DELETE`;
    if (typeof c.url !== 'string' || !c.url.startsWith('/')) return `calls[${index}].url must be a path`;
    if (c.url.startsWith('/_control/replay')) return `calls[${index}] cannot replay a replay`;
    if (c.at !== undefined && (typeof c.at !== 'string' || Number.isNaN(Date.parse(c.at))))
      return `calls[${index}].at must be an ISO 8601 time`;
    if (c.seed !== undefined && !Number.isInteger(c.seed)) return `calls[${index}].seed must be an integer`;
    if (c.as !== undefined && typeof c.as !== 'string') return `calls[${index}].as must be a user name`;
  }
  return calls as ReplayCall[];
}
