import type { Logger } from './logger.ts';

/** One step of an orderly stop: mark not ready, stop consuming, drain, close connections, flush telemetry. */
export interface ShutdownStage {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  stages: readonly ShutdownStage[];
  /** The first signal's time to finish every stage before the process is forced out. */
  timeoutMs: number;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
  process?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export interface Shutdown {
  /** Starts the orderly stop, as the first signal would. Resolves with the exit code. */
  begin: (reason: string) => Promise<number>;
  dispose: () => void;
}

/**
 * Two-stage shutdown (graphile-worker style). The first SIGTERM/SIGINT runs the stages in order and exits
 * 0 when all succeed; a failing stage is logged and the rest still run (exit 1). A second signal, or the
 * timeout, forces exit 1 at once.
 */
export function installShutdown(options: ShutdownOptions): Shutdown {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.process ?? process;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  let running: Promise<number> | undefined;

  const begin = (reason: string): Promise<number> => {
    if (running) return running;
    running = (async () => {
      options.logger.info({ reason }, 'shutdown: started');
      const timer = setTimeout(() => {
        options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown: timed out, forcing exit');
        exit(1);
      }, options.timeoutMs);
      timer.unref();
      let code = 0;
      for (const stage of options.stages) {
        try {
          await stage.run();
          options.logger.info({ stage: stage.name }, 'shutdown: stage done');
        } catch (error) {
          code = 1;
          options.logger.error({ stage: stage.name, err: error }, 'shutdown: stage failed');
        }
      }
      clearTimeout(timer);
      options.logger.info({ code }, 'shutdown: complete');
      exit(code);
      return code;
    })();
    return running;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (running) {
      options.logger.warn({ signal }, 'shutdown: second signal, forcing exit');
      exit(1);
      return;
    }
    void begin(signal);
  };
  for (const signal of signals) target.on(signal, onSignal);

  return {
    begin,
    dispose: () => {
      for (const signal of signals) target.off(signal, onSignal);
    },
  };
}
