import { setTimeout as sleep } from 'node:timers/promises';

import { backoffDelay, infrastructureBackoff } from './core/backoff.policy.ts';
import { isInfrastructureError } from './core/failure.ts';

/**
 * Waits `ms`, or less when `signal` aborts (shutdown, or a wake-up): resolves either way, never throws,
 * so a loop checks its own stop condition after the wait. Every wait of the messaging loops goes through
 * here, so a SIGTERM never waits for a backoff to run out.
 */
export async function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return;
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/**
 * Records what an upstream call just did, waiting out a restart of our own Postgres or RabbitMQ instead of
 * failing: once an upstream write went through, failing its bookkeeping would make the redelivery write it
 * again — which OSCaR turns into a second pending referral. Other errors, and shutdown, end the wait.
 */
export function recordAfterEffect<T>(record: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return retryWhileServersAway(record, signal);
}

/**
 * Runs `work` again (with the infrastructure backoff) for as long as it fails because our own Postgres or
 * RabbitMQ is away — e.g. a start-up step (migrating, declaring queues) that a server restart interrupts.
 * Other errors, and the signal, end it.
 */
export async function retryWhileServersAway<T>(work: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let failures = 1; ; failures += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isInfrastructureError(error) || signal.aborted) throw error;
      await abortableDelay(backoffDelay(failures, infrastructureBackoff), signal);
    }
  }
}
