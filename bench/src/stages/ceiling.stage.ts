import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { createOscarClient, createPrimeroClient, type PrimeroClient } from '@pos/clients';
import { primeroCaseFields } from '@pos/mapping';
import { migrateSchema, outboxMigrations } from '@pos/messaging';
import { createTestDatabase, createTestVhost, freePort } from '@pos/testkit';
import amqp from 'amqplib';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

import type { Infra } from '../bench-system.ts';
import { readProcess, round } from '../process-meter.ts';

/** One probe: how fast its target answered the calls a record needs, with `concurrency` in flight. */
export interface Probe {
  /** Requests (or messages, or rows) per second. */
  perSecond: number;
  /** Records per second where one call carries many (a list page, an outbox batch). */
  recordsPerSecond?: number;
  /** CPU the target used per second of the probe (1 = one core busy): near 1, the target itself bounds it. */
  targetCores?: number;
}

export interface CeilingResult {
  concurrency: number;
  seconds: number;
  /** Keyed by the route the pipeline calls (as the simulators count them), then broker and database. */
  primero: Record<string, Probe>;
  oscar: Record<string, Probe>;
  rabbitmq: { publishConfirmed: Probe; consume: Probe; messageBytes: number };
  postgres: { outboxBatch100: Probe; outboxSingle: Probe };
}

const root = new URL('../../../', import.meta.url).pathname;
const eventBytes = 1_500;

/**
 * The limits the pipeline runs against: each simulator alone in its own process (seeded with `records`),
 * hammered with the calls a record needs through the services' own clients (rate limits off); RabbitMQ's
 * confirmed publish and consume rate on a throwaway vhost (quorum queue, persistent messages, as the relay
 * and writers use it); and Postgres's outbox insert rate on a throwaway database (the pollers' table).
 */
export async function runCeiling(
  infra: Infra,
  options: {
    records: number;
    seed: number;
    seconds: number;
    concurrency: number;
    log: (line: string) => void;
  },
): Promise<CeilingResult> {
  const { concurrency } = options;
  const durationMs = options.seconds * 1000;
  const primeroSim = await startSim('primero');
  const oscarSim = await startSim('oscar');
  try {
    await control(primeroSim.url, '/_control/seed', {
      count: options.records,
      seed: options.seed,
      linked: false,
    });
    await control(oscarSim.url, '/_control/seed', {
      count: options.records,
      seed: options.seed,
      linked: false,
    });
    const primero = createPrimeroClient({
      baseUrl: primeroSim.url,
      user: 'primero-sync',
      password: 'primero-sync-password',
      auth: 'jwt',
      maxRequestsPerSecond: 1_000_000,
      maxConcurrency: concurrency,
      pageSize: 1000,
    });
    const oscar = createOscarClient({
      baseUrl: oscarSim.url,
      email: 'sync@oscar.test',
      password: 'oscar-sync-password',
      maxRequestsPerSecond: 1_000_000,
      maxConcurrency: concurrency,
    });
    const probe = (pid: number, call: () => Promise<number>) => hammer(pid, concurrency, durationMs, call);

    options.log('  Primero simulator');
    const { ids, referred, oscarNumbers } = await caseIds(primero);
    const fields = primeroCaseFields.join(',');
    const primeroProbes: Record<string, Probe> = {};
    primeroProbes['GET /api/v2/cases'] = await probe(primeroSim.pid, async () => {
      let cases = 0;
      for await (const page of primero.listCases({ last_updated_at: '2000-01-01T00:00:00Z..' }, { fields })) {
        cases += page.cases.length;
        break; // one page per call: the probe counts requests
      }
      return cases;
    });
    let n = 0;
    primeroProbes['GET /api/v2/cases?oscar_number'] = await probe(primeroSim.pid, async () => {
      await primero.findCases({ oscar_number: oscarNumbers[n++ % oscarNumbers.length] ?? 'none' });
      return 1;
    });
    primeroProbes['GET /api/v2/cases/:id/referrals'] = await probe(primeroSim.pid, async () => {
      await primero.listReferrals(referred[n++ % referred.length] ?? '');
      return 1;
    });
    primeroProbes['POST /api/v2/cases'] = await probe(primeroSim.pid, async () => {
      await primero.createCase(newCase(n++));
      return 1;
    });
    primeroProbes['PATCH /api/v2/cases/:id'] = await probe(primeroSim.pid, async () => {
      const i = n++;
      await primero.patchCase(ids[i % ids.length] ?? '', { oscar_short_id: `ceil-${i}` });
      return 1;
    });

    options.log('  OSCaR simulator');
    const today = new Date().toISOString().slice(0, 10);
    const globalIds = (await oscar.listClients()).map((client) => String(client.global_id));
    const oscarProbes: Record<string, Probe> = {};
    oscarProbes['GET /api/v1/organizations/clients'] = await probe(oscarSim.pid, async () => {
      return (await oscar.listClients()).length;
    });
    oscarProbes['GET /api/v1/organizations/clients?since_date=today'] = await probe(
      oscarSim.pid,
      async () => {
        return (await oscar.listClients({ sinceDate: today })).length;
      },
    );
    oscarProbes['POST /api/v1/organizations/clients/upsert'] = await probe(oscarSim.pid, async () => {
      await oscar.upsertClient(referral(n++));
      return 1;
    });
    oscarProbes['PUT /api/v1/organizations/clients/update_links'] = await probe(oscarSim.pid, async () => {
      const i = n++;
      await oscar.updateLinks([
        {
          global_id: globalIds[i % globalIds.length] ?? '',
          external_id: randomUUID(),
          external_id_display: String(i),
          is_referred: false,
        },
      ]);
      return 1;
    });
    for (const probes of [primeroProbes, oscarProbes]) {
      for (const entry of Object.values(probes))
        if (entry.recordsPerSecond === entry.perSecond) delete entry.recordsPerSecond;
    }

    options.log('  RabbitMQ');
    const rabbitmq = await brokerCeiling(infra, durationMs, concurrency);
    options.log('  Postgres');
    const postgres = await outboxCeiling(infra, durationMs);
    return {
      concurrency,
      seconds: options.seconds,
      primero: primeroProbes,
      oscar: oscarProbes,
      rabbitmq,
      postgres,
    };
  } finally {
    await Promise.all([primeroSim.stop(), oscarSim.stop()]);
  }
}

