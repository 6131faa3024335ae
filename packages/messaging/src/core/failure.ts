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
  /**
   * Our own Postgres or RabbitMQ failed, not the upstream nor the event: it is not the message's fault, so
   * it costs no attempt; the consumer waits for the server to come back and handles the message again.
   */
  infrastructure?: boolean;
}

/** Network error codes of Node's sockets: seen raw only from our own servers (the upstream clients wrap theirs). */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * Whether an error comes from our own Postgres or RabbitMQ being away: a raw socket error, a Postgres
 * connection-class (08…), shutdown (57P…) or cannot-connect-now error, pg's and amqplib's messages for a
 * connection that ended or a channel that closed. Upstream failures never look like this: the clients
 * turn theirs into errors that carry `retryable`.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const tagged = error as Error & { retryable?: unknown; code?: unknown; cause?: unknown };
  if (typeof tagged.retryable === 'boolean') return false;
  const code = typeof tagged.code === 'string' ? tagged.code : '';
  if (socketCodes.has(code)) return true;
  if (/^(08|57P)/.test(code)) return true;
  if (
    /Connection terminated|connection (is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect|Channel (closed|ended)|Connection closed|IllegalOperationError|write after end/i.test(
      error.message,
    ) ||
    error.name === 'IllegalOperationError'
  ) {
    return true;
  }
  return tagged.cause !== undefined && tagged.cause !== error && isInfrastructureError(tagged.cause);
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
    const infrastructure = isInfrastructureError(error);
    return {
      retryable: infrastructure || retryable,
      code: infrastructure ? 'INFRASTRUCTURE' : code,
      message: error.message,
      retryAfterMs,
      ...(infrastructure ? { infrastructure } : {}),
    };
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
