import { randomUUID } from 'node:crypto';

import { checkBody, expectDataRecord, expectPage, expectRecordArray, shapeOf } from './envelope.ts';
import type { RequestRecord, UnknownRecord } from './json.ts';
import { clip, isRecord, isStructuralToken } from './json.ts';
import type { PrimeroAuth } from './primero-auth.ts';
import { basicAuth, jwtAuth } from './primero-auth.ts';
import { UpstreamError } from './upstream-error.ts';
import type {
  CallOptions,
  ClientStats,
  ExchangeObserver,
  FetchLike,
  HttpRequest,
  HttpResponse,
} from './upstream-http.ts';
import { createUpstream, upstreamFailure } from './upstream-http.ts';

export interface PrimeroClientOptions {
  /** e.g. `https://primero.example.org` (the client adds `/api/v2/…`). */
  baseUrl: string;
  user: string;
  password: string;
  /** `'jwt'` for Primero ≤ 2.10; `'basic'` is required from 2.11 on (login there returns no token). */
  auth: 'jwt' | 'basic';
  /** Per HTTP exchange, response body included. Default 30 000. */
  timeoutMs?: number;
  /** Default 20. Primero's reference nginx allows 50 req/s per IP with a burst of 20. */
  maxRequestsPerSecond?: number;
  /** Default 4. Primero's reference nginx allows 20 connections per IP. */
  maxConcurrency?: number;
  /** Cases per page for `listCases`. Default 100, at most 1000 (Primero ≥ 2.10.3 caps `per` at 1000). */
  pageSize?: number;
  /** JWT only: refresh when less than this is left (at most half the token lifetime). Default 5 min. */
  refreshBeforeExpiryMs?: number;
  /** Longest a `Retry-After` on 429/503 holds this client's next requests. Default 60 000; 0 = never. */
  maxRetryAfterPauseMs?: number;
  fetch?: FetchLike;
  /** Wall clock in ms (token expiry, `Retry-After` dates). Default `Date.now`. */
  now?: () => number;
  /** Sees every HTTP exchange's duration, status and error code (for metrics); default: none. */
  onExchange?: ExchangeObserver | undefined;
  /** Ids for `createCase` when the caller gives none. Default `crypto.randomUUID` (lowercase v4). */
  newId?: () => string;
}

/** Filter values must be non-empty: Primero treats `field=` as "no filter" and returns every case. */
export type CaseFilter = Readonly<Record<string, string>>;

/** One exact identifier; Primero matches these fields exactly (case-insensitively). */
export type ExactCaseFilter = { case_id: string } | { oscar_number: string } | { id: string };

export interface ListCasesOptions extends CallOptions {
  /** Overrides the client's `pageSize` (1…1000). */
  pageSize?: number;
  /** Default `created_at`; see `listCases` for why. */
  orderBy?: string;
  /** Default `asc`. */
  order?: 'asc' | 'desc';
  /** Comma list of fields, or `short`. Default: all the user may see. */
  fields?: string;
}

/** One page of `GET /api/v2/cases`. */
export interface CasePage {
  cases: UnknownRecord[];
  /** 1-based. */
  page: number;
  /** Page size the server applied (`metadata.per`). */
  per: number;
  /** Matches across all pages when this page was read (`metadata.total`). */
  total: number;
}

export interface CreateCaseOptions extends CallOptions {
  /**
   * The new case's `id` (lowercase UUID). Pass one derived from the triggering event so that a retried
   * create hits 409 `CONFLICT` instead of creating a duplicate. Default: `data.id`, else `newId()`.
   */
  id?: string;
}

export interface CreatedCase {
  /** The case's record id, known even when Primero answers 204 with no body. */
  id: string;
  /** The fields the create set, when Primero answered 200 with a body; undefined after a 204. */
  record: UnknownRecord | undefined;
}

