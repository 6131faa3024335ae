import { round } from '../process-meter.ts';

/** What the hourly OpenFn job costs, computed from how it works (it cannot be run here). */
export interface LegacyCost {
  assumptions: {
    runsPerDay: number;
    /** The job reads one page: anything past it is never read. */
    pageSize: number;
    /** Round trip of one Primero request on a real server, for run times (the simulator's is a few ms). */
    primeroRequestMs: number;
    /** Share of Primero cases with a referred service, and of OSCaR clients listed (as the seeds make them). */
    referredShare: number;
  };
  /** Nothing changes all day. */
  quietDay: { primero: number; oscar: number };
  /** `records` Primero cases and `records` OSCaR clients change over one day, spread over its runs. */
  busyDay: { primero: number; oscar: number; referralFetches: number };
  /** One run over `records` changed cases (a backfill). */
  backfillRun: { primero: number; oscar: number; primeroPerCase: number; minutes: number };
  /** A change made just after a run read Primero waits for the next run, then for that run to reach it. */
  worstCaseLatencyMinutes: { quietDay: number; backfill: number };
}

/**
 * The legacy job's requests, from its description: every hour f1-j1 logs in and sends the same
 * `GET /api/v2/cases?last_updated_at=<cursor>..&per=10000` three times, each followed by one
 * `GET /cases/:id/referrals` per returned case (N+1, sequential); f1-j2 signs in to OSCaR and upserts one
 * referral per referred service; f0-j1 and f2-j1 each sign in and list OSCaR's clients; f2-j2/f2-j3 log in
 * to Primero, upsert each listed client (a lookup and a write) and list the pending cases once more.
 */
export function legacyCost(options: { records: number; primeroRequestMs?: number }): LegacyCost {
  const runsPerDay = 24;
  const pageSize = 10_000;
  const primeroRequestMs = options.primeroRequestMs ?? 250;
  const referredShare = 0.36;

  const run = (changedCases: number, listedClients: number) => {
    const read = Math.min(changedCases, pageSize);
    const primero =
      4 + // logins: f0-j2, f1-j1, f2-j2, f2-j3
      3 * (1 + read) + // f1-j1: the same page three times, each with N referral fetches
      2 * listedClients + // f2-j3: upsertCase = lookup + POST/PATCH per OSCaR client
      1; // f2-j3: the pending-referral list
    const oscar =
      2 + // f0-j1: sign in, list
      1 + // f1-j2: sign in
      Math.round(read * referredShare) + // f1-j2: one upsert per referred service
      (read > 0 ? 3 : 0) + // f1-j2: update_statuses, sign in again, update_links
      2; // f2-j1: sign in, list
    return { primero, oscar, referralFetches: 3 * read };
  };

  const quiet = run(0, 0);
  const perRun = run(options.records / runsPerDay, options.records / runsPerDay);
  const backfill = run(options.records, options.records);
  // f1-j1 reads everything (3 lists + 3N referral fetches, sequential) before f1-j2 sends the first referral.
  const minutes = (requests: number) => (requests * primeroRequestMs) / 60_000;
  const backfillMinutes = minutes(backfill.primero);
  return {
    assumptions: { runsPerDay, pageSize, primeroRequestMs, referredShare },
    quietDay: { primero: quiet.primero * runsPerDay, oscar: quiet.oscar * runsPerDay },
    busyDay: {
      primero: Math.round(perRun.primero * runsPerDay),
      oscar: Math.round(perRun.oscar * runsPerDay),
      referralFetches: Math.round(perRun.referralFetches * runsPerDay),
    },
    backfillRun: {
      primero: backfill.primero,
      oscar: backfill.oscar,
      primeroPerCase: round(backfill.primero / options.records, 2),
      minutes: round(backfillMinutes, 1),
    },
    worstCaseLatencyMinutes: {
      quietDay: round(60 + minutes(run(1, 1).primero), 1),
      backfill: round(60 + backfillMinutes, 1),
    },
  };
}
