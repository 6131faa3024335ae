import { describe, expect, it } from 'vitest';

import { createPrimeroClient } from '../src/primero.client.ts';
import type { FetchLike } from '../src/upstream-http.ts';

/** listLookups / listLocations / listAgencies: every page of a Primero reference collection. */
const basic = { baseUrl: 'http://primero.test', user: 'u', password: 'p', auth: 'basic' } as const;

/** A Primero that holds `total` records and serves at most `cap` a page, whatever `per` asks. */
function pagedPrimero(total: number, cap: number, pageOverride?: number) {
  const urls: URL[] = [];
  const fetch: FetchLike = async (input) => {
    const url = new URL(input);
    urls.push(url);
    const page = Number(url.searchParams.get('page'));
    const per = Math.min(Number(url.searchParams.get('per')), cap);
    const records = Array.from({ length: total }, (_, index) => ({ id: index + 1 })).slice(
      (page - 1) * per,
      page * per,
    );
    const body = { data: records, metadata: { total, per, page: pageOverride ?? page } };
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { urls, client: createPrimeroClient({ ...basic, fetch }) };
}

describe('Primero reference lists', () => {
  it('asks for 1000 a page and walks every page the server caps, until metadata.total', async () => {
    const { urls, client } = pagedPrimero(5, 2);
    const lookups = await client.listLookups();
    expect(lookups.map((record) => record.id)).toEqual([1, 2, 3, 4, 5]);
    expect(urls.map((url) => `${url.pathname}${url.search}`)).toEqual([
      '/api/v2/lookups?page=1&per=1000',
      '/api/v2/lookups?page=2&per=1000',
      '/api/v2/lookups?page=3&per=1000',
    ]);
  });

  it('reads locations and agencies from their own paths, in one request when they fit a page', async () => {
    const { urls, client } = pagedPrimero(3, 1000);
    expect(await client.listLocations()).toHaveLength(3);
    expect(await client.listAgencies()).toHaveLength(3);
    expect(urls.map((url) => url.pathname)).toEqual(['/api/v2/locations', '/api/v2/agencies']);
  });

  it('refuses a server that answers another page than the one asked for', async () => {
    const { client } = pagedPrimero(5, 2, 1);
    await expect(client.listAgencies()).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      retryable: false,
      operation: 'GET /api/v2/agencies',
    });
  });
});