export interface PrimeroClient {
  /**
   * Pages through every case matching `filter`, one request per page, yielding each non-empty page.
   *
   * @example
   * for await (const page of primero.listCases({ last_updated_at: `${cursor}..` })) {
   *   for (const record of page.cases) handle(record);
   * }
   */
  listCases(filter: CaseFilter, options?: ListCasesOptions): AsyncGenerator<CasePage, void, undefined>;
  /** `GET /api/v2/cases/:id` → the case. 404 → `NOT_FOUND`. */
  getCase(id: string, options?: CallOptions): Promise<UnknownRecord>;
  /**
   * One request for the cases whose `case_id`, `oscar_number` or `id` equals `value`; returns every match
   * (at most one page), and the caller decides what more than one means. Throws `BAD_RESPONSE` when a
   * returned case does not carry the requested value, because Primero then ignored the filter (a field
   * the user may not see) and answered with unrelated cases.
   */
  findCases(filter: ExactCaseFilter, options?: CallOptions): Promise<UnknownRecord[]>;
  /** `POST /api/v2/cases` with a client-chosen `id`, so the id is known even on a 204. */
  createCase(data: RequestRecord, options?: CreateCaseOptions): Promise<CreatedCase>;
  /** `PATCH /api/v2/cases/:id` (merge update) → the changed fields Primero echoes back. */
  patchCase(id: string, data: RequestRecord, options?: CallOptions): Promise<UnknownRecord>;
  /** `GET /api/v2/cases/:id/referrals` → every referral of the case (no paging exists). */
  listReferrals(caseRecordId: string, options?: CallOptions): Promise<UnknownRecord[]>;
  /** `PATCH /api/v2/cases/:id/referrals/:referral_id` with e.g. `{ status: 'accepted' }`. */
  patchReferral(
    caseRecordId: string,
    referralId: string,
    data: RequestRecord,
    options?: CallOptions,
  ): Promise<UnknownRecord>;
  /**
   * `GET /api/v2/lookups`, every page: the option lists (`{unique_id: "lookup-service-type", values: [{id,
   * display_text}]}`). Reads 1000 per page, Primero ≥ 2.10.3's cap.
   */
  listLookups(options?: CallOptions): Promise<UnknownRecord[]>;
  /** `GET /api/v2/locations`, every page: `{code, type, admin_level?, disabled, name}` (codes without leading zeros). */
  listLocations(options?: CallOptions): Promise<UnknownRecord[]>;
  /**
   * `GET /api/v2/agencies`, every page: `{unique_id: "agency-cif", agency_code, name, disabled, …}`. Needs a role
   * that may list agencies; without it Primero answers 403 (`FORBIDDEN`).
   */
  listAgencies(options?: CallOptions): Promise<UnknownRecord[]>;
  stats(): ClientStats;
}

export const primeroDefaults = {
  timeoutMs: 30_000,
  maxRequestsPerSecond: 20,
  maxConcurrency: 4,
  pageSize: 100,
  refreshBeforeExpiryMs: 5 * 60_000,
  maxRetryAfterPauseMs: 60_000,
} as const;

const maxPageSize = 1000;
const reservedListKeys = new Set(['page', 'per', 'order', 'order_by', 'fields']);
const exactFilterKeys = ['case_id', 'oscar_number', 'id'] as const;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Primero's `id` on create must match a lowercase UUID; otherwise it is a 422. */
const lowercaseUuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Creates a client for the Primero v2 API. It logs nothing: it returns results or throws `UpstreamError`
 * (safe to log), and counts what it did in `stats()`.
 *
 * @example
 * const primero = createPrimeroClient({ baseUrl, user, password, auth: 'basic' });
 * const [match, ...others] = await primero.findCases({ case_id });
 */
