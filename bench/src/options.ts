import { parseArgs } from 'node:util';

import { serviceProcessEnv } from '@pos/runtime/process-env';

/** The services' NODE_OPTIONS in the image (Dockerfile), which the bench runs them with unless told otherwise. */
export const serviceNodeOptions = serviceProcessEnv.NODE_OPTIONS;

export const stageNames = ['backfill', 'ceiling', 'live', 'poll', 'webhooks', 'legacy'] as const;
export type StageName = (typeof stageNames)[number];

export const limitModes = ['default', 'lifted'] as const;
/** `default`: the services' own rate limits (what a deployment sees); `lifted`: what the pipeline can do. */
export type LimitMode = (typeof limitModes)[number];

export interface BenchOptions {
  /** Primero cases and OSCaR clients seeded for the backfill (N + N). */
  records: number;
  stages: readonly StageName[];
  limits: readonly LimitMode[];
  seed: number;
  /** POLL_INTERVAL_MS of both pollers in the backfill, live and poll stages. */
  pollIntervalMs: number;
  /** CURSOR_OVERLAP_MS of the primero-poller; the poll stage waits it out before the quiet-day figures. */
  cursorOverlapMs: number;
  /** NODE_OPTIONS for the services (V8 heap flags; by default the image's), added to `--cpu-prof`'s. */
  nodeOptions: string;
  /** Changes per direction in the live stage, and their rate per second per direction. */
  liveChanges: number;
  liveRate: number;
  /** Polls per poller the poll stage counts over. */
  polls: number;
  /** How long each ceiling probe hammers, and with how many requests in flight. */
  ceilingSeconds: number;
  ceilingConcurrency: number;
  /** PRIMERO_MAX_RPS of the services in the webhooks stage (the notices of a worker poll come as a burst). */
  webhookPrimeroRps: number;
  /** Runs the services of the lifted backfill under `node --cpu-prof` and names their hottest functions. */
  cpuProf: boolean;
  /** Folder for `<date>.json` (and `profiles/`). */
  out: string;
  /** Longest wait for a backfill to be synced. */
  timeoutS: number;
}

export const usage = `pnpm bench [options]

  --records N              Primero cases and OSCaR clients to backfill (N + N)        default 10000
  --stages a,b             any of ${stageNames.join(',')}                  default all
  --limits a,b             backfill runs: default (20 / 10 req/s), lifted (1000 req/s, 8 in flight)
                                                                                        default both
  --seed N                 seed of both simulators                                    default 42
  --poll-interval-ms N     POLL_INTERVAL_MS of both pollers                           default 1000
  --cursor-overlap-ms N    CURSOR_OVERLAP_MS of the primero-poller                    default 60000
  --node-options="…"       NODE_OPTIONS of the services                               default the image's:
                           ${serviceNodeOptions}
  --live-changes N         live changes per direction                                 default 200
  --live-rate R            live changes per second per direction                      default 2.5
  --polls N                polls per poller counted by the poll stage                 default 20
  --ceiling-seconds S      duration of each ceiling probe                             default 5
  --ceiling-concurrency N  requests in flight per ceiling probe                       default 8
  --webhook-primero-rps N  PRIMERO_MAX_RPS in the webhooks stage (nginx allows 50)      default 20
  --cpu-prof               profile the services of the lifted backfill (node --cpu-prof)
  --out DIR                where <date>.json and profiles/ go                         default bench/results
  --timeout-s S            longest wait for one backfill                              default 300 + records × 0.3
  --help                   this text`;

/**
 * Parses the command line; every problem is reported at once, each with the fix.
 *
 * @example
 * const parsed = parseOptions(['--records', '500', '--stages', 'backfill,poll'], '/repo/bench/results');
 * if (!parsed.ok) console.error(parsed.problems.join('\n'));
 */
export function parseOptions(
  argv: readonly string[],
  defaultOut: string,
): { ok: true; options: BenchOptions } | { ok: false; problems: string[] } | { ok: 'help' } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        records: { type: 'string' },
        stages: { type: 'string' },
        limits: { type: 'string' },
        seed: { type: 'string' },
        'poll-interval-ms': { type: 'string' },
        'cursor-overlap-ms': { type: 'string' },
        'node-options': { type: 'string' },
        'live-changes': { type: 'string' },
        'live-rate': { type: 'string' },
        polls: { type: 'string' },
        'ceiling-seconds': { type: 'string' },
        'ceiling-concurrency': { type: 'string' },
        'webhook-primero-rps': { type: 'string' },
        'cpu-prof': { type: 'boolean' },
        out: { type: 'string' },
        'timeout-s': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    return { ok: false, problems: [`${error instanceof Error ? error.message : String(error)}\n\n${usage}`] };
  }
  if (values.help === true) return { ok: 'help' };
  const problems: string[] = [];
  const number = (key: string, fallback: number, check: (n: number) => boolean, rule: string): number => {
    const raw = values[key];
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(parsed) || !check(parsed)) {
      problems.push(`--${key} ${String(raw)}: must be ${rule} (e.g. --${key} ${fallback})`);
      return fallback;
    }
    return parsed;
  };
  const whole = (n: number) => Number.isInteger(n) && n > 0;
  const list = <T extends string>(key: string, allowed: readonly T[]): T[] => {
    const raw = values[key];
    if (typeof raw !== 'string') return [...allowed];
    const items = raw
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
    if (unknown.length > 0 || items.length === 0) {
      problems.push(`--${key} ${raw}: give a comma list of ${allowed.join(', ')}`);
      return [...allowed];
    }
    return allowed.filter((item) => items.includes(item));
  };

  const records = number('records', 10_000, whole, 'a whole number above 0');
  const options: BenchOptions = {
    records,
    stages: list('stages', stageNames),
    limits: list('limits', limitModes),
    seed: number('seed', 42, Number.isInteger, 'a whole number'),
    pollIntervalMs: number('poll-interval-ms', 1000, whole, 'a whole number of milliseconds above 0'),
    cursorOverlapMs: number(
      'cursor-overlap-ms',
      60_000,
      (n) => Number.isInteger(n) && n >= 0,
      'a whole number of milliseconds',
    ),
    // The image's NODE_OPTIONS (Dockerfile): V8's heap sized for a service, not for the machine.
    nodeOptions: typeof values['node-options'] === 'string' ? values['node-options'] : serviceNodeOptions,
    liveChanges: number('live-changes', 200, whole, 'a whole number above 0'),
    liveRate: number('live-rate', 2.5, (n) => n > 0 && n <= 50, 'a rate from above 0 to 50 per second'),
    polls: number('polls', 20, whole, 'a whole number above 0'),
    ceilingSeconds: number('ceiling-seconds', 5, (n) => n > 0 && n <= 120, 'seconds from above 0 to 120'),
    ceilingConcurrency: number('ceiling-concurrency', 8, whole, 'a whole number above 0'),
    webhookPrimeroRps: number('webhook-primero-rps', 20, whole, 'a whole number above 0'),
    cpuProf: values['cpu-prof'] === true,
    out: typeof values.out === 'string' ? values.out : defaultOut,
    timeoutS: number('timeout-s', 300 + Math.ceil(records * 0.3), whole, 'a whole number of seconds above 0'),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options };
}
