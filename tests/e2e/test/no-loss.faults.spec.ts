import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

import { management } from '@pos/testkit';
import pg from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { describe, expect, inject, it } from 'vitest';

import { captureEndState, compareEndStates, differingFields, type EndState } from '../src/end-state.ts';
import { asArray, asRecord } from '../src/scenario.ts';
import { type ServiceName, System } from '../src/system.ts';

// The fault suite: "nothing lost, nothing duplicated, whatever breaks". One scenario — a backfill of both
// simulators and live changes in both directions — runs twice: undisturbed, then with the services killed
// (SIGKILL) at random moments and restarted, RabbitMQ and PostgreSQL restarted, and the simulators
// answering 5xx, 503 with Retry-After, 429, non-JSON bodies, slow answers and timeouts, with a Primero token
// that expires every few seconds. Both runs must end in the same stored state, the faulted one within
// FAULTS_CONVERGE_S seconds of the last fault of our own infrastructure.
//
// `./pnpmw test:faults` runs it at full size (1,000 + 1,000 records, six kills); CI runs FAULTS_RECORDS=150
// FAULTS_KILLS=3. It restarts the machine's RabbitMQ and PostgreSQL, so it runs alone, never beside the
// other tiers.

const exec = promisify(execFile);
const records = Number(process.env.FAULTS_RECORDS ?? 1000);
const kills = Number(process.env.FAULTS_KILLS ?? 6);
const liveChanges = Number(process.env.FAULTS_LIVE ?? 40);
const convergeBoundS = Number(process.env.FAULTS_CONVERGE_S ?? 60);
const seed = Number(process.env.FAULTS_SEED ?? 42);
/** 0 leaves RabbitMQ and PostgreSQL alone (when they serve others too); the suite then says so. */
const restartServers = process.env.FAULTS_SERVER_RESTARTS !== '0';
const services: ServiceName[] = ['primero-poller', 'oscar-poller', 'primero-writer', 'oscar-writer'];
const ngos = ['cif', 'holt', 'mtp', 'tlc'];
const liveNamespace = '8d0c55b4-3b57-4f4e-9d9b-1f6f4e1b7a21';
/** How long faults go on: sized to the backfill, so they hit a sync at work; live changes are spread over it. */
const windowMs = Math.max(30_000, records * 45);
const seedAnchor = new Date().toISOString();