export function createPrimeroClient(options: PrimeroClientOptions): PrimeroClient {
  const { now, counters, limiter, send } = createUpstream(
    'primero',
    options,
    primeroDefaults,
    primeroErrorDetails,
  );
  const pageSize = checkPageSize(options.pageSize ?? primeroDefaults.pageSize);
  const newId = options.newId ?? randomUUID;
  const auth: PrimeroAuth =
    options.auth === 'basic'
      ? basicAuth(options.user, options.password)
      : jwtAuth({
          user: options.user,
          password: options.password,
          send,
          counters,
          now,
          refreshBeforeExpiryMs: options.refreshBeforeExpiryMs ?? primeroDefaults.refreshBeforeExpiryMs,
        });

  /** Sends with credentials; on a 401 logs in again (JWT) and retries exactly once. */
  async function call(request: HttpRequest): Promise<HttpResponse> {
    const header = await auth.header();
    try {
      return await send({ ...request, headers: { authorization: header } });
    } catch (error) {
      if (!(error instanceof UpstreamError) || error.status !== 401 || !auth.rejected(header)) throw error;
    }
    counters.retries += 1;
    const fresh = await auth.header();
    try {
      return await send({ ...request, headers: { authorization: fresh } });
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 401) {
        throw new UpstreamError({
          system: error.system,
          code: error.code,
          operation: error.operation,
          status: error.status,
          retryable: false,
          details: [
            ...error.details,
            'refused again right after a fresh login: check the account and its role',
          ],
        });
      }
      throw error;
    }
  }

  const context = (request: HttpRequest, response: HttpResponse) => ({
    system: 'primero' as const,
    counters,
    request,
    response,
  });

  async function getPage(filter: CaseFilter, page: number, per: number, list: ListCasesOptions) {
    const request: HttpRequest = {
      method: 'GET',
      template: '/api/v2/cases',
      path: '/api/v2/cases',
      query: [
        ...Object.entries(filter),
        ['order_by', list.orderBy ?? 'created_at'],
        ['order', list.order ?? 'asc'],
        ...(list.fields === undefined ? [] : [['fields', list.fields] as const]),
        ['page', String(page)],
        ['per', String(per)],
      ],
      signal: list.signal,
    };
    const response = await call(request);
    const result = expectPage(context(request, response));
    if (result.metadata.page !== page) {
      throw upstreamFailure('primero', counters, request, {
        code: 'BAD_RESPONSE',
        status: response.status,
        retryable: false,
        details: [
          `asked for page ${page} but metadata.page is ${result.metadata.page}: paging is not reliable`,
        ],
      });
    }
    return result;
  }

  /**
   * Every page of a reference collection (lookups, locations, agencies), `maxPageSize` at a time; stops after
   * the page that reaches `metadata.total` or at an empty page, like `listCases`.
   */
  async function walkReference(template: string, signal: AbortSignal | undefined): Promise<UnknownRecord[]> {
    const records: UnknownRecord[] = [];
    for (let page = 1; ; page += 1) {
      const request: HttpRequest = {
        method: 'GET',
        template,
        path: template,
        query: [
          ['page', String(page)],
          ['per', String(maxPageSize)],
        ],
        signal,
      };
      const response = await call(request);
      const { data, metadata } = expectPage(context(request, response));
      if (metadata.page !== page) {
        throw upstreamFailure('primero', counters, request, {
          code: 'BAD_RESPONSE',
          status: response.status,
          retryable: false,
          details: [`asked for page ${page} but metadata.page is ${metadata.page}: paging is not reliable`],
        });
      }
      records.push(...data);
      const appliedPer = metadata.per > 0 ? metadata.per : maxPageSize;
      if (data.length === 0 || page * appliedPer >= metadata.total) return records;
    }
  }

  return {
    /*
     * Order: Primero's default is `created_at desc`, so a case created during the walk lands on page 1 and
     * pushes every later page down by one: the walk then reads a row twice and, worse, a page boundary can
     * move under it. With `created_at asc` new cases append at the end (where the walk has not been yet) and
     * the pages already read stay put. A case updated during the walk keeps its `created_at`, so it does not
     * move either. Rows can still shift if one *leaves* the filter mid-walk (e.g. `status=open` and it is
     * closed), which is why pollers filter on an open `last_updated_at=<cursor>..` range that no row leaves.
     * Duplicates remain possible under concurrent writes and are left to the caller's idempotency.
     */
    async *listCases(filter, list = {}) {
      checkListFilter(filter);
      const per = checkPageSize(list.pageSize ?? pageSize);
      for (let page = 1; ; page += 1) {
        const { data, metadata } = await getPage(filter, page, per, list);
        const appliedPer = metadata.per > 0 ? metadata.per : per;
        if (data.length > 0) yield { cases: data, page, per: appliedPer, total: metadata.total };
        if (data.length === 0 || page * appliedPer >= metadata.total) return;
      }
    },

    async getCase(id, perCall = {}) {
      const request: HttpRequest = {
        method: 'GET',
        template: '/api/v2/cases/:id',
        path: `/api/v2/cases/${encodeURIComponent(id)}`,
        signal: perCall.signal,
      };
      return expectDataRecord(context(request, await call(request)));
    },

    async findCases(filter, perCall = {}) {
      const [key, value] = checkExactFilter(filter);
      const request: HttpRequest = {
        method: 'GET',
        template: '/api/v2/cases',
        path: '/api/v2/cases',
        query: [
          [key, value],
          ['order_by', 'created_at'],
          ['order', 'asc'],
          ['page', '1'],
          ['per', String(pageSize)],
        ],
        signal: perCall.signal,
      };
      const response = await call(request);
      const { data } = expectPage(context(request, response));
      const strangers = data.filter((record) => {
        const field = record[key];
        return typeof field !== 'string' || field.toLowerCase() !== value.toLowerCase();
      });
      if (strangers.length > 0) {
        throw upstreamFailure('primero', counters, request, {
          code: 'BAD_RESPONSE',
          status: response.status,
          retryable: false,
          details: [
            `${strangers.length} of ${data.length} returned cases do not have the requested ${key}: Primero ignored the filter (is ${key} visible to this user?); refusing to guess`,
          ],
        });
      }
      return data;
    },

    async createCase(data, create = {}) {
      checkBody('createCase', data);
      const dataId = (data as { id?: unknown }).id;
      const id = create.id ?? (typeof dataId === 'string' ? dataId : newId());
      if (!lowercaseUuidPattern.test(id)) {
        throw new TypeError('createCase: the case id must be a lowercase UUID (Primero rejects others)');
      }
      if (dataId !== undefined && dataId !== id) {
        throw new TypeError('createCase: data.id and options.id differ; pass the id once');
      }
      const request: HttpRequest = {
        method: 'POST',
        template: '/api/v2/cases',
        path: '/api/v2/cases',
        body: { data: { ...data, id } },
        signal: create.signal,
      };
      const response = await call(request);
      // 204 (no body) is what Primero answers when the client supplies `data.id`; 200 with the set fields otherwise.
      if (response.status === 204 || response.body === undefined) return { id, record: undefined };
      const record = expectDataRecord(context(request, response));
      if (record.id !== undefined && record.id !== id) {
        throw upstreamFailure('primero', counters, request, {
          code: 'BAD_RESPONSE',
          status: response.status,
          retryable: false,
          details: [`the created case's id is ${shapeOf(record.id)} and differs from the id sent`],
        });
      }
      return { id, record };
    },

    async patchCase(id, data, perCall = {}) {
      checkBody('patchCase', data);
      const request: HttpRequest = {
        method: 'PATCH',
        template: '/api/v2/cases/:id',
        path: `/api/v2/cases/${encodeURIComponent(id)}`,
        body: { data },
        signal: perCall.signal,
      };
      return expectDataRecord(context(request, await call(request)));
    },

    async listReferrals(caseRecordId, perCall = {}) {
      const request: HttpRequest = {
        method: 'GET',
        template: '/api/v2/cases/:id/referrals',
        path: `/api/v2/cases/${encodeURIComponent(caseRecordId)}/referrals`,
        signal: perCall.signal,
      };
      return expectRecordArray(context(request, await call(request)), 'data');
    },

    async patchReferral(caseRecordId, referralId, data, perCall = {}) {
      checkBody('patchReferral', data);
      const request: HttpRequest = {
        method: 'PATCH',
        template: '/api/v2/cases/:id/referrals/:referral_id',
        path: `/api/v2/cases/${encodeURIComponent(caseRecordId)}/referrals/${encodeURIComponent(referralId)}`,
        body: { data },
        signal: perCall.signal,
      };
      return expectDataRecord(context(request, await call(request)));
    },

    listLookups: (perCall = {}) => walkReference('/api/v2/lookups', perCall.signal),

    listLocations: (perCall = {}) => walkReference('/api/v2/locations', perCall.signal),

    listAgencies: (perCall = {}) => walkReference('/api/v2/agencies', perCall.signal),

    stats: () => ({ ...counters, errors: { ...counters.errors }, limiter: limiter.stats() }),
  };
}

function checkPageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > maxPageSize) {
    throw new RangeError(
      `pageSize must be an integer from 1 to ${maxPageSize} (Primero ≥ 2.10.3 caps per at 1000)`,
    );
  }
  return size;
}

function checkListFilter(filter: CaseFilter): void {
  for (const [key, value] of Object.entries(filter)) {
    if (reservedListKeys.has(key)) {
      throw new TypeError(
        `listCases: "${key}" is not a filter; paging, order and fields are set through options`,
      );
    }
    if (value === '') {
      throw new TypeError(
        `listCases: the filter "${key}" is empty; Primero would ignore it and return every case`,
      );
    }
  }
}

/**
 * An exact filter must hold one non-empty value that Primero will not reinterpret: an empty value removes
 * the filter (every case comes back), and `,` or `..` turn it into a list or a range.
 */
function checkExactFilter(filter: ExactCaseFilter): [string, string] {
  const entries = Object.entries(filter) as Array<[string, unknown]>;
  const [entry] = entries;
  if (
    entries.length !== 1 ||
    entry === undefined ||
    !(exactFilterKeys as readonly string[]).includes(entry[0])
  ) {
    throw new TypeError(`findCases: pass exactly one of ${exactFilterKeys.join(', ')}`);
  }
  const [key, value] = entry;
  if (typeof value !== 'string' || value.trim() === '' || value !== value.trim()) {
    throw new TypeError(`findCases: ${key} must be a non-empty string without surrounding spaces`);
  }
  if (value.includes(',') || value.includes('..')) {
    throw new TypeError(
      `findCases: ${key} must not contain "," or ".." (Primero reads them as a list or range)`,
    );
  }
  if ((key === 'id' || key === 'case_id') && !uuidPattern.test(value)) {
    throw new TypeError(`findCases: ${key} must be a UUID`);
  }
  return [key, value];
}

