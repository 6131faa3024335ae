import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { round } from './process-meter.ts';

export interface ServiceProfile {
  /** Time sampled busy (idle left out), ms: wall time, so it includes time the process waited for a core. */
  totalMs: number;
  /** Functions by self time. */
  hottest: HotFunction[];
  /** Self time by package (`kysely`, `pg`, `@opentelemetry/…`, `packages/mapping`, `node:internal/…`, `(native)`). */
  packages: HotFunction[];
}

export interface HotFunction {
  /** `functionName (file:line)`, the file relative to the repository or to node_modules. */
  name: string;
  selfMs: number;
  /** Share of the samples that were not idle. */
  share: number;
  /** Native and Node.js-internal functions: the package code that called them most (`pg/lib/query.js:152 submit`). */
  calledFrom?: string;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Reads the `.cpuprofile` that `node --cpu-prof` wrote for `pid` in `dir` and sums self time by function:
 * the hottest first, idle time left out (GC and `(program)` are kept: they are work too).
 */
export function hottestFunctions(dir: string, pid: number, count = 8): ServiceProfile | undefined {
  const file = readdirSync(dir).find((name) => name.includes(`.${pid}.`) && name.endsWith('.cpuprofile'));
  if (file === undefined) return undefined;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfUs = new Map<string, number>();
  const packageUs = new Map<string, number>();
  /** Per function name: time by its nearest caller outside Node.js itself. */
  const callersUs = new Map<string, Map<string, number>>();
  let busyUs = 0;
  profile.samples.forEach((id, index) => {
    const frame = byId.get(id)?.callFrame;
    const delta = profile.timeDeltas[index] ?? 0;
    if (frame === undefined || frame.functionName === '(idle)') return;
    busyUs += delta;
    const name = `${frame.functionName || '(anonymous)'} (${shortUrl(frame.url)}:${frame.lineNumber + 1})`;
    selfUs.set(name, (selfUs.get(name) ?? 0) + delta);
    if (frame.url === '' || frame.url.startsWith('node:')) {
      let caller = parentOf.get(id);
      while (caller !== undefined) {
        const url = byId.get(caller)?.callFrame.url ?? '';
        if (url !== '' && !url.startsWith('node:')) break;
        caller = parentOf.get(caller);
      }
      const callerFrame = caller === undefined ? undefined : byId.get(caller)?.callFrame;
      if (callerFrame !== undefined) {
        const label = `${shortUrl(callerFrame.url)}:${callerFrame.lineNumber + 1} ${callerFrame.functionName || '(anonymous)'}`;
        const callers = callersUs.get(name) ?? new Map<string, number>();
        callers.set(label, (callers.get(label) ?? 0) + delta);
        callersUs.set(name, callers);
      }
    }
    const owner = packageOf(frame.url, frame.functionName);
    packageUs.set(owner, (packageUs.get(owner) ?? 0) + delta);
  });
  const top = (totals: Map<string, number>) =>
    [...totals]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]): HotFunction => {
        const callers = [...(callersUs.get(name) ?? [])].sort((a, b) => b[1] - a[1]);
        const top = callers[0];
        return {
          name,
          selfMs: round(us / 1000),
          share: round(us / Math.max(1, busyUs), 3),
          ...(top === undefined ? {} : { calledFrom: `${top[0]} (${Math.round((top[1] / us) * 100)} %)` }),
        };
      });
  return { totalMs: round(busyUs / 1000), hottest: top(selfUs), packages: top(packageUs) };
}

/** The package a frame belongs to: an npm package, a workspace package, a Node.js internal area, or native. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const workspace = /\/(packages|services|sims)\/([^/]+)\//.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url;
}

function shortUrl(url: string): string {
  if (url === '') return 'native';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0)
    return url.slice(modules + '/node_modules/'.length).replace(/^\.pnpm\/[^/]+\/node_modules\//, '');
  const repo = url.search(/\/(packages|services|sims)\//);
  return repo >= 0 ? url.slice(repo + 1) : url.replace(/^file:\/\//, '');
}
