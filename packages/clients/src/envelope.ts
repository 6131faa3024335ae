import type { UnknownRecord } from './json.ts';
import { isNonNegativeInteger, isRecord, isRecordArray } from './json.ts';
import type { UpstreamError, UpstreamSystem } from './upstream-error.ts';
import type { ClientCounters, HttpRequest, HttpResponse } from './upstream-http.ts';
import { upstreamFailure } from './upstream-http.ts';

/** Where an envelope came from, so a mismatch can be reported as a `BAD_RESPONSE` for that operation. */
export interface EnvelopeContext {
  system: UpstreamSystem;
  counters: ClientCounters;
  request: Pick<HttpRequest, 'method' | 'template'>;
  response: HttpResponse;
}

/**
 * A 2xx JSON body of the wrong shape is a contract mismatch (an API version or a proxy we do not expect):
 * trying again will not fix it, so it is permanent. The detail names the shape, never a value.
 */
export function badEnvelope(context: EnvelopeContext, expected: string, problem: string): UpstreamError {
  return upstreamFailure(context.system, context.counters, context.request, {
    code: 'BAD_RESPONSE',
    status: context.response.status,
    retryable: false,
    details: [`expected ${expected}, but ${problem}`],
  });
}

/** A JSON type name for error details: says what a value is, not what it holds. */
export function shapeOf(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A request body must be one JSON object; an array or a primitive is a caller bug. */
export function checkBody(method: string, body: unknown): void {
  if (!isRecord(body)) throw new TypeError(`${method}: the body must be a JSON object, not ${shapeOf(body)}`);
}

/** `{ "data": { … } }` */
export function expectDataRecord(context: EnvelopeContext): UnknownRecord {
  const body = context.response.body;
  const expected = '{"data": {…}}';
  if (!isRecord(body)) throw badEnvelope(context, expected, `the body is ${shapeOf(body)}`);
  if (!isRecord(body.data)) throw badEnvelope(context, expected, `data is ${shapeOf(body.data)}`);
  return body.data;
}

/** `{ "<key>": [ {…}, … ] }` */
export function expectRecordArray(context: EnvelopeContext, key: string): UnknownRecord[] {
  const body = context.response.body;
  const expected = `{"${key}": [{…}]}`;
  if (!isRecord(body)) throw badEnvelope(context, expected, `the body is ${shapeOf(body)}`);
  const items = body[key];
  if (!Array.isArray(items)) throw badEnvelope(context, expected, `${key} is ${shapeOf(items)}`);
  if (!isRecordArray(items)) {
    const index = items.findIndex((item) => !isRecord(item));
    throw badEnvelope(context, expected, `${key}[${index}] is ${shapeOf(items[index])}`);
  }
  return items;
}

export interface PageMetadata {
  total: number;
  per: number;
  page: number;
}

/** `{ "data": [ {…} ], "metadata": { "total", "per", "page" } }` (Primero collections). */
export function expectPage(context: EnvelopeContext): { data: UnknownRecord[]; metadata: PageMetadata } {
  const data = expectRecordArray(context, 'data');
  const body = context.response.body as UnknownRecord;
  const expected = '{"data": [...], "metadata": {"total", "per", "page"}}';
  const metadata = body.metadata;
  if (!isRecord(metadata)) throw badEnvelope(context, expected, `metadata is ${shapeOf(metadata)}`);
  for (const key of ['total', 'per', 'page'] as const) {
    if (!isNonNegativeInteger(metadata[key])) {
      throw badEnvelope(
        context,
        expected,
        `metadata.${key} is ${shapeOf(metadata[key])}, not an integer ≥ 0`,
      );
    }
  }
  return {
    data,
    metadata: { total: metadata.total, per: metadata.per, page: metadata.page } as PageMetadata,
  };
}
