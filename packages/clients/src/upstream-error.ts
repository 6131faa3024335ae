/** Which upstream API a request went to. */
export type UpstreamSystem = 'primero' | 'oscar';

/**
 * What went wrong, coarse enough for a retry policy. `retryable` (not the code) is what a caller acts on;
 * the code is for metrics and for the few callers that branch (e.g. `CONFLICT` on a create with a known id).
 */
export type UpstreamErrorCode =
  /** No response within `timeoutMs` (or a 408). Retryable. */
  | 'TIMEOUT'
  /** Connection refused/reset, DNS failure, socket closed mid-response. Retryable. */
  | 'NETWORK'
  /** The caller's own `signal` aborted the call (e.g. shutdown). Retryable: the work was not done. */
  | 'ABORTED'
  /** 429. Retryable, honour `retryAfterMs`. */
  | 'RATE_LIMITED'
  /** 5xx. Retryable; 503 may carry `retryAfterMs`. */
  | 'SERVER_ERROR'
  /** 401 after one fresh login, a refused login, or a login that yielded no usable credentials. Permanent. */
  | 'AUTH_FAILED'
  /** 403. Permanent. */
  | 'FORBIDDEN'
  /** 404 (unknown record, referral or route). Permanent. */
  | 'NOT_FOUND'
  /** 409 (Primero: a create with an `id` that already exists). Permanent. */
  | 'CONFLICT'
  /** 422: the upstream rejected the payload. Permanent (poison). */
  | 'VALIDATION'
  /** Any other 4xx (400, 405, 413, 414…). Permanent. */
  | 'BAD_REQUEST'
  /** Refused before sending: the request line would exceed ~1 KB, which Primero's nginx rejects. Permanent. */
  | 'REQUEST_TOO_LONG'
  /** A 2xx whose body is not what the API documents (see `retryable` for which kind). */
  | 'BAD_RESPONSE';

export interface UpstreamErrorInit {
  system: UpstreamSystem;
  code: UpstreamErrorCode;
  /** `METHOD /path/:template`, never with ids or query values. */
  operation: string;
  status?: number | undefined;
  retryable: boolean;
  retryAfterMs?: number | undefined;
  /** Structural facts only: upstream error messages, field names, JSON pointers. Never record content. */
  details?: readonly string[] | undefined;
}

/**
 * The one error type the clients throw for an upstream call that did not succeed. Its message names the
 * operation (method and path template), the status and the upstream's structural error information, and
 * is safe to log: it never holds record content, query values, tokens or passwords, nor a non-JSON body.
 *
 * @example
 * try { await primero.patchCase(id, data); }
 * catch (error) {
 *   if (error instanceof UpstreamError && error.retryable) return retryLater(error.retryAfterMs);
 *   throw error; // permanent: dead-letter
 * }
 */
export class UpstreamError extends Error {
  readonly system: UpstreamSystem;
  readonly code: UpstreamErrorCode;
  readonly operation: string;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: readonly string[];

  constructor(init: UpstreamErrorInit) {
    const details = init.details ?? [];
    const status = init.status === undefined ? '' : ` HTTP ${init.status}`;
    const detailText = details.length > 0 ? `: ${details.join('; ')}` : '';
    super(`${init.system} ${init.operation}:${status} ${init.code}${detailText}`);
    this.name = 'UpstreamError';
    this.system = init.system;
    this.code = init.code;
    this.operation = init.operation;
    this.status = init.status;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.details = details;
  }
}

/** The classification of an HTTP error status: which code, and whether trying again later can help. */
export function classifyStatus(status: number): { code: UpstreamErrorCode; retryable: boolean } {
  if (status === 401) return { code: 'AUTH_FAILED', retryable: false };
  if (status === 403) return { code: 'FORBIDDEN', retryable: false };
  if (status === 404) return { code: 'NOT_FOUND', retryable: false };
  if (status === 408) return { code: 'TIMEOUT', retryable: true };
  if (status === 409) return { code: 'CONFLICT', retryable: false };
  if (status === 414) return { code: 'REQUEST_TOO_LONG', retryable: false };
  if (status === 422) return { code: 'VALIDATION', retryable: false };
  if (status === 429) return { code: 'RATE_LIMITED', retryable: true };
  if (status >= 500) return { code: 'SERVER_ERROR', retryable: true };
  return { code: 'BAD_REQUEST', retryable: false };
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into milliseconds from `now`.
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
