import type { ReplayCall, ReplayResult } from '@pos/sim-kit';

/** How the joint seed reaches one simulator's `POST /_control/replay`. */
export interface SimTransport {
  replay(calls: readonly ReplayCall[]): Promise<ReplayResult[]>;
}

/** Calls per replay request: big enough to be quick, small enough for any body limit. */
const chunk = 2_000;

/** A simulator listening at `baseUrl` (e.g. `http://127.0.0.1:4010`), as `pnpm start` runs them. */
export function httpTransport(baseUrl: string, controlToken: string): SimTransport {
  return {
    replay: (calls) =>
      inChunks(calls, async (part) => {
        const response = await fetch(new URL('/_control/replay', baseUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-control-token': controlToken },
          body: JSON.stringify({ calls: part }),
        });
        if (!response.ok)
          throw new Error(
            `POST ${baseUrl}/_control/replay answered ${response.status}: is it a simulator, and the control token right?`,
          );
        return ((await response.json()) as { results: ReplayResult[] }).results;
      }),
  };
}

/** Something with fastify's `inject` (an in-process simulator; it need not listen yet). */
export interface Injectable {
  inject(options: {
    method: 'POST';
    url: string;
    headers: Record<string, string>;
    payload: string;
  }): PromiseLike<{ statusCode: number; body: string }>;
}

/** An in-process simulator, through `inject` (works before `listen`, so a world can be seeded before services start). */
export function injectTransport(app: Injectable, controlToken: string): SimTransport {
  return {
    replay: (calls) =>
      inChunks(calls, async (part) => {
        const response = await app.inject({
          method: 'POST',
          url: '/_control/replay',
          headers: { 'content-type': 'application/json', 'x-control-token': controlToken },
          payload: JSON.stringify({ calls: part }),
        });
        if (response.statusCode !== 200)
          throw new Error(`POST /_control/replay answered ${response.statusCode}: ${response.body}`);
        return (JSON.parse(response.body) as { results: ReplayResult[] }).results;
      }),
  };
}

async function inChunks(
  calls: readonly ReplayCall[],
  send: (part: readonly ReplayCall[]) => Promise<ReplayResult[]>,
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for (let offset = 0; offset < calls.length; offset += chunk)
    results.push(...(await send(calls.slice(offset, offset + chunk))));
  return results;
}
