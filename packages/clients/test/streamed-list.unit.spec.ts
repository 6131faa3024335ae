import { describe, expect, it } from 'vitest';

import type { UnknownRecord } from '../src/json.ts';
import { readRecordList, type StreamedListProblem } from '../src/streamed-list.ts';

/** The text as a stream of `size`-byte chunks (cutting through keys, strings and multi-byte characters). */
async function* chunked(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

class Invalid extends Error {
  readonly problem: StreamedListProblem;
  constructor(problem: StreamedListProblem) {
    super(problem.detail);
    this.problem = problem;
  }
}

async function read(text: string, batchSize = 2, chunkSize = 5) {
  const batches: UnknownRecord[][] = [];
  const count = await readRecordList(chunked(text, chunkSize), {
    key: 'data',
    batchSize,
    onBatch: async (records) => {
      batches.push(records);
    },
    invalid: (problem) => new Invalid(problem),
  });
  return { count, batches };
}

async function problemOf(text: string): Promise<StreamedListProblem> {
  try {
    await read(text);
  } catch (error) {
    if (error instanceof Invalid) return error.problem;
    throw error;
  }
  throw new Error('expected the list to be refused');
}

describe('a JSON list read as it arrives', () => {
  it('hands the records on a batch at a time, whatever the chunks cut through', async () => {
    const clients = [
      { global_id: 'a', given_name: 'សុខា', n: 1 },
      { global_id: 'b', nested: { list: [1, 2, { deep: true }] } },
      { global_id: 'c', note: 'quote " and \\ and \u00e9' },
      { global_id: 'd' },
      { global_id: 'e' },
    ];
    const text = JSON.stringify({ meta: { x: 1 }, data: clients, after: [1, 2] });
    for (const chunkSize of [1, 3, 7, 64, 100_000]) {
      const { count, batches } = await read(text, 2, chunkSize);
      expect(count).toBe(5);
      expect(batches).toEqual([clients.slice(0, 2), clients.slice(2, 4), clients.slice(4)]);
    }
  });

  it('waits for a batch to be dealt with before it reads on', async () => {
    const text = JSON.stringify({ data: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] });
    let reading = 0;
    const log: string[] = [];
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const chunk of chunked(text, 8)) {
        reading += 1;
        yield chunk;
      }
    }
    await readRecordList(counted(), {
      key: 'data',
      batchSize: 2,
      onBatch: async (records) => {
        const before = reading;
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`${records.length} read-while-busy=${reading - before}`);
      },
      invalid: (problem) => new Invalid(problem),
    });
    expect(log).toEqual(['2 read-while-busy=0', '2 read-while-busy=0']);
  });

  it('reads an empty list as no batch at all', async () => {
    expect(await read('{"data": []}')).toEqual({ count: 0, batches: [] });
  });

  it('refuses another shape, naming it but no value, as a permanent contract mismatch', async () => {
    expect(await problemOf('{"clients": []}')).toEqual({
      detail: 'expected {"data": [{…}]}, but data is missing',
      retryable: false,
    });
    expect((await problemOf('[{"data": []}]')).detail).toContain('data is missing');
    expect(await problemOf('{"data": {"a": {"secret": "x"}}}')).toMatchObject({
      detail: 'expected {"data": [{…}]}, but data is an object',
      retryable: false,
    });
    expect((await problemOf('{"data": "Sokha"}')).detail).toContain('data is a string');
    expect(await problemOf('{"data": [{"id": 1}, "Sokha"]}')).toEqual({
      detail: 'expected {"data": [{…}]}, but data[1] is a string',
      retryable: false,
    });
  });

  it('refuses a body that is not JSON or is cut short as retryable, without showing it', async () => {
    expect(await problemOf('<html>Maintenance</html>')).toEqual({
      detail: 'non-JSON body (not shown)',
      retryable: true,
    });
    expect(await problemOf('{"data": [{"id": 1}, {"id"')).toEqual({
      detail: 'non-JSON body (not shown)',
      retryable: true,
    });
  });
});
