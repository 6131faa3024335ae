import type { PollerName } from './sync-state.repository.ts';

/** What a poller's `GET /admin/status` answers (the console shows whatever of it is there). */
export interface PollerStatus {
  poll: {
    running?: boolean;
    lastSuccessAt?: string | null;
    lastError?: string | null;
    consecutiveFailures?: number;
  } | null;
  /** The primero-poller's webhook reconciliation, once Primero's webhooks are wired in; absent before. */
  webhooks?: Record<string, unknown>;
}

export type PollerCall<T> = { ok: true; value: T } | { ok: false; problem: PollerProblem };
/** Why a poller could not be asked, in words an administrator acts on (the page translates the kind). */
export interface PollerProblem {
  kind: 'unreachable' | 'refused' | 'not-ready' | 'failed';
  /** Status code or error text, for the page's detail line; never a credential. */
  detail: string;
}

export interface PollersClient {
  status: (poller: PollerName) => Promise<PollerCall<PollerStatus>>;
  /** "Poll now": `POST /admin/poll`, answered when the poll is done. */
  pollNow: (poller: PollerName) => Promise<PollerCall<{ read: number; emitted: number; rejected: number }>>;
}

/**
 * The pollers' admin API with the services' bearer token (`ADMIN_TOKEN`). The token goes in the header only:
 * it is never part of a problem's detail.
 */
export function createPollersClient(options: {
  urls: Record<PollerName, string>;
  adminToken: string;
  timeoutMs?: number;
}): PollersClient {
  const call = async (poller: PollerName, method: 'GET' | 'POST', path: string, timeoutMs: number) => {
    let response: Response;
    try {
      response = await fetch(new URL(path, options.urls[poller]), {
        method,
        headers: { authorization: `Bearer ${options.adminToken}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const detail =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : 'no answer';
      return { ok: false as const, problem: { kind: 'unreachable' as const, detail } };
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.status === 401 || response.status === 403) {
      return { ok: false as const, problem: { kind: 'refused' as const, detail: `HTTP ${response.status}` } };
    }
    if (response.status === 503) {
      return {
        ok: false as const,
        problem: { kind: 'not-ready' as const, detail: errorOf(body) ?? 'HTTP 503' },
      };
    }
    if (!response.ok) {
      return {
        ok: false as const,
        problem: { kind: 'failed' as const, detail: errorOf(body) ?? `HTTP ${response.status}` },
      };
    }
    return { ok: true as const, value: (body ?? {}) as Record<string, unknown> };
  };
  return {
    status: async (poller) => {
      const result = await call(poller, 'GET', '/admin/status', options.timeoutMs ?? 3_000);
      if (!result.ok) return result;
      const value = result.value;
      return {
        ok: true,
        value: {
          poll: isObject(value.poll) ? value.poll : null,
          ...(isObject(value.webhooks) ? { webhooks: value.webhooks } : {}),
        },
      };
    },
    pollNow: async (poller) => {
      // A poll walks every page changed since the cursor: give it time.
      const result = await call(poller, 'POST', '/admin/poll', 120_000);
      if (!result.ok) return result;
      const count = (key: string) => (typeof result.value[key] === 'number' ? result.value[key] : 0);
      return {
        ok: true,
        value: { read: count('read'), emitted: count('emitted'), rejected: count('rejected') },
      };
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorOf(body: unknown): string | null {
  return isObject(body) && typeof body.error === 'string' ? body.error : null;
}
