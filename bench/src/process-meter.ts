import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`, 100 on Linux almost always). */
const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcessReading {
  /** Resident set now (`VmRSS`). */
  rssBytes: number;
  /** Peak resident set since the process started (`VmHWM`). */
  peakRssBytes: number;
  /** User + system CPU time since the process started (`utime + stime`). */
  cpuSeconds: number;
}

/** One reading of a Linux process from `/proc`; undefined once it has exited. */
export function readProcess(pid: number): ProcessReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime (14th field), stime (15th)
    return { rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM'), cpuSeconds: ticks / clockTicks };
  } catch {
    return undefined;
  }
}

export interface ProcessFigures {
  /** Resident set when the meter started (a service started and idle, before the stage's work). */
  startRssMb: number;
  /** Peak resident set in MB: the larger of `VmHWM` and the largest sampled `VmRSS`. */
  peakRssMb: number;
  /** CPU seconds spent between `start` and `stop`. */
  cpuSeconds: number;
}

export interface ProcessMeter {
  /** The figures of every process since the meter started; stops sampling. */
  stop: () => Record<string, ProcessFigures>;
}

/**
 * Samples `VmRSS` of the named processes every `intervalMs` and reads their CPU time at start and stop,
 * so a stage reports each service's peak memory and the CPU it used during the stage. `pids` is asked
 * again at every sample: a service started again has a new process, whose CPU counts from its start.
 */
export function startProcessMeter(pids: () => ReadonlyMap<string, number>, intervalMs = 500): ProcessMeter {
  const initial = new Set(pids().values());
  /** Per name, per process: the first and last readings. */
  const seen = new Map<string, Map<number, { first: ProcessReading; last: ProcessReading }>>();
  const startRss = new Map<string, number>();
  const peak = new Map<string, number>();
  const sample = () => {
    for (const [name, pid] of pids()) {
      const reading = readProcess(pid);
      if (reading === undefined) continue;
      const processes = seen.get(name) ?? new Map<number, { first: ProcessReading; last: ProcessReading }>();
      seen.set(name, processes);
      const known = processes.get(pid);
      // A process born during the stage counts its CPU from its start.
      const first = known?.first ?? (initial.has(pid) ? reading : { ...reading, cpuSeconds: 0 });
      processes.set(pid, { first, last: reading });
      if (!startRss.has(name)) startRss.set(name, reading.rssBytes);
      peak.set(name, Math.max(peak.get(name) ?? 0, reading.rssBytes, reading.peakRssBytes));
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        [...seen].map(([name, processes]) => [
          name,
          {
            startRssMb: round((startRss.get(name) ?? 0) / 2 ** 20, 1),
            peakRssMb: round((peak.get(name) ?? 0) / 2 ** 20, 1),
            cpuSeconds: round(
              [...processes.values()].reduce(
                (sum, { first, last }) => sum + last.cpuSeconds - first.cpuSeconds,
                0,
              ),
              2,
            ),
          },
        ]),
      );
    },
  };
}

export interface SelfFigures {
  /** CPU seconds of this process (both simulators and the bench itself) during the stage. */
  cpuSeconds: number;
  /** Share of the wall time this process's event loop was busy: near 1, the simulators were the bound. */
  eventLoopUtilization: number;
}

/** The bench process's own CPU and event-loop load (the simulators run in it). */
export function startSelfMeter(): { stop: () => SelfFigures } {
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  return {
    stop: () => {
      const used = process.cpuUsage(cpu);
      return {
        cpuSeconds: round((used.user + used.system) / 1e6, 2),
        eventLoopUtilization: round(performance.eventLoopUtilization(loop).utilization, 3),
      };
    },
  };
}

export function round(value: number, digits = 0): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Share of all cores busy (from `/proc/stat`) between the call and `stop()`. */
export function machineCpu(): { stop: () => number } {
  const read = () => {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((sum, n) => sum + n, 0); // up to steal; guest is inside user
    return { idle, total };
  };
  const first = read();
  return {
    stop: () => {
      const last = read();
      const total = last.total - first.total;
      return total <= 0 ? 0 : Math.round((1 - (last.idle - first.idle) / total) * 1000) / 1000;
    },
  };
}

/** Process ids whose command name (`/proc/<pid>/comm`) is `name`, e.g. `beam.smp` for RabbitMQ. */
export function pidsNamed(name: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * CPU seconds a set of processes used between the call and `stop(pidsNow)`: a process that appeared since
 * counts whole, one that is gone counts nothing.
 */
export function cpuOf(pidsAtStart: readonly number[]): { stop: (pidsNow: readonly number[]) => number } {
  const first = new Map(pidsAtStart.map((pid) => [pid, readProcess(pid)?.cpuSeconds ?? 0]));
  return {
    stop: (pidsNow) => {
      let used = 0;
      for (const pid of pidsNow) used += (readProcess(pid)?.cpuSeconds ?? 0) - (first.get(pid) ?? 0);
      return round(used, 2);
    },
  };
}
