/**
 * The one place that decides whether a failure is worth retrying. Errors say so themselves (`retryable`
 * from the upstream clients, `permanent` from mapping and validation); anything unknown is retried, so a
 * surprise never loses a message, and the attempt limit still ends in the dead-letter queue.
 */
export interface FailureInfo {
  retryable: boolean;
  code: string;
  /** Safe to log and to store with a dead letter: ids and field names only. */
  message: string;
  retryAfterMs?: number | undefined;
}

export function describeFailure(error: unknown): FailureInfo {
  if (error instanceof Error) {
    const tagged = error as Error & {
      retryable?: unknown;
      permanent?: unknown;
      code?: unknown;
      retryAfterMs?: unknown;
    };
    const code = typeof tagged.code === 'string' ? tagged.code : error.name;
    const retryable =
      typeof tagged.retryable === 'boolean' ? tagged.retryable : tagged.permanent === true ? false : true;
    const retryAfterMs = typeof tagged.retryAfterMs === 'number' ? tagged.retryAfterMs : undefined;
    return { retryable, code, message: error.message, retryAfterMs };
  }
  return { retryable: true, code: 'UNKNOWN', message: 'non-error value thrown' };
}

/** A failure that retrying cannot fix: the message goes to the dead-letter queue at once. */
export class PermanentError extends Error {
  readonly permanent = true;
  readonly retryable = false;
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PermanentError';
    this.code = code;
  }
}

/** A failure worth retrying later (an upstream was down, a lock was held). */
export class RetryableError extends Error {
  readonly retryable = true;
  readonly code: string;
  readonly retryAfterMs: number | undefined;
  constructor(code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'RetryableError';
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}
