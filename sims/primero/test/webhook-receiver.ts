import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real local HTTP receiver for the simulator's webhook notices. */

export interface ReceivedNotice {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly body: { data: Record<string, unknown> };
}

/** How the receiver answers: a status and body, or `hang` (never answers), or `reset` (drops the socket). */
export type Answer = { status: number; body?: string; contentType?: string } | 'hang' | 'reset';

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly received: ReceivedNotice[];
  /** Changes the answer to the next requests (default 200 `{"ok":true}`). */
  answer(next: Answer | ((notice: ReceivedNotice) => Answer | Promise<Answer>)): void;
  /** Resolves once `count` notices have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedNotice[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedNotice[] = [];
  let respond: (notice: ReceivedNotice) => Answer | Promise<Answer> = () => ({
    status: 200,
    body: '{"ok":true}',
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const notice: ReceivedNotice = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawBody,
        body: JSON.parse(rawBody) as { data: Record<string, unknown> },
      };
      received.push(notice);
      void Promise.resolve(respond(notice)).then((answer) => {
        if (answer === 'hang') return;
        if (answer === 'reset') {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json' });
        res.end(answer.body ?? '');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    answer(next) {
      respond = typeof next === 'function' ? next : () => next;
    },
    async waitFor(count, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`expected ${count} notices, got ${received.length} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on which nothing listens (bound, read, closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