/** A deterministic pseudo-random sequence, so a run's faults can be replayed with FAULTS_SEED. */
function rng(start: number): () => number {
  let state = start >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

interface RunFigures {
  endState: EndState;
  ambiguousSends: Array<{ caseId: string; organization: string }>;
  writes: { primero: number; oscar: number };
  faults: Record<string, number>;
  convergedAfterMs: number | null;
  deadLetters: number;
  wallMs: number;
}

describe('nothing lost, nothing duplicated, whatever breaks', () => {
  const infra = {
    databaseUrl: inject('databaseUrl'),
    amqpUrl: inject('amqpUrl'),
    amqpManagementUrl: inject('amqpManagementUrl'),
  };

  it(`ends a ${records} + ${records} backfill with ${liveChanges} live changes, ${kills} kills and restarts of RabbitMQ and PostgreSQL in the same state as the undisturbed run`, async () => {
    const baseline = await runScenario({ faults: false });
    const faulted = await runScenario({ faults: true, expected: baseline.endState });
    const { lost, extra, explained } = differences(
      baseline.endState,
      faulted.endState,
      faulted.ambiguousSends,
    );
    const duplicated: Record<string, number> = Object.fromEntries(
      Object.entries(faulted.endState.duplicates).map(([kind, n]) => [
        kind,
        n - (baseline.endState.duplicates[kind as keyof typeof faulted.endState.duplicates] ?? 0),
      ]),
    );
    const flaggedDuplicates = Math.min(duplicated.oscarReferrals ?? 0, faulted.ambiguousSends.length);
    duplicated.oscarReferrals = (duplicated.oscarReferrals ?? 0) - flaggedDuplicates;
    const report = {
      records: { primero: records, oscar: records, liveChanges },
      entities: baseline.endState.entities.size,
      counts: { undisturbed: baseline.endState.counts, faulted: faulted.endState.counts },
      writes: { undisturbed: baseline.writes, faulted: faulted.writes },
      faultsInjected: faulted.faults,
      lost: lost.length,
      extra: extra.length,
      duplicated,
      ambiguousSends: {
        recorded: faulted.ambiguousSends.length,
        duplicatePendingReferralsFlagged: flaggedDuplicates,
        entitiesExplained: explained.length,
      },
      deadLetters: { undisturbed: baseline.deadLetters, faulted: faulted.deadLetters },
      convergedSecondsAfterLastFault:
        faulted.convergedAfterMs === null ? 'did not converge' : faulted.convergedAfterMs / 1000,
      wallSeconds: { undisturbed: baseline.wallMs / 1000, faulted: faulted.wallMs / 1000 },
      firstLost: lost.slice(0, 5),
    };
    for (const key of lost.slice(0, 5)) {
      console.log(
        `lost ${key}:\n  ${differingFields(baseline.endState, faulted.endState, key).slice(0, 8).join('\n  ')}`,
      );
    }
    console.log(`\nfault suite figures\n${JSON.stringify(report, null, 2)}`);
    expect(lost).toEqual([]);
    expect(extra).toEqual([]);
    expect(Object.values(duplicated).every((n) => n === 0)).toBe(true);
    expect(faulted.deadLetters).toBe(baseline.deadLetters);
    expect(faulted.convergedAfterMs).not.toBeNull();
    expect((faulted.convergedAfterMs ?? Infinity) / 1000).toBeLessThanOrEqual(convergeBoundS);
  });

  async function runScenario(options: { faults: boolean; expected?: EndState }): Promise<RunFigures> {
    const started = Date.now();
    const random = rng(seed);
    const system = new System({
      ...infra,
      label: options.faults ? 'faults' : 'undisturbed',
      primeroJwtTtlSeconds: options.faults ? 8 : 3600,
      env: {
        POLL_INTERVAL_MS: '1000',
        PRIMERO_MAX_RPS: '1000',
        PRIMERO_MAX_CONCURRENCY: '8',
        OSCAR_MAX_RPS: '1000',
        OSCAR_MAX_CONCURRENCY: '4',
        PRIMERO_TIMEOUT_MS: '3000',
        OSCAR_TIMEOUT_MS: '3000',
        LOG_LEVEL: 'warn',
      },
    });
    const faults: Record<string, number> = {
      kills: 0,
      rabbitmqRestarts: 0,
      postgresRestarts: 0,
      upstreamFaultWindows: 0,
      tokenLifetimeSeconds: options.faults ? 8 : 0,
    };
    let lastInfraFaultAt = 0;
    try {
      await system.start();
      // Both runs seed relative to one instant, so their seeded dates are equal to the day.
      const now = seedAnchor;
      await system.primeroControl('POST', '/_control/seed', { count: records, seed, linked: false, now });
      await system.oscarControl('POST', '/_control/seed', { count: records, seed, linked: false, now });
      const keys = await initialKeys(system);

      const live = makeLiveChanges(system, keys);
      const disturbances = options.faults
        ? disturb(system, random, faults, (at) => {
            lastInfraFaultAt = Math.max(lastInfraFaultAt, at);
          })
        : Promise.resolve();
      await Promise.all([live.make(), disturbances]);
      const faultsEndedAt = Date.now();

      // Converged: every live acceptance made, the pipeline drained, and (faulted run) the stored state
      // equal to the undisturbed one; (undisturbed run) nothing written for a while.
      const deadline = Date.now() + Math.max(convergeBoundS * 2, 120) * 1000;
      let convergedAt: number | null = null;
      let endState: EndState | undefined;
      let quietWrites = -1;
      let quietSince = Date.now();
      while (Date.now() < deadline) {
        await live.acceptArrived();
        const drained = await pipelineDrained(system);
        const writes = await system.writes();
        if (writes.total !== quietWrites) {
          quietWrites = writes.total;
          quietSince = Date.now();
        }
        if (drained && live.allAccepted()) {
          if (options.expected) {
            endState = await captureEndState(system, system.oscarStore, keys);
            const { lost, extra } = differences(options.expected, endState, await ambiguousSends(system));
            if (lost.length === 0 && extra.length === 0) {
              convergedAt = Date.now();
              break;
            }
          } else if (Date.now() - quietSince >= 5_000) {
            convergedAt = Date.now();
            break;
          }
        }
        await sleep(1_000);
      }
      endState = await captureEndState(system, system.oscarStore, keys);
      const writes = await system.writes();
      return {
        endState,
        writes: { primero: writes.primero, oscar: writes.oscar },
        faults,
        convergedAfterMs: convergedAt === null ? null : convergedAt - (lastInfraFaultAt || faultsEndedAt),
        deadLetters: await deadLetterCount(system),
        ambiguousSends: await ambiguousSends(system),
        wallMs: Date.now() - started,
      };
    } finally {
      await system.stop();
    }
  }
});

/** The ids that exist before the sync runs: what the keys of the end state are built on. */
async function initialKeys(system: System) {
  const response = await system.primeroControl('GET', '/_control/cases?limit=1000000');
  // Oldest first: the order the seed made them in, the same in every run.
  const seeded = asArray(asRecord(response.body).data).reverse();
  const primeroCaseIds = new Map(seeded.map((c, index) => [text(c.case_id), `seed#${index}`]));
  const oscarGlobalIds = new Map(
    [...system.oscarStore.tenants.values()].flatMap((t) =>
      [...t.clients.values()].map((c) => [c.globalId, `${t.organization.shortName}#${c.id}`] as const),
    ),
  );
  return { primeroCaseIds, oscarGlobalIds };
}

/**
 * People at work while the sync runs: every other change a MoSVY manager registers a child and refers a
 * service to an NGO (and the NGO accepts it once it arrives); the others, an NGO case worker registers a
 * child and refers the child to MoSVY. Ids are derived from the change's number, so both runs make the
 * same records.
 */
function makeLiveChanges(system: System, keys: { primeroCaseIds: Map<string, string> }) {
  const awaiting = new Map<string, string>();
  return {
    make: async () => {
      for (let i = 0; i < liveChanges; i += 1) {
        const ngo = ngos[i % ngos.length] ?? 'cif';
        if (i % 2 === 0) {
          const caseId = uuidv5(`live-case-${i}`, liveNamespace);
          const serviceId = uuidv5(`live-service-${i}`, liveNamespace);
          keys.primeroCaseIds.set(caseId, caseId);
          await retrying(() =>
            system.primeroApi('POST', '/api/v2/cases', {
              data: {
                id: uuidv5(`live-record-${i}`, liveNamespace),
                case_id: caseId,
                module_id: 'primeromodule-cp',
                name_first: `Live${i}`,
                name_last: 'Referral',
                sex: i % 4 === 0 ? 'female' : 'male',
                date_of_birth: '2014-03-01',
                location_current: '12010203',
                risk_level: 'medium',
                consent_for_services: true,
                disclosure_other_orgs: true,
                services_section: [
                  {
                    unique_id: serviceId,
                    service_response_type: 'referral_to_oscar',
                    service_type: 'counselling',
                    service_implementing_agency: `agency-${ngo}`,
                    service_implementing_agency_individual: `agency-${ngo}-user`,
                  },
                ],
              },
            }),
          );
          await retrying(() =>
            system.primeroApi(
              'POST',
              `/api/v2/cases/${uuidv5(`live-record-${i}`, liveNamespace)}/referrals`,
              {
                data: {
                  transitioned_to: `agency-${ngo}-user`,
                  transitioned_to_agency: `agency-${ngo}`,
                  service: 'counselling',
                  service_record_id: serviceId,
                  notes: 'live change',
                },
              },
            ),
          );
          awaiting.set(caseId, ngo);
        } else {
          await retrying(() =>
            system.oscarControl('POST', '/_control/clients', {
              organization: ngo,
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
        }
        await sleep(windowMs / Math.max(1, liveChanges));
      }
    },
    /** The NGO accepts each live Primero referral as soon as it has arrived. */
    acceptArrived: async () => {
      for (const [caseId, ngo] of awaiting) {
        const response = await system.oscarControl('GET', `/_control/referrals?external_id=${caseId}`);
        const body = response.body;
        const referrals = Array.isArray(body)
          ? body
          : asArray(asRecord(body).data ?? asRecord(body).referrals);
        const pending = referrals.map(asRecord).find((r) => r.organization === ngo || r.referred_to === ngo);
        if (!pending) continue;
        const accepted = await system.oscarControl('POST', `/_control/referrals/${text(pending.id)}/accept`, {
          organization: ngo,
          case_worker: { name: 'Dara Kim', mobile: '012345678' },
        });
        if (accepted.status < 300 || accepted.status === 409) awaiting.delete(caseId);
      }
    },
    allAccepted: () => awaiting.size === 0,
  };
}

/** Calls a simulator as a person would: tries again while the injected faults answer 5xx or 429. */
async function retrying(call: () => Promise<{ status: number; body: unknown }>) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await call();
      if (response.status < 300) return response;
      if (attempt >= 20 || (response.status < 500 && response.status !== 429)) {
        throw new Error(`a live change answered ${response.status}: ${JSON.stringify(response.body)}`);
      }
    } catch (error) {
      if (attempt >= 20) throw error;
    }
    await sleep(300);
  }
}

/**
 * The faults, over a window sized to the backfill: kills at random moments (each service restarted two
 * to four seconds later), one RabbitMQ restart, one PostgreSQL restart, and two windows of upstream faults.
 */
async function disturb(
  system: System,
  random: () => number,
  faults: Record<string, number>,
  infraFault: (at: number) => void,
): Promise<void> {
  const started = Date.now();
  const at = (fraction: number) => sleep(Math.max(0, started + windowMs * fraction - Date.now()));
  const count = (what: string) => {
    faults[what] = (faults[what] ?? 0) + 1;
  };

  const killing = (async () => {
    const moments = Array.from({ length: kills }, () => 0.05 + random() * 0.9).sort();
    for (const moment of moments) {
      await at(moment);
      const victim = services[Math.floor(random() * services.length)] ?? 'oscar-writer';
      await system.kill(victim);
      infraFault(Date.now());
      count('kills');
      await sleep(2_000 + random() * 2_000);
      await system.startService(victim);
      infraFault(Date.now());
    }
  })();

  const upstream = (async () => {
    const both = (body: unknown) =>
      Promise.all([
        system.primeroControl('PUT', '/_control/faults', body),
        system.oscarControl('PUT', '/_control/faults', body),
      ]);
    await at(0.15);
    await both({
      errorRate: 0.05,
      errorStatus: 503,
      retryAfterSeconds: 1,
      latencyMs: 30,
      timeoutRate: 0.005,
    });
    count('upstreamFaultWindows');
    await at(0.3);
    await both({ errorRate: 0.05, errorStatus: 429, retryAfterSeconds: 1, nonJsonRate: 0.03, latencyMs: 10 });
    count('upstreamFaultWindows');
    await at(0.45);
    await Promise.all([
      system.primeroControl('DELETE', '/_control/faults'),
      system.oscarControl('DELETE', '/_control/faults'),
    ]);
  })();

  const servers = (async () => {
    if (!restartServers) return;
    await at(0.4);
    await exec('rabbitmqctl', ['stop_app']);
    infraFault(Date.now());
    await sleep(4_000);
    await exec('rabbitmqctl', ['start_app']);
    await exec('rabbitmqctl', ['await_startup']).catch(() => undefined);
    infraFault(Date.now());
    count('rabbitmqRestarts');
    await at(0.65);
    await restartPostgres();
    infraFault(Date.now());
    count('postgresRestarts');
  })();

  await Promise.all([killing, upstream, servers]);
  // A service killed last may still be starting; the restart itself is the last fault.
  for (const name of services) {
    if (system.services.get(name)?.child.exitCode !== null) {
      await system.startService(name);
      infraFault(Date.now());
    }
  }
}

async function restartPostgres(): Promise<void> {
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql to restart');
  await exec('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop', '-m', 'fast']);
  await sleep(3_000);
  await exec('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
}

/** Nothing unpublished in either outbox, no retry waiting, no message in any partition queue. */
async function pipelineDrained(system: System): Promise<boolean> {
  try {
    const client = new pg.Client({ connectionString: system.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `select (select count(*) from primero_poller.outbox where published_at is null)
              + (select count(*) from oscar_poller.outbox where published_at is null)
              + (select count(*) from primero_writer.retries)
              + (select count(*) from oscar_writer.retries) as n`,
      );
      if (Number(rows[0]?.n ?? 1) !== 0) return false;
    } finally {
      await client.end();
    }
    const queues = (await management(
      system.amqpManagementUrl,
      'GET',
      `/api/queues/${encodeURIComponent(system.vhostName)}`,
    )) as Array<{ name: string; messages?: number }>;
    return queues.filter((q) => !q.name.endsWith('.dead')).every((q) => (q.messages ?? 0) === 0);
  } catch {
    return false;
  }
}

/**
 * How the faulted end state differs from the undisturbed one. OSCaR cannot be asked whether it saved a
 * pending referral, so a writer killed between an upsert and its answer sends it again (nothing lost) and
 * records it in ambiguous_sends for the NGO to check. Those cases, and only those, may differ: every other
 * difference is a loss or a duplicate.
 */
function differences(
  expected: EndState,
  actual: EndState,
  ambiguous: ReadonlyArray<{ caseId: string; organization: string }>,
): { lost: string[]; extra: string[]; explained: string[] } {
  const compared = compareEndStates(expected, actual);
  const explainable = new Set(
    ambiguous.map((a) => `oscar-pending:${actual.names.get(a.caseId) ?? `?${a.caseId}`}@${a.organization}`),
  );
  return {
    lost: compared.lost.filter((key) => !explainable.has(key)),
    extra: compared.extra.filter((key) => !explainable.has(key)),
    explained: [...compared.lost, ...compared.extra].filter((key) => explainable.has(key)),
  };
}

async function ambiguousSends(system: System): Promise<Array<{ caseId: string; organization: string }>> {
  const client = new pg.Client({ connectionString: system.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ case_id: string; organization: string }>(
      'select case_id, organization from oscar_writer.ambiguous_sends',
    );
    return rows.map((r) => ({ caseId: r.case_id, organization: r.organization }));
  } finally {
    await client.end();
  }
}

async function deadLetterCount(system: System): Promise<number> {
  const client = new pg.Client({ connectionString: system.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select (select count(*) from primero_writer.dead_letters) + (select count(*) from oscar_writer.dead_letters) as n`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** A scalar field as text ('' when absent or not a scalar). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
