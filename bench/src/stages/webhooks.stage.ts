import { setTimeout as sleep } from 'node:timers/promises';

import { System } from '@pos/e2e';

import { type Infra, simStats, waitUntilSynced } from '../bench-system.ts';
import { round } from '../process-meter.ts';
import { percentile } from '../stats.ts';
import { referInPrimero } from './primero-referral.ts';

export interface WebhooksResult {
  /** The simulator's webhook worker delay (delayed_job's poll), and the primero-poller's safety poll. */
  workerDelayMs: number;
  safetyPollMs: number;
  /** The services' PRIMERO_MAX_RPS: each worker poll's notices come at once, and their reads share it. */
  primeroMaxRps: number;
  referrals: number;
  arrived: number;
  /** Referrals made per second. */
  rate: number;
  /** A referral made in Primero until the pending referral exists in OSCaR, with no poll in between. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The primero-poller's figures at the end (`webhooks` in /admin/status). */
  receiver: Record<string, unknown>;
  steadyState: {
    /** Primero requests of one safety poll with nothing changed, by route. */
    requestsPerSafetyPoll: Record<string, number>;
    /** Primero requests over a quiet window with no poll due, and that window's length. */
    quietWindowRequests: number;
    quietWindowS: number;
    /** Safety polls a day × the cost of one, + the quiet window's rate over a day. */
    pollRequestsPerDay: number;
    /** Token renewals a day with PRIMERO_AUTH=jwt (one an hour at most, on the first request after expiry; 0 with basic). */
    tokenRenewalsPerDay: number;
    /** Both. */
    requestsPerDay: number;
    /** What the same quiet day costs polling every second (one list request each). */
    requestsPerDayAt1sPolling: number;
  };
}

/**
 * Webhooks on, against the simulator's Primero-like worker (default 5 s) and a 5-minute safety poll: the
 * latency of `referrals` Primero referrals made at `rate` per second to OSCaR (no poll triggered: only
 * notices can carry them in time), then the Primero requests a quiet day costs — one safety poll measured,
 * and a quiet window with no poll due.
 */
