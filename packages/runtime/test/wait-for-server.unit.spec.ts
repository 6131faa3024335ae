import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import {
  connectionFailureReason,
  createLogger,
  describeUnreachable,
  startupRetryDelayMs,
  waitForServer,
} from '../src/index.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ service: 'test', level: 'info', destination }) };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' });
const rabbitmq = { name: 'RabbitMQ', url: 'amqp://guest:s3cret@127.0.0.1:5672/demo', variable: 'AMQP_URL' };

describe('startupRetryDelayMs', () => {
  it('doubles from 0.5 s up to 5 s, within ±20 %', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 7, 8, 20].map((attempt) => startupRetryDelayMs(attempt, middle))).toEqual([
      500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000,
    ]);
    expect(startupRetryDelayMs(1, () => 0)).toBe(400);
    expect(startupRetryDelayMs(1, () => 1)).toBe(600);
    expect(startupRetryDelayMs(100, () => 1)).toBe(6_000);
  });
});

describe('describeUnreachable', () => {
  it('names the server, its URL without the password, the reason and the fix, on one line', () => {
    const line = describeUnreachable(rabbitmq, 'connect ECONNREFUSED 127.0.0.1:5672', 3, 2_000);
    expect(line).toBe(
      'RabbitMQ is not reachable at amqp://guest:***@127.0.0.1:5672/demo (connect ECONNREFUSED 127.0.0.1:5672): ' +
        'start it, or set AMQP_URL to one that runs; not ready, retrying in 2 s (attempt 3)',
    );
    expect(line).not.toContain('s3cret');
    expect(line).not.toContain('\n');
  });
});

describe('connectionFailureReason', () => {
  it('reads the first error of an AggregateError (localhost tried on ::1 and 127.0.0.1) and hides the password', () => {
    expect(connectionFailureReason(new AggregateError([refused], ''), rabbitmq.url)).toBe(
      'connect ECONNREFUSED 127.0.0.1:5672',
    );
    expect(connectionFailureReason(Object.assign(new Error(''), { code: 'ETIMEDOUT' }), rabbitmq.url)).toBe(
      'ETIMEDOUT',
    );
    expect(connectionFailureReason(new Error('bad password s3cret'), rabbitmq.url)).toBe('bad password ***');
  });
});

describe('waitForServer', () => {
  it('logs one line per failed attempt, then the success, and returns what connect gave', async () => {
    const { lines, logger } = capture();
    let calls = 0;
    const connected = await waitForServer({
      server: rabbitmq,
      logger,
      retryDelayMs: () => 1,
      connect: async () => {
        calls += 1;
        if (calls < 4) throw refused;
        return 'connection';
      },
    });
    expect(connected).toBe('connection');
    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings.map((line) => line.attempt)).toEqual([1, 2, 3]);
    expect(warnings[0]).toMatchObject({
      server: 'RabbitMQ',
      url: 'amqp://guest:***@127.0.0.1:5672/demo',
      reason: 'connect ECONNREFUSED 127.0.0.1:5672',
      retryInMs: 1,
    });
    expect(lines.at(-1)).toMatchObject({ msg: 'RabbitMQ answers at amqp://guest:***@127.0.0.1:5672/demo' });
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('ends a long wait at once when the signal aborts, rejecting with its reason', async () => {
    const { logger } = capture();
    const controller = new AbortController();
    const waiting = waitForServer({
      server: rabbitmq,
      logger,
      signal: controller.signal,
      retryDelayMs: () => 60_000,
      connect: () => Promise.reject(refused),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
