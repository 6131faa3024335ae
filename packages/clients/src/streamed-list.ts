// A JSON list read as it arrives, for OSCaR's client list: it has no paging and holds every shared client
// changed since the day asked for, so by the afternoon of a busy day it is megabytes, and read whole it
// would be held three times over (the bytes, the text, the parsed clients). @streamparser/json hands the
// elements on one by one; they are passed on a batch at a time, and the next bytes are read only when the
// batch has been dealt with, so memory holds one batch and one chunk of the response.
import { JSONParser } from '@streamparser/json';

import { shapeOf } from './envelope.ts';
import type { UnknownRecord } from './json.ts';
import { isRecord } from './json.ts';

export interface StreamedListProblem {
  /** What is wrong, naming a shape or an index, never a value. */
  detail: string;
  /** A body cut short or not JSON may be a passing proxy page; a wrong shape is a contract mismatch. */
  retryable: boolean;
}

/**
 * Reads `{ "<key>": [ {…}, … ] }` from `chunks`, handing the records to `onBatch` `batchSize` at a time (the
 * last batch may be smaller; none when the list is empty). Returns how many records it read. A body of any
 * other shape throws `invalid(…)` — before or after some batches were handed on, as the stream shows it.
 */
export async function readRecordList(
  chunks: AsyncIterable<Uint8Array>,
  options: {
    key: string;
    batchSize: number;
    onBatch: (records: UnknownRecord[]) => Promise<void>;
    invalid: (problem: StreamedListProblem) => Error;
  },
): Promise<number> {
  const { key, batchSize, onBatch, invalid } = options;
  const expected = `{"${key}": [{…}]}`;
  const wrongShape = (problem: string) =>
    invalid({ detail: `expected ${expected}, but ${problem}`, retryable: false });
  // `$.<key>` too, so that its absence shows; its elements are taken out of it as they are handed on.
  const parser = new JSONParser({ paths: [`$.${key}.*`, `$.${key}`], keepStack: false });
  let batch: UnknownRecord[] = [];
  let read = 0;
  let listed = false;
  let problem: Error | undefined;
  parser.onValue = ({ value, parent, stack }) => {
    if (problem !== undefined) return;
    if (stack.length === 1) {
      if (Array.isArray(value)) listed = true;
      else problem = wrongShape(`${key} is ${shapeOf(value)}`);
      return;
    }
    if (!Array.isArray(parent)) {
      problem = wrongShape(`${key} is ${shapeOf(parent)}`);
    } else if (!isRecord(value)) {
      problem = wrongShape(`${key}[${read}] is ${shapeOf(value)}`);
    } else {
      batch.push(value);
      read += 1;
      parent.length = 0;
    }
  };
  const notJson = () => invalid({ detail: 'non-JSON body (not shown)', retryable: true });

  for await (const chunk of chunks) {
    try {
      parser.write(chunk);
    } catch {
      throw notJson();
    }
    if (problem !== undefined) throw problem;
    while (batch.length >= batchSize) {
      const full = batch.slice(0, batchSize);
      batch = batch.slice(batchSize);
      await onBatch(full);
    }
  }
  if (!parser.isEnded) {
    try {
      parser.end();
    } catch {
      throw notJson();
    }
  }
  if (problem !== undefined) throw problem;
  if (!listed) throw wrongShape(`${key} is missing`);
  if (batch.length > 0) await onBatch(batch);
  return read;
}
