import type { Logger } from './logger.ts';

/** One step of an orderly stop: mark not ready, stop consuming, drain, close connections, flush telemetry. */
export interface ShutdownStage {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  logger: Logger;
  /**
   * The stages, or a function that gives them when the shutdown runs (after start-up has settled), for a
   * service whose parts exist only once its servers answered.
   */
  stages: readonly ShutdownStage[] | (() => readonly ShutdownStage[]);
  /** The first signal's time to finish every stage before the process is forced out. */
  timeoutMs: number;
  exit?: (code: number) => void;
  signals?: readonly NodeJS.Signals[];
  process?: Pick<NodeJS.Process, 'on' | 'off'>;
}

export interface Shutdown {
  /** Starts the orderly stop, as the first signal would. Resolves with the exit code. */
  begin: (reason: string) => Promise<number>;
  /** Aborted when the stop begins: start-up waits listen to it. */
  signal: AbortSignal;
  /**
   * Marks `work` as start-up (waiting for the servers, migrating, starting to consume) so that a signal in
   * the middle of it is safe: the stop waits for `work` to settle before it runs the stages, and when `work`
   * fails because the stop aborted it, the returned promise never settles — the stop under way ends the
   * process — so the code after it never runs half-started. Other failures are passed on.
   *
   * @example const infra = await shutdown.starting(openInfrastructure({ ...options, signal: shutdown.signal }));
   */
  starting: <T>(work: Promise<T>) => Promise<T>;
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
  const controller = new AbortController();
  let running: Promise<number> | undefined;
  let startup: Promise<void> | undefined;

  const begin = (reason: string): Promise<number> => {
    if (running) return running;
    running = (async () => {
      options.logger.info({ reason }, 'shutdown: started');
      const timer = setTimeout(() => {
        options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown: timed out, forcing exit');
        exit(1);
      }, options.timeoutMs);
      timer.unref();
      controller.abort(new Error(`shutting down (${reason})`));
      if (startup) {
        await startup;
        // Let the code that awaited the start-up run on first, so the stages see what it started.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const stages = typeof options.stages === 'function' ? options.stages() : options.stages;
      let code = 0;
      for (const stage of stages) {
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

  const starting = <T>(work: Promise<T>): Promise<T> => {
    startup = work.then(
      () => undefined,
      () => undefined,
    );
    return work.catch((error: unknown) => {
      if (controller.signal.aborted) return new Promise<never>(() => {});
      throw error;
    });
  };

  return {
    begin,
    signal: controller.signal,
    starting,
    dispose: () => {
      for (const signal of signals) target.off(signal, onSignal);
    },
  };
}
