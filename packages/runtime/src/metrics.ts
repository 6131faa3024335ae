/**
 * What the plumbing reports for metrics: small ports the poll loop, the outbox relay and the consumer call
 * as they go. They carry counts, durations and error codes only — never an id, a name or any other field of
 * a record — so whatever a service wires them to (Prometheus, see `prometheus.ts`) holds no personal data.
 * Every port defaults to the no-op below: the plumbing works, and its tests run, without a registry.
 */

/** What one poll did; `summary` is there when it succeeded. */
export interface PollObservation {
  ok: boolean;
  seconds: number;
  summary?: { read: number; emitted: number; rejected: number };
}

export interface PollMetrics {
  /** A poll ended, successfully or not. */
  pollEnded: (poll: PollObservation) => void;
}

export interface RelayMetrics {
  /** Outbox rows the broker confirmed (and the relay then marked published). */
  published: (count: number) => void;
  /** A publish round failed (broker or database away, an unroutable event); the relay tries again. */
  publishFailed: () => void;
}

/** How a writer settled a message; `consumer.ts` counts the same outcomes in `stats()`. */
export type HandlingOutcome = 'applied' | 'skipped' | 'stale' | 'duplicate' | 'retried' | 'dead-lettered';

export interface ConsumerMetrics {
  /** A message was taken from a partition queue (before it is parsed). */
  received: (route: string) => void;
  /**
   * A message was settled. Retries and dead letters carry the failure's code, and whether the retries
   * were exhausted (a retryable failure out of attempts) rather than the failure being permanent.
   */
  settled: (outcome: HandlingOutcome, failure?: { code: string; exhausted: boolean }) => void;
}

export interface DeadLetterMetrics {
  /** A source record was dead-lettered by a poller (a writer's dead letters come through `settled`). */
  deadLettered: (code: string) => void;
}

/**
 * What a scrape reads from the service's own Postgres schema: cheap aggregate queries (see the messaging
 * package's `backlog.repository.ts`). Each part is present only where the service has that table.
 */
export interface BacklogReadings {
  outbox?: { unpublished: number; oldestCreatedAt: Date | null };
  retriesWaiting?: number;
  /** Poller cursors by name; the value is an ISO date-time or day. */
  cursors?: ReadonlyArray<{ name: string; value: string }>;
  /** Dead letters neither replayed nor discarded yet, by code. */
  openDeadLetters?: ReadonlyArray<{ code: string; count: number }>;
}

/** Lets the plumbing hand the metrics its reader of the backlog, called on each scrape. */
export type ReadOnScrape = (read: () => Promise<BacklogReadings>) => void;

/** Everything a poller's plumbing reports to. */
export interface PollerMetrics {
  poll: PollMetrics;
  relay: RelayMetrics;
  deadLetters: DeadLetterMetrics;
  readOnScrape: ReadOnScrape;
}

/** Everything a writer's plumbing reports to. */
export interface WriterMetrics {
  consumer: ConsumerMetrics;
  readOnScrape: ReadOnScrape;
}

const ignore = (): void => undefined;

/** The defaults: report nothing. */
export const noopMetrics = {
  poll: { pollEnded: ignore } satisfies PollMetrics,
  relay: { published: ignore, publishFailed: ignore } satisfies RelayMetrics,
  consumer: { received: ignore, settled: ignore } satisfies ConsumerMetrics,
  deadLetters: { deadLettered: ignore } satisfies DeadLetterMetrics,
} as const;