/**
 * Runs `call` with `concurrency` in flight for `durationMs`; `call` resolves with the records it carried.
 * The target's CPU is read from /proc before and after.
 */
async function hammer(
  pid: number,
  concurrency: number,
  durationMs: number,
  call: () => Promise<number>,
): Promise<Probe> {
  const cpuBefore = readProcess(pid)?.cpuSeconds ?? 0;
  const started = performance.now();
  const deadline = started + durationMs;
  let requests = 0;
  let records = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const carried = await call();
        records += carried;
        requests += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = (readProcess(pid)?.cpuSeconds ?? 0) - cpuBefore;
  return {
    perSecond: round(requests / seconds, 1),
    recordsPerSecond: round(records / seconds, 1),
    targetCores: round(cpu / seconds, 2),
  };
}

async function caseIds(
  primero: PrimeroClient,
): Promise<{ ids: string[]; referred: string[]; oscarNumbers: string[] }> {
  const ids: string[] = [];
  const referred: string[] = [];
  const oscarNumbers: string[] = [];
  for await (const page of primero.listCases(
    { last_updated_at: '2000-01-01T00:00:00Z..' },
    { fields: 'id,oscar_number,services_section' },
  )) {
    for (const record of page.cases) {
      const id = String(record.id);
      ids.push(id);
      if (typeof record.oscar_number === 'string' && record.oscar_number !== '')
        oscarNumbers.push(record.oscar_number);
      const services = Array.isArray(record.services_section) ? (record.services_section as unknown[]) : [];
      if (
        services.some(
          (row) => (row as { service_response_type?: unknown }).service_response_type === 'referral_to_oscar',
        )
      )
        referred.push(id);
    }
  }
  return {
    ids,
    referred: referred.length > 0 ? referred : ids,
    oscarNumbers: oscarNumbers.length > 0 ? oscarNumbers : ['none'],
  };
}

function newCase(i: number): Record<string, unknown> {
  return {
    module_id: 'primeromodule-cp',
    oscar_number: `01CEILING${String(i).padStart(17, '0')}`,
    name_first: `Ceiling${i}`,
    name_last: 'Case',
    sex: 'female',
    date_of_birth: '2014-03-01',
    location_current: '12010203',
    risk_level: 'medium',
    consent_for_services: true,
    disclosure_other_orgs: true,
    protection_status: 'oscar_referral',
    services_section: [
      {
        unique_id: randomUUID(),
        service_response_type: 'referral_from_oscar',
        service_type: 'counselling',
        referral_status_edf41f2: 'pending_310366',
        oscar_referring_organization: 'agency-cif',
      },
    ],
  };
}

function referral(i: number): Record<string, unknown> {
  return {
    external_id: randomUUID(),
    external_id_display: String(i),
    mosvy_number: '',
    given_name: 'Sreypov',
    family_name: 'Heng',
    gender: 'female',
    date_of_birth: '2016-01-01',
    location_current_village_code: '01070101',
    address_current_village_code: '01070101',
    reason_for_referral: 'Child needs counselling',
    level_of_risk: 'medium',
    external_case_worker_name: 'mgrpnh',
    external_case_worker_id: '',
    external_case_worker_mobile: '000000000',
    is_referred: true,
    organization_name: 'cif',
    organization_id: 'agency-unicef',
    services: [{ uuid: randomUUID(), name: 'Generalist counselling' }],
  };
}

