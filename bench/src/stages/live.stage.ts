import { setTimeout as sleep } from 'node:timers/promises';

import type { System } from '@pos/e2e';
import { primeroSimState } from '@pos/sim-primero';

import { type Infra, startBenchSystem, waitUntilSynced } from '../bench-system.ts';
import { round } from '../process-meter.ts';
import { percentile } from '../stats.ts';
import { expectOk, ngos, referInPrimero } from './primero-referral.ts';

export interface LatencyFigures {
  changes: number;
  arrived: number;
  /** Changes per second actually made. */
  rate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LiveResult {
  pollIntervalMs: number;
  /** A referral made in Primero until the pending referral exists in OSCaR. */
  primeroToOscar: LatencyFigures;
  /** An NGO client referred to MoSVY until the Primero case exists. */
  oscarToPrimero: LatencyFigures;
}

/**
 * Live latency: on a running sync (rate limits at their defaults), `changes` changes each way at `rate` per
 * second each way, from the source write to its effect in the other system. Effects are seen in the
 * simulators' state right after each write they answer, so nothing polls the targets.
 */
export async function runLive(
  infra: Infra,
  options: {
    changes: number;
    rate: number;
    pollIntervalMs: number;
    env: Record<string, string>;
    log: (line: string) => void;
  },
): Promise<LiveResult> {
  const bench = await startBenchSystem(infra, {
    label: 'bench_live',
    limits: 'default',
    pollIntervalMs: options.pollIntervalMs,
    env: options.env,
  });
  const { system } = bench;
  try {
    const cases = primeroSimState(system.primero).cases;
    const tenants = [...system.oscarStore.tenants.values()];
    const toOscar = new Map<string, { madeAt: number; arrivedAt?: number }>();
    const toPrimero = new Map<string, { madeAt: number; arrivedAt?: number }>();
    const waitingOscar = new Set<string>();
    const waitingPrimero = new Set<string>();
    // New OSCaR referrals are the ones past each tenant's last id seen (ids grow per tenant).
    const seen = new Map(tenants.map((tenant) => [tenant, tenant.nextReferralId]));
    bench.onWrite(() => {
      const now = Date.now();
      for (const tenant of tenants) {
        for (let id = seen.get(tenant) ?? 1; id < tenant.nextReferralId; id += 1) {
          const externalId = tenant.referrals.get(id)?.externalId;
          if (externalId === null || externalId === undefined || !waitingOscar.delete(externalId)) continue;
          const change = toOscar.get(externalId);
          if (change !== undefined) change.arrivedAt = now;
        }
        seen.set(tenant, tenant.nextReferralId);
      }
      for (const globalId of waitingPrimero) {
        if (cases.findBy('oscar_number', globalId).length > 0) {
          waitingPrimero.delete(globalId);
          const change = toPrimero.get(globalId);
          if (change !== undefined) change.arrivedAt = now;
        }
      }
    });
    // A running sync: both pollers have polled once before the burst starts.
    await waitUntilSynced(system, {
      quietMs: options.pollIntervalMs * 2,
      timeoutMs: 30_000,
      startedAt: Date.now(),
    });

    const periodMs = 1000 / options.rate;
    const started = Date.now();
    const made: Array<Promise<void>> = [];
    for (let i = 0; i < options.changes; i += 1) {
      await sleep(Math.max(0, started + i * periodMs - Date.now()));
      made.push(
        referInPrimero(system, i, 'Live').then((caseId) => {
          toOscar.set(caseId, { madeAt: Date.now() });
          waitingOscar.add(caseId);
        }),
      );
      await sleep(Math.max(0, started + (i + 0.5) * periodMs - Date.now()));
      made.push(
        referInOscar(system, i).then((globalId) => {
          toPrimero.set(globalId, { madeAt: Date.now() });
          waitingPrimero.add(globalId);
        }),
      );
    }
    await Promise.all(made);
    const burstSeconds = (Date.now() - started) / 1000;
    options.log(`  ${options.changes} + ${options.changes} changes made in ${round(burstSeconds, 1)} s`);
    const deadline = Date.now() + 60_000;
    while ((waitingOscar.size > 0 || waitingPrimero.size > 0) && Date.now() < deadline) await sleep(100);
    bench.onWrite(undefined);
    return {
      pollIntervalMs: options.pollIntervalMs,
      primeroToOscar: figures([...toOscar.values()], burstSeconds),
      oscarToPrimero: figures([...toPrimero.values()], burstSeconds),
    };
  } finally {
    await bench.stop();
  }
}

/** An NGO case worker registers a child in OSCaR and refers the child to MoSVY. */
async function referInOscar(system: System, i: number): Promise<string> {
  const response = await expectOk(
    system.oscarControl('POST', '/_control/clients', {
      organization: ngos[i % ngos.length],
      given_name: `Live${i}`,
      family_name: 'Client',
      gender: 'female',
      date_of_birth: '2015-05-05',
      location_code: '12010203',
      case_worker: { name: 'Dara Kim', mobile: '012345678' },
      refer_to_mosvy: {
        services: ['Generalist counselling'],
        reason: 'live change',
        level_of_risk: 'medium',
      },
    }),
  );
  return String((response as { global_id: unknown }).global_id);
}

function figures(
  changes: Array<{ madeAt: number; arrivedAt?: number }>,
  burstSeconds: number,
): LatencyFigures {
  const latencies = changes
    .flatMap((change) => (change.arrivedAt === undefined ? [] : [change.arrivedAt - change.madeAt]))
    .sort((a, b) => a - b);
  return {
    changes: changes.length,
    arrived: latencies.length,
    rate: round(changes.length / burstSeconds, 2),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}
