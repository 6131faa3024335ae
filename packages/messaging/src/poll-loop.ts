import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { type Logger, noopMetrics, type PollMetrics } from '@pos/runtime';

import { nextPollDelay } from './core/poll.policy.ts';

export interface PollSummary {
  /** Records read from the upstream. */
  read: number;
  /** Events written to the outbox. */
  emitted: number;
  /** Records rejected as malformed (dead-lettered). */
  rejected: number;
  /** Of those read, listed again exactly as an earlier poll committed them, so not mapped again (OSCaR). */
  unchanged?: number;
}

export interface PollLoop {
  /** Polls now (the legacy "Run now" button); joins a poll already running. */
  trigger: () => Promise<PollSummary>;
  stop: () => Promise<void>;
  status: () => {
    running: boolean;
    lastSuccessAt: string | null;
    lastError: string | null;
    consecutiveFailures: number;
  };
}

/**
 * Polls continuously: at start, then every `intervalMs` (backing off after failures), or at once when
 * triggered. One poll at a time; `stop` waits for the current one.
 */
export function startPollLoop(options: {
  intervalMs: number;
  poll: (signal: AbortSignal) => Promise<PollSummary>;
  logger: Logger;
  /** Reports each poll's duration, outcome and counts; default: nothing. */
  metrics?: PollMetrics;
}): PollLoop {
  const metrics = options.metrics ?? noopMetrics.poll;
  const abort = new AbortController();
  let current: Promise<PollSummary> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  let lastSuccessAt: string | null = null;
  let lastError: string | null = null;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run().catch(() => undefined), nextPollDelay(options.intervalMs, failures));
  };

  const run = (): Promise<PollSummary> => {
    if (current) return current;
    const started = Date.now();
    const span = trace.getTracer('@pos/messaging').startSpan('poll', { root: true });
    // The outcome is logged in the poll's span too, so those lines carry its trace id.
    const polling = trace.setSpan(context.active(), span);
    current = context
      .with(polling, () => options.poll(abort.signal))
      .then(
        context.bind(polling, (summary: PollSummary) => {
          failures = 0;
          lastSuccessAt = new Date().toISOString();
          lastError = null;
          metrics.pollEnded({ ok: true, seconds: (Date.now() - started) / 1000, summary });
          span.setAttributes({
            'sync.read': summary.read,
            'sync.emitted': summary.emitted,
            'sync.rejected': summary.rejected,
          });
          if (summary.read > 0 || summary.emitted > 0 || summary.rejected > 0) {
            options.logger.info({ ...summary, ms: Date.now() - started }, 'poll done');
          }
          return summary;
        }),
        context.bind(polling, (error: unknown) => {
          failures += 1;
          lastError = error instanceof Error ? error.message : 'unknown error';
          metrics.pollEnded({ ok: false, seconds: (Date.now() - started) / 1000 });
          span.setStatus({ code: SpanStatusCode.ERROR, message: lastError });
          options.logger.warn({ reason: lastError, consecutiveFailures: failures }, 'poll failed');
          throw error;
        }),
      )
      .finally(() => {
        span.end();
        current = undefined;
        schedule();
      });
    return current;
  };

  void run().catch(() => undefined);

  return {
    trigger: run,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      await current?.catch(() => undefined);
    },
    status: () => ({
      running: current !== undefined,
      lastSuccessAt,
      lastError,
      consecutiveFailures: failures,
    }),
  };
}
