import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

const wellKnownPorts: Record<number, string> = {
  5432: 'Postgres',
  5672: 'RabbitMQ',
  15672: 'RabbitMQ management',
};

/** Open client sockets of this process, as `host:port (what)` strings. */
export function openSockets(): string[] {
  const handles = (process as unknown as { _getActiveHandles: () => unknown[] })._getActiveHandles();
  return handles
    .filter(
      (handle): handle is Socket =>
        handle instanceof Socket && !handle.destroyed && handle.remotePort !== undefined,
    )
    .map((socket) => {
      const port = socket.remotePort ?? 0;
      return `${socket.remoteAddress ?? '?'}:${port}${wellKnownPorts[port] ? ` (${wellKnownPorts[port]})` : ''}`;
    })
    .sort();
}

/** What was opened since `before` and is still open: the leaks. */
export function leakedSince(before: readonly string[], after: readonly string[]): string[] {
  const remaining = [...before];
  return after.filter((socket) => {
    const index = remaining.indexOf(socket);
    if (index === -1) return true;
    remaining.splice(index, 1);
    return false;
  });
}

/** Waits for sockets that are already closing, then lists the leaks. */
export async function findLeaks(before: readonly string[], settleMs = 500): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  let leaks = leakedSince(before, openSockets());
  while (leaks.length > 0 && Date.now() < deadline) {
    await sleep(25);
    leaks = leakedSince(before, openSockets());
  }
  return leaks;
}

/**
 * Fails a test that leaves a connection open: a pg pool with idle clients, an AMQP connection (and so its
 * channels), an HTTP keep-alive socket. Call at the top of a spec file, after `useTestDatabase` /
 * `useTestVhost`. `scope: 'test'` (default) checks after each test; `scope: 'file'` checks once after the
 * file's own `afterAll` hooks, for files that share a pool or broker connection across their tests.
 */
export function checkLeaks(options: { scope?: 'test' | 'file' } = {}): void {
  let before: string[] = [];
  const message = 'connections left open (close every pool, connection and server)';
  if (options.scope === 'file') {
    beforeAll(() => {
      before = openSockets();
    });
    afterAll(async () => {
      expect(await findLeaks(before), message).toEqual([]);
    });
    return;
  }
  beforeEach(() => {
    before = openSockets();
  });
  afterEach(async () => {
    expect(await findLeaks(before), message).toEqual([]);
  });
}