export async function runWebhooks(
  infra: Infra,
  options: {
    referrals: number;
    rate: number;
    workerDelayMs: number;
    safetyPollMs: number;
    quietWindowS: number;
    env: Record<string, string>;
    log: (line: string) => void;
  },
): Promise<WebhooksResult> {
  const system = new System({
    ...infra,
    label: 'bench_webhooks',
    entry: 'bundles',
    webhooks: { workerPollMs: options.workerDelayMs, safetyPollMs: options.safetyPollMs },
    env: {
      POLL_INTERVAL_MS: String(options.safetyPollMs),
      PARTITIONS: '4',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  });
  // A referral arrives when OSCaR answers the upsert that creates it: watched in its state, so nothing polls.
  const waiting = new Map<string, number>();
  const latencies: number[] = [];
  const tenants = () => [...system.oscarStore.tenants.values()];
  const seen = new Map<unknown, number>();
  system.oscar.addHook('onResponse', async (request) => {
    if (request.method === 'GET' || !request.url.startsWith('/api/')) return;
    const now = Date.now();
    for (const tenant of tenants()) {
      for (let id = seen.get(tenant) ?? 1; id < tenant.nextReferralId; id += 1) {
        const externalId = tenant.referrals.get(id)?.externalId;
        const madeAt = externalId === null || externalId === undefined ? undefined : waiting.get(externalId);
        if (externalId === null || externalId === undefined || madeAt === undefined) continue;
        waiting.delete(externalId);
        latencies.push(now - madeAt);
      }
      seen.set(tenant, tenant.nextReferralId);
    }
  });
  try {
    await system.start();
    for (const tenant of tenants()) seen.set(tenant, tenant.nextReferralId);
    await waitUntilSynced(system, { quietMs: 2000, timeoutMs: 60_000, startedAt: Date.now() });

    const periodMs = 1000 / options.rate;
    const started = Date.now();
    const made: Array<Promise<void>> = [];
    for (let i = 0; i < options.referrals; i += 1) {
      await sleep(Math.max(0, started + i * periodMs - Date.now()));
      // Timed from the moment the referral is sent (its answer may come after the notice's read has begun).
      made.push(
        referInPrimero(system, i, 'Hook', (caseId) => waiting.set(caseId, Date.now())).then(() => undefined),
      );
    }
    await Promise.all(made);
    const burstSeconds = (Date.now() - started) / 1000;
    options.log(`  ${options.referrals} referrals made in ${round(burstSeconds, 1)} s`);
    const deadline = Date.now() + options.workerDelayMs * 4 + 30_000;
    while (waiting.size > 0 && Date.now() < deadline) await sleep(100);
    latencies.sort((a, b) => a - b);
    const arrived = latencies.length;

    // Steady state: the notices and marks of the burst die out (each mark's echo changes nothing), then one
    // safety poll is measured, and a quiet window after it (its timer starts again from that poll).
    await waitUntilSynced(system, {
      quietMs: options.workerDelayMs * 2 + 2000,
      timeoutMs: 120_000,
      startedAt: Date.now(),
    });
    const before = await primeroRequests(system);
    await system.poll('primero-poller');
    const afterPoll = await primeroRequests(system);
    const requestsPerSafetyPoll = difference(afterPoll, before);
    options.log(`  quiet window of ${options.quietWindowS} s`);
    await sleep(options.quietWindowS * 1000);
    const quietWindowRequests = total(difference(await primeroRequests(system), afterPoll));
    const receiver = (await system.adminStatus('primero-poller')).webhooks as Record<string, unknown>;
    const pollsPerDay = 86_400_000 / options.safetyPollMs;
    const tokenRenewalsPerDay = (options.env.PRIMERO_AUTH ?? 'jwt') === 'jwt' ? 24 : 0;
    const pollRequestsPerDay = Math.round(
      pollsPerDay * total(requestsPerSafetyPoll) + (quietWindowRequests * 86_400) / options.quietWindowS,
    );
    return {
      workerDelayMs: options.workerDelayMs,
      safetyPollMs: options.safetyPollMs,
      primeroMaxRps: Number(options.env.PRIMERO_MAX_RPS ?? 20),
      referrals: options.referrals,
      arrived,
      rate: round(options.referrals / burstSeconds, 2),
      p50Ms: percentile(latencies, 0.5),
      p95Ms: percentile(latencies, 0.95),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      receiver,
      steadyState: {
        requestsPerSafetyPoll,
        quietWindowRequests,
        quietWindowS: options.quietWindowS,
        pollRequestsPerDay,
        tokenRenewalsPerDay,
        requestsPerDay: pollRequestsPerDay + tokenRenewalsPerDay,
        requestsPerDayAt1sPolling: 86_400,
      },
    };
  } finally {
    await system.stop();
  }
}

/** The figures as lines for `pnpm bench`'s report. */
export function renderWebhooks(result: WebhooksResult): string[] {
  const steady = result.steadyState;
  const perPoll = Object.entries(steady.requestsPerSafetyPoll)
    .map(([route, n]) => `${n} ${route}`)
    .join(', ');
  return [
    '',
    `Webhooks: ${result.referrals} Primero referrals at ${result.rate}/s, worker delay ${result.workerDelayMs / 1000} s, safety poll every ${result.safetyPollMs / 1000} s, PRIMERO_MAX_RPS ${result.primeroMaxRps}`,
    `  Primero → OSCaR: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms (${result.arrived} of ${result.referrals} arrived)`,
    `  receiver: ${JSON.stringify(result.receiver)}`,
    `  quiet day: ${steady.pollRequestsPerDay} Primero requests from the safety poll (one costs ${perPoll || 'nothing'}; ${steady.quietWindowRequests} requests in ${steady.quietWindowS} s with no poll due) + ${steady.tokenRenewalsPerDay} JWT renewals = ${steady.requestsPerDay}, vs ${steady.requestsPerDayAt1sPolling} polling every second`,
  ];
}

async function primeroRequests(system: System): Promise<Record<string, number>> {
  return (await simStats(system)).primero.requests;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([route, n]) => [route, n - (before[route] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

const total = (requests: Record<string, number>) => Object.values(requests).reduce((a, b) => a + b, 0);

/** The targets for webhooks: p95 within the worker delay and a second, a quiet day ≤ 300 requests. */
export function webhookTargets(
  result: WebhooksResult,
): Array<{ target: string; measured: string; met: boolean }> {
  const bound = result.workerDelayMs + 1000;
  return [
    {
      target: `webhooks: Primero → OSCaR p95 ≤ worker delay + 1 s (${bound / 1000} s), ≥ 200 referrals`,
      measured: `${(result.p95Ms / 1000).toFixed(2)} s (p50 ${(result.p50Ms / 1000).toFixed(2)} s; ${result.arrived} of ${result.referrals} arrived)`,
      met: result.p95Ms <= bound && result.arrived === result.referrals && result.referrals >= 200,
    },
    {
      target: `webhooks: Primero requests a quiet day, the safety poll alone, ≤ 300 (every ${result.safetyPollMs / 60_000} min)`,
      measured: `${result.steadyState.pollRequestsPerDay} (+ ${result.steadyState.tokenRenewalsPerDay} JWT renewals; ${result.steadyState.requestsPerDayAt1sPolling} polling every 1 s)`,
      met: result.steadyState.pollRequestsPerDay <= 300,
    },
  ];
}
