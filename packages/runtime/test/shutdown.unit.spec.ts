import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createLogger, installShutdown, type ShutdownStage } from '../src/index.ts';

function harness(stages: ShutdownStage[] | (() => ShutdownStage[]), timeoutMs = 1_000) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ service: 'test', level: 'info', destination });
  const signals = new EventEmitter();
  const exits: number[] = [];
  const shutdown = installShutdown({
    logger,
    stages,
    timeoutMs,
    exit: (code) => exits.push(code),
    process: signals as unknown as Pick<NodeJS.Process, 'on' | 'off'>,
  });
  return { lines, signals, exits, shutdown };
}

describe('installShutdown', () => {
  it('runs the stages in order on the first SIGTERM and exits 0', async () => {
    const order: string[] = [];
    const stage = (name: string): ShutdownStage => ({ name, run: async () => void order.push(name) });
    const { signals, exits, shutdown } = harness([stage('not ready'), stage('drain'), stage('close')]);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await shutdown.begin('again')).toBe(0);
    expect(order).toEqual(['not ready', 'drain', 'close']);
    expect(exits).toEqual([0]);
  });

  it('forces exit 1 on a second signal while stages are still running', async () => {
    let release: () => void = () => {};
    const hanging = new Promise<void>((resolve) => (release = resolve));
    const { signals, exits, lines } = harness([{ name: 'drain', run: () => hanging }]);
    signals.emit('SIGTERM', 'SIGTERM');
    signals.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
    expect(lines.some((line) => line.msg === 'shutdown: second signal, forcing exit')).toBe(true);
    release();
  });

  it('forces exit 1 when the stages outlast the timeout', async () => {
    const { signals, exits } = harness([{ name: 'drain', run: () => new Promise(() => {}) }], 50);
    signals.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(exits).toEqual([1]);
  });

  it('still runs the later stages when one fails, and exits 1', async () => {
    const order: string[] = [];
    const { shutdown, exits } = harness([
      { name: 'drain', run: () => Promise.reject(new Error('boom')) },
      { name: 'close', run: async () => void order.push('close') },
    ]);
    expect(await shutdown.begin('test')).toBe(1);
    expect(order).toEqual(['close']);
    expect(exits).toEqual([1]);
  });

  it('aborts its signal at the first signal, so a start-up wait ends at once', async () => {
    const { signals, shutdown } = harness([]);
    expect(shutdown.signal.aborted).toBe(false);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(shutdown.signal.aborted).toBe(true);
    await shutdown.begin('again');
  });

  it('waits for the start-up under way, then reads the stages, so they see what it started', async () => {
    let started: string | undefined;
    let finish: (value: string) => void = () => {};
    const stagesSeen: string[] = [];
    const { signals, exits, shutdown } = harness(() => [
      { name: 'stop', run: async () => void stagesSeen.push(`stop ${started ?? 'nothing'}`) },
    ]);
    const work = shutdown.starting(new Promise<string>((resolve) => (finish = resolve)));
    const main = work.then((value) => (started = value));
    signals.emit('SIGTERM', 'SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exits).toEqual([]);
    finish('the consumer');
    await main;
    expect(await shutdown.begin('again')).toBe(0);
    expect(stagesSeen).toEqual(['stop the consumer']);
  });

  it('never settles a start-up the stop aborted, and passes on any other failure', async () => {
    const { signals, exits, shutdown } = harness([]);
    await expect(shutdown.starting(Promise.reject(new Error('migration failed')))).rejects.toThrow(
      'migration failed',
    );
    const aborted = shutdown.starting(
      new Promise((_resolve, reject) =>
        shutdown.signal.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
    );
    let settled = false;
    void aborted.then(
      () => (settled = true),
      () => (settled = true),
    );
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await shutdown.begin('again')).toBe(0);
    expect(exits).toEqual([0]);
    expect(settled).toBe(false);
  });
});