/** A simulator alone in its own process (its main.ts), on a free port. */
async function startSim(
  which: 'primero' | 'oscar',
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [`${root}sims/${which}/src/main.ts`], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // However the bench ends, the simulator does not outlive it.
  const kill = () => child.kill('SIGTERM');
  process.once('exit', kill);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/_control/stats`, {
        headers: { 'x-control-token': 'sim-control' },
      });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the ${which} simulator did not start`);
    await sleep(100);
  }
  return {
    url,
    pid: child.pid ?? 0,
    stop: async () => {
      process.off('exit', kill);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function control(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(new URL(path, base), {
    method: 'POST',
    headers: { 'x-control-token': 'sim-control', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  await response.body?.cancel();
}

/** Confirmed persistent publishes to a quorum queue (batches of `window`, as the relay does), then consuming them. */
async function brokerCeiling(
  infra: Infra,
  durationMs: number,
  window: number,
): Promise<CeilingResult['rabbitmq']> {
  const vhost = await createTestVhost(infra.amqpUrl, infra.amqpManagementUrl, 'bench_ceiling');
  const connection = await amqp.connect(vhost.url);
  try {
    const channel = await connection.createConfirmChannel();
    await channel.assertExchange('ceiling', 'topic', { durable: true });
    await channel.assertQueue('ceiling', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.bindQueue('ceiling', 'ceiling', '#');
    const body = Buffer.from(JSON.stringify({ type: 'CaseChanged', data: 'x'.repeat(eventBytes - 40) }));
    const batch = Math.max(window, 50);
    let published = 0;
    let started = performance.now();
    while (performance.now() - started < durationMs) {
      for (let i = 0; i < batch; i += 1) {
        channel.publish('ceiling', `primero.case.changed.${i % 4}`, body, {
          persistent: true,
          messageId: randomUUID(),
        });
      }
      await channel.waitForConfirms();
      published += batch;
    }
    const publishSeconds = (performance.now() - started) / 1000;

    const consumer = await connection.createChannel();
    await consumer.prefetch(20);
    let consumed = 0;
    started = performance.now();
    await new Promise<void>((resolve) => {
      void consumer.consume('ceiling', (message) => {
        if (message === null) return;
        consumer.ack(message);
        consumed += 1;
        if (consumed >= published) resolve();
      });
    });
    const consumeSeconds = (performance.now() - started) / 1000;
    await consumer.close();
    await channel.close();
    return {
      publishConfirmed: { perSecond: round(published / publishSeconds, 1) },
      consume: { perSecond: round(consumed / consumeSeconds, 1) },
      messageBytes: body.length,
    };
  } finally {
    await connection.close();
    await vhost.delete();
  }
}

/** Outbox inserts in the pollers' own table (their migration), one transaction per batch with its notify. */
async function outboxCeiling(infra: Infra, durationMs: number): Promise<CeilingResult['postgres']> {
  const database = await createTestDatabase(infra.databaseUrl, 'bench_ceiling');
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateSchema(db, 'ceiling', outboxMigrations());
    const payload = JSON.stringify({ type: 'CaseChanged', data: 'x'.repeat(eventBytes - 40) });
    const insertFor = async (rows: number): Promise<Probe> => {
      const client = await pool.connect();
      try {
        let inserted = 0;
        let transactions = 0;
        const started = performance.now();
        while (performance.now() - started < durationMs / 2) {
          const values: string[] = [];
          const params: string[] = [];
          for (let i = 0; i < rows; i += 1) {
            const at = params.length;
            values.push(`($${at + 1}, 'primero.case.changed', $${at + 2}, $${at + 3}, '{}')`);
            params.push(randomUUID(), randomUUID(), payload);
          }
          await client.query('begin');
          await client.query(
            `insert into ceiling.outbox (event_id, route, subject, payload, headers) values ${values.join(',')}`,
            params,
          );
          await client.query(`select pg_notify('ceiling_outbox', '')`);
          await client.query('commit');
          inserted += rows;
          transactions += 1;
        }
        const seconds = (performance.now() - started) / 1000;
        return {
          perSecond: round(transactions / seconds, 1),
          recordsPerSecond: round(inserted / seconds, 1),
        };
      } finally {
        client.release();
      }
    };
    return { outboxBatch100: await insertFor(100), outboxSingle: await insertFor(1) };
  } finally {
    await db.destroy();
    await database.drop();
  }
}
