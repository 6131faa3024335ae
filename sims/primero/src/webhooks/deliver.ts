import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One webhook POST, the way Faraday over net-http-persistent makes it: the url exactly as configured, the
 * given headers, no redirect followed, TLS verified, and one idle timeout for connecting and reading
 * (net/http's 60 s by default). A status is an answer; a refused connection, a reset or the timeout is an
 * error (the caller leaves its audit row at `sending`).
 */

export type DeliveryOutcome =
  | { readonly ok: true; readonly status: number; readonly body: string }
  | { readonly ok: false; readonly error: string };

export interface Delivery {
  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
  ): Promise<DeliveryOutcome>;
  /** Abandons every request in flight (a stopped worker), which then resolve as errors. */
  abortAll(): void;
}

export function createDelivery(): Delivery {
  const inFlight = new Set<AbortController>();
  return {
    post(url, headers, body, timeoutMs) {
      return new Promise<DeliveryOutcome>((resolve) => {
        let target: URL;
        try {
          target = new URL(url);
        } catch {
          resolve({ ok: false, error: 'URI::InvalidURIError' });
          return;
        }
        if (target.protocol !== 'http:' && target.protocol !== 'https:') {
          resolve({ ok: false, error: `unsupported scheme ${target.protocol}` });
          return;
        }
        const abort = new AbortController();
        inFlight.add(abort);
        const finish = (outcome: DeliveryOutcome) => {
          inFlight.delete(abort);
          resolve(outcome);
        };
        const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
        const payload = Buffer.from(body, 'utf8');
        const req = send(
          target,
          {
            method: 'POST',
            headers: { ...headers, 'Content-Length': String(payload.length), Connection: 'keep-alive' },
            signal: abort.signal,
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
            );
            res.on('error', (error) => finish({ ok: false, error: error.message }));
          },
        );
        req.on('timeout', () => req.destroy(new Error('Net::ReadTimeout')));
        req.on('error', (error) => finish({ ok: false, error: error.message }));
        req.end(payload);
      });
    },
    abortAll() {
      for (const abort of inFlight) abort.abort();
    },
  };
}