/**
 * The structural part of a Primero error body: Devise's `error` string (401), or for each `errors[]` entry
 * its `message` (a string or, for model validation, an array) and the `detail`s that are JSON pointers or
 * field names. Other `detail`s (e.g. "Couldn't find Child with 'id'=…") and 5xx messages (exception text)
 * are left out.
 */
export function primeroErrorDetails(status: number, body: unknown): string[] {
  if (!isRecord(body)) return [`JSON ${shapeOf(body)} body (not shown)`];
  if (typeof body.error === 'string') return [clip(body.error)];
  const errors = body.errors;
  if (!Array.isArray(errors)) return ['JSON body without an errors array (not shown)'];
  const showMessages = status < 500 || status === 503;
  const details: string[] = [];
  for (const entry of errors.slice(0, 5)) {
    if (!isRecord(entry)) continue;
    const messages = strings(entry.message).map((message) => clip(message));
    const pointers = strings(entry.detail).filter(isStructuralToken);
    let text = showMessages ? messages.join(', ') || '(no message)' : '(5xx message not shown)';
    if (pointers.length > 0) {
      text += ` at ${pointers.slice(0, 20).join(', ')}${pointers.length > 20 ? ` and ${pointers.length - 20} more` : ''}`;
    }
    details.push(text);
  }
  if (errors.length > 5) details.push(`and ${errors.length - 5} more errors`);
  return details;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}
