import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** A free TCP port on 127.0.0.1 (the OS picks it; tiny race if someone else takes it first). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Every stdout/stderr line so far (the services log JSON lines). */
  output: string[];
  /** Parsed JSON log lines. */
  logs: () => Array<Record<string, unknown>>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  signal: (signal: NodeJS.Signals) => void;
  /** SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  stop: (timeoutMs?: number) => Promise<number | null>;
}

/**
 * Starts a service's `main.ts` as its own process with the pinned Node.js (the one running the tests) and
 * waits until `GET /health/ready` answers 200 — or, with `until: 'live'`, until `GET /health/live` does (a
 * service still waiting for its servers).
 */
export async function startServiceProcess(options: {
  entry: string;
  env: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
  until?: 'ready' | 'live';
}): Promise<ServiceProcess> {
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [options.entry], {
    env: { PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  // Whole lines only: a chunk may end in the middle of a JSON log line.
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => line && output.push(line));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    child,
    baseUrl,
    output,
    logs: () =>
      output.flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    signal: (signal) => child.kill(signal),
    stop: async (timeoutMs = 15_000) => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`${options.entry} exited with ${exitCode} before it was ready:\n${output.join('\n')}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health/${options.until ?? 'ready'}`, {
        headers: { connection: 'close' },
      });
      await response.body?.cancel();
      if (response.status === 200) return service;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await service.stop(2_000);
  throw new Error(`${options.entry} was not ready within the timeout:\n${output.join('\n')}`);
}
