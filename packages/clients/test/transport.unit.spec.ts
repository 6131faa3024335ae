import { getEventListeners } from 'node:events';

import { describe, expect, it, vi } from 'vitest';

import { createOscarClient } from '../src/oscar.client.ts';
import { createPrimeroClient } from '../src/primero.client.ts';
import { UpstreamError } from '../src/upstream-error.ts';
import type { ExchangeObservation, FetchLike } from '../src/upstream-http.ts';

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

function recordingFetch(respond: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: URL; init: RequestInit }> = [];
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    calls.push({ url, init });
    return respond(url, init);
  };
  return { calls, fetch };
}

async function caught(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof UpstreamError) return error;
    throw error;
  }
  throw new Error('expected an UpstreamError');
}

const basic = { baseUrl: 'http://primero.test/', user: 'u', password: 'p', auth: 'basic' } as const;

describe('Primero requests', () => {
  it('encodes + and spaces in query values and keeps the base path', async () => {
    const { calls, fetch } = recordingFetch(() =>
      json(200, { data: [], metadata: { total: 0, per: 100, page: 1 } }),
    );
    const primero = createPrimeroClient({ ...basic, baseUrl: 'http://primero.test/prefix', fetch });
    for await (const page of primero.listCases({ last_updated_at: '2025-08-02T07:00:00+07:00..' })) void page;
    const call = calls[0];
    expect(call?.url.pathname).toBe('/prefix/api/v2/cases');
    expect(call?.url.search).toBe(
      '?last_updated_at=2025-08-02T07%3A00%3A00%2B07%3A00..&order_by=created_at&order=asc&page=1&per=100',
    );
    expect(new Headers(call?.init.headers).get('authorization')).toBe(`Basic ${btoa('u:p')}`);
  });

  it('refuses a request line over ~1 KB before sending it', async () => {
    const { calls, fetch } = recordingFetch(() => json(200, {}));
    const primero = createPrimeroClient({ ...basic, fetch });
    const error = await caught(primero.listCases({ name: 'x'.repeat(1100) }).next());
    expect(error).toMatchObject({ code: 'REQUEST_TOO_LONG', retryable: false });
    expect(error.message).not.toContain('xxxx');
    expect(calls).toHaveLength(0);
  });

  it('rejects empty and reserved filters, and ambiguous exact filters', async () => {
    const primero = createPrimeroClient({ ...basic, fetch: recordingFetch(() => json(200, {})).fetch });
    await expect(primero.listCases({ oscar_number: '' }).next()).rejects.toThrow(/empty/);
    await expect(primero.listCases({ per: '10' }).next()).rejects.toThrow(/not a filter/);
    await expect(primero.findCases({ oscar_number: 'a,b' })).rejects.toThrow(/list or range/);
    await expect(primero.findCases({ case_id: 'not-a-uuid' })).rejects.toThrow(/UUID/);
    expect(() => createPrimeroClient({ ...basic, pageSize: 1001 })).toThrow(/1000/);
  });

  it('refuses to guess when Primero ignored an exact filter and returned unrelated cases', async () => {
    const { fetch } = recordingFetch(() =>
      json(200, {
        data: [
          { id: 'a', name_first: 'Sokha' },
          { id: 'b', oscar_number: '01H8ZK3Q9V4T7M2N5P6R8S1W0X' },
        ],
        metadata: { total: 2, per: 100, page: 1 },
      }),
    );
    const primero = createPrimeroClient({ ...basic, fetch });
    const error = await caught(primero.findCases({ oscar_number: '01h8zk3q9v4t7m2n5p6r8s1w0x' }));
    expect(error).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    expect(error.message).toContain('1 of 2 returned cases do not have the requested oscar_number');
    expect(error.message).not.toContain('Sokha');
  });

  it('stops paging on the server-applied per and rejects a page that is not the one asked for', async () => {
    const { calls, fetch } = recordingFetch((url) => {
      const page = Number(url.searchParams.get('page'));
      return json(200, { data: [{ id: `case-${page}` }], metadata: { total: 2, per: 1, page } });
    });
    const primero = createPrimeroClient({ ...basic, fetch, pageSize: 50 });
    const pages = [];
    for await (const page of primero.listCases({ status: 'open' })) pages.push(page);
    expect(pages.map((page) => [page.page, page.per, page.total])).toEqual([
      [1, 1, 2],
      [2, 1, 2],
    ]);
    expect(calls).toHaveLength(2);

    const stuck = createPrimeroClient({
      ...basic,
      fetch: recordingFetch(() => json(200, { data: [{ id: 'x' }], metadata: { total: 5, per: 1, page: 1 } }))
        .fetch,
    });
    const iterator = stuck.listCases({}, { pageSize: 1 });
    await iterator.next();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
  });

  it('treats a 2xx non-JSON body as a retryable BAD_RESPONSE and a wrong envelope as permanent', async () => {
    let body = '<html>maintenance</html>';
    const { fetch } = recordingFetch(
      () => new Response(body, { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    const primero = createPrimeroClient({ ...basic, fetch });
    const nonJson = await caught(primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
    expect(nonJson).toMatchObject({ code: 'BAD_RESPONSE', retryable: true, status: 200 });
    expect(nonJson.message).toContain('non-JSON body (not shown)');
    expect(nonJson.message).not.toContain('maintenance');
    body = JSON.stringify({ data: ['Sokha'] });
    const wrongShape = await caught(primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
    expect(wrongShape).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    expect(wrongShape.message).toBe(
      'primero GET /api/v2/cases/:id: HTTP 200 BAD_RESPONSE: expected {"data": {…}}, but data is an array',
    );
  });

  it('classifies connection failures and timeouts without leaking the URL', async () => {
    const refused = createPrimeroClient({
      ...basic,
      fetch: async () => {
        throw new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
        });
      },
    });
    const network = await caught(refused.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
    expect(network).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(network.message).toBe('primero GET /api/v2/cases/:id: NETWORK: connection failed (ECONNREFUSED)');

    const hanging = createPrimeroClient({
      ...basic,
      timeoutMs: 20,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason as Error));
        }),
    });
    const timeout = await caught(hanging.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
    expect(timeout).toMatchObject({ code: 'TIMEOUT', retryable: true, status: undefined });
  });

  it('clears its timeout once a request has ended, and still times out one that hangs', async () => {
    // AbortSignal.timeout() would live a minute after each request, holding its span; a plain timer is
    // cleared at once. Faked timers see it (AbortSignal.timeout's own timer they cannot see, nor advance).
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let hang = false;
      const primero = createPrimeroClient({
        ...basic,
        timeoutMs: 60_000,
        fetch: (_input, init) =>
          hang
            ? new Promise((_resolve, reject) => {
                init.signal?.addEventListener('abort', () => reject(new Error('aborted')));
              })
            : Promise.resolve(json(200, { data: { id: 'ee03c7e4-46bd-40ed-9312-01ce08515f1a' } })),
      });
      const caller = new AbortController();
      for (let i = 0; i < 3; i += 1) {
        await primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a', { signal: caller.signal });
      }
      expect(vi.getTimerCount()).toBe(0);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);

      hang = true;
      const pending = caught(primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
      await vi.advanceTimersByTimeAsync(60_000);
      expect(await pending).toMatchObject({ code: 'TIMEOUT', retryable: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it('maps a caller abort to ABORTED', async () => {
    const controller = new AbortController();
    const primero = createPrimeroClient({
      ...basic,
      fetch: (_input, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(new Error('aborted')));
          controller.abort();
        }),
    });
    const error = await caught(
      primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a', { signal: controller.signal }),
    );
    expect(error).toMatchObject({ code: 'ABORTED', retryable: true });
  });

  it('exposes Retry-After and holds the next request for it', async () => {
    let first = true;
    const { calls, fetch } = recordingFetch(() => {
      if (!first) return json(200, { data: { id: 'x' } });
      first = false;
      return json(503, { errors: [{ status: 503, message: 'Service Unavailable' }] }, { 'retry-after': '1' });
    });
    const primero = createPrimeroClient({ ...basic, fetch, maxRetryAfterPauseMs: 200 });
    const error = await caught(primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
    expect(error).toMatchObject({ code: 'SERVER_ERROR', retryable: true, status: 503, retryAfterMs: 1000 });
    await primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a');
    expect(calls).toHaveLength(2);
    expect(primero.stats().limiter.delayed).toBe(1);
  });

  it('reports a login without a token (Primero ≥ 2.11) as AUTH_FAILED, pointing at Basic auth', async () => {
    const { fetch } = recordingFetch(() => json(200, { id: 1, user_name: 'u' }));
    const primero = createPrimeroClient({ ...basic, auth: 'jwt', fetch });
    const error = await caught(primero.getCase('ee03c7e4-46bd-40ed-9312-01ce08515f1a'));
    expect(error).toMatchObject({ code: 'AUTH_FAILED', retryable: false, operation: 'POST /api/v2/tokens' });
    expect(error.message).toContain("set auth to 'basic'");
  });
});

describe('OSCaR requests', () => {
  it('validates sinceDate and skips empty batches', async () => {
    const { calls, fetch } = recordingFetch(() => json(200, {}));
    const oscar = createOscarClient({ baseUrl: 'http://oscar.test', email: 'e', password: 'p', fetch });
    await expect(oscar.listClients({ sinceDate: '2025-02-30' })).rejects.toThrow(/YYYY-MM-DD/);
    await oscar.updateLinks([]);
    await oscar.updateStatuses([]);
    expect(calls).toHaveLength(0);
  });

  it('reports a sign-in without credential headers as AUTH_FAILED', async () => {
    const { fetch } = recordingFetch(() => json(200, { data: {} }));
    const oscar = createOscarClient({ baseUrl: 'http://oscar.test', email: 'e', password: 'p', fetch });
    await expect(oscar.listClients()).rejects.toMatchObject({ code: 'AUTH_FAILED', retryable: false });
  });
});

describe("OSCaR's list read as it arrives", () => {
  const signedIn = { 'access-token': 't', client: 'c', uid: 'u', expiry: '4102444800' };

  it('reports a connection lost mid-list as NETWORK, retryable, after the batches already handed on', async () => {
    const fetch: FetchLike = async (input) => {
      if (input.endsWith('/sign_in')) return json(200, {}, signedIn);
      const encoder = new TextEncoder();
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) {
            controller.error(new TypeError('terminated'));
            return;
          }
          sent = true;
          controller.enqueue(encoder.encode('{"data": [{"global_id": "a"}, {"global_id": "b"}, {"glo'));
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const oscar = createOscarClient({ baseUrl: 'http://oscar.test', email: 'e', password: 'p', fetch });
    const handed: unknown[] = [];
    const error = await caught(
      oscar.forEachClientBatch({ batchSize: 1 }, async (clients) => {
        handed.push(...clients.map((client) => client.global_id));
      }),
    );
    expect(error).toMatchObject({ code: 'NETWORK', retryable: true });
    expect(handed).toEqual(['a', 'b']);
  });

  it('reports a list of the wrong shape as a permanent BAD_RESPONSE', async () => {
    const { fetch } = recordingFetch((url) =>
      url.pathname.endsWith('/sign_in') ? json(200, {}, signedIn) : json(200, { clients: [] }),
    );
    const oscar = createOscarClient({ baseUrl: 'http://oscar.test', email: 'e', password: 'p', fetch });
    const error = await caught(oscar.forEachClientBatch({ batchSize: 10 }, async () => undefined));
    expect(error).toMatchObject({ code: 'BAD_RESPONSE', retryable: false });
    expect(error.message).toContain('data is missing');
  });
});

describe('exchange observer', () => {
  it('sees each exchange with its path template, status, error code and duration, never an id', async () => {
    const id = 'ee03c7e4-46bd-40ed-9312-01ce08515f1a';
    const seen: ExchangeObservation[] = [];
    let answer = 200;
    const { fetch } = recordingFetch(() => json(answer, answer === 200 ? { data: { id } } : { errors: [] }));
    const primero = createPrimeroClient({ ...basic, fetch, onExchange: (exchange) => seen.push(exchange) });
    await primero.getCase(id);
    answer = 503;
    await caught(primero.getCase(id));
    const refused = createPrimeroClient({
      ...basic,
      fetch: () => Promise.reject(new TypeError('fetch failed')),
      onExchange: (exchange) => seen.push(exchange),
    });
    await caught(refused.getCase(id));

    expect(seen.map(({ seconds: _seconds, ...rest }) => rest)).toEqual([
      { system: 'primero', operation: 'GET /api/v2/cases/:id', status: 200, code: null },
      { system: 'primero', operation: 'GET /api/v2/cases/:id', status: 503, code: 'SERVER_ERROR' },
      { system: 'primero', operation: 'GET /api/v2/cases/:id', status: null, code: 'NETWORK' },
    ]);
    for (const { seconds } of seen) expect(seconds).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(seen)).not.toContain(id);
  });
});
