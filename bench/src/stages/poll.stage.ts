import { setTimeout as sleep } from 'node:timers/promises';

import type { ServiceName } from '@pos/e2e';

import { type BenchSystem, metric, simStats } from '../bench-system.ts';
import { round } from '../process-meter.ts';
import { type Traffic, trafficSince } from '../traffic-meter.ts';

export interface PollFigures {
  polls: number;
  /** Upstream requests per poll, by route (every request the system got in the window, writers' too). */
  requestsPerPoll: Record<string, number>;
  /** Records the poller read per poll (`sync_poll_records_read_total`). */
  recordsPerPoll: number;
  /** Events written to the outbox per poll: 0 when nothing changed. */
  emittedPerPoll: number;
  /** Response bytes per poll. */
  bytesPerPoll: number;
  /** Mean time the poller took per poll, ms (`sync_poll_duration_seconds`). */
  pollMs: number;
  /** Mean time the simulator took to answer the list, ms. */
  listMs: number;
}

export interface PollResult {
  /** Right after the backfill, while every case is still inside the primero-poller's cursor overlap. */
  inOverlap: { primero: PollFigures; oscar: PollFigures };
  /** Once the overlap has passed: the cost of a quiet day. */
  primero: PollFigures;
  oscar: PollFigures;
  /** OSCaR's list when every client was changed today (no paging: all of them on every poll). */
  oscarAllChangedToday: PollFigures & {
    clients: number;
    /** The same list for 10,000 clients, in bytes (scaled by bytes per client when fewer are stored). */
    bytesFor10k: number;
    /** Per poll interval: transfer per day and share of the time the poller spends polling. */
    byInterval: Array<{ intervalS: number; gbPerDay: number; pollerBusyShare: number }>;
    /** The shortest interval of those at which polling takes at most 5 % of the time. */
    reasonableIntervalS: number;
  };
}

const listRoutes = { primero: 'GET /api/v2/cases', oscar: 'GET /api/v1/organizations/clients' } as const;

/**
 * Poll cost in steady state: over `polls` polls of each poller with nothing changing, requests, records and
 * bytes per poll, from the simulators' stats and the pollers' metrics. Then every OSCaR client is marked
 * changed today (in the simulator's state, as NGO workers editing them would) and the OSCaR list is
 * measured again: OSCaR has no paging and returns every shared client changed since midnight.
 */
export async function runPollCost(
  bench: BenchSystem,
  options: {
    polls: number;
    pollIntervalMs: number;
    /** When the backfill last wrote, and the cursor overlap (CURSOR_OVERLAP_MS, 60 s by default). */
    lastWriteAt: number;
    overlapMs: number;
    log: (line: string) => void;
  },
): Promise<PollResult> {
  const inOverlap = {
    primero: await measure(bench, 'primero', options.polls, options.pollIntervalMs),
    oscar: await measure(bench, 'oscar', options.polls, options.pollIntervalMs),
  };
  const wait = options.lastWriteAt + options.overlapMs + 2 * options.pollIntervalMs - Date.now();
  if (wait > 0) {
    options.log(`  waiting ${Math.round(wait / 1000)} s for the cursor overlap to pass`);
    await sleep(wait);
  }
  const primero = await measure(bench, 'primero', options.polls, options.pollIntervalMs);
  const oscar = await measure(bench, 'oscar', options.polls, options.pollIntervalMs);

  const now = new Date();
  let clients = 0;
  for (const tenant of bench.system.oscarStore.tenants.values()) {
    for (const client of tenant.clients.values()) {
      client.updatedAt = now;
      clients += 1;
    }
  }
  options.log(`  every one of the ${clients} OSCaR clients changed today: measuring OSCaR's list again`);
  // The first poll after the change reads them all: only what follows is the steady cost.
  await measure(bench, 'oscar', 1, options.pollIntervalMs);
  const changed = await measure(bench, 'oscar', Math.min(5, options.polls), options.pollIntervalMs);
  const perClient = changed.bytesPerPoll / Math.max(1, changed.recordsPerPoll);
  const bytesFor10k = Math.round(clients >= 10_000 ? changed.bytesPerPoll : perClient * 10_000);
  const pollMsFor10k = clients >= 10_000 ? changed.pollMs : (changed.pollMs / Math.max(1, clients)) * 10_000;
  const byInterval = [1, 5, 10, 30, 60, 300, 900].map((intervalS) => ({
    intervalS,
    gbPerDay: round((bytesFor10k * (86_400 / intervalS)) / 1e9, 2),
    pollerBusyShare: round(pollMsFor10k / (intervalS * 1000), 3),
  }));
  return {
    inOverlap,
    primero,
    oscar,
    oscarAllChangedToday: {
      ...changed,
      clients,
      bytesFor10k,
      byInterval,
      reasonableIntervalS: byInterval.find((row) => row.pollerBusyShare <= 0.05)?.intervalS ?? 900,
    },
  };
}

async function measure(
  bench: BenchSystem,
  system: 'primero' | 'oscar',
  polls: number,
  pollIntervalMs: number,
): Promise<PollFigures> {
  const poller: ServiceName = system === 'primero' ? 'primero-poller' : 'oscar-poller';
  const baseUrl = bench.system.service(poller).baseUrl;
  const meter = system === 'primero' ? bench.primeroTraffic : bench.oscarTraffic;
  const read = async () => ({
    polls: await metric(baseUrl, 'sync_poll_duration_seconds_count', { outcome: 'success' }),
    seconds: await metric(baseUrl, 'sync_poll_duration_seconds_sum', { outcome: 'success' }),
    records: await metric(baseUrl, 'sync_poll_records_read_total'),
    emitted: await metric(baseUrl, 'sync_poll_records_emitted_total'),
    requests: (await simStats(bench.system))[system].requests,
    traffic: meter.snapshot(),
  });
  // Start on a poll boundary, so the window holds whole polls.
  const start = await untilPolls(read, (await read()).polls + 1, polls * pollIntervalMs * 10);
  const end = await untilPolls(read, start.polls + polls, polls * pollIntervalMs * 10 + 60_000);
  const n = end.polls - start.polls;
  if (n <= 0 || end.records < start.records) {
    throw new Error(`the ${poller} restarted while its polls were counted: run the poll stage again`);
  }
  const traffic: Traffic = trafficSince(start.traffic, end.traffic);
  const requestsPerPoll = Object.fromEntries(
    Object.entries(end.requests)
      .map(([route, count]) => [route, round((count - (start.requests[route] ?? 0)) / n, 2)] as const)
      .filter(([, perPoll]) => perPoll > 0),
  );
  const list = traffic[listRoutes[system]];
  return {
    polls: n,
    requestsPerPoll,
    recordsPerPoll: round((end.records - start.records) / n, 1),
    emittedPerPoll: round((end.emitted - start.emitted) / n, 2),
    bytesPerPoll: Math.round(Object.values(traffic).reduce((sum, entry) => sum + entry.bytes, 0) / n),
    pollMs: round(((end.seconds - start.seconds) * 1000) / n, 1),
    listMs: list === undefined ? 0 : round(list.ms / list.requests, 1),
  };
}

async function untilPolls<T extends { polls: number }>(
  read: () => Promise<T>,
  polls: number,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reading = await read();
    if (reading.polls >= polls) return reading;
    if (Date.now() > deadline) throw new Error(`the poller made no ${polls}th poll in ${timeoutMs} ms`);
    await sleep(100);
  }
}
