import type { WriterName } from './sync-state.repository.ts';

export interface QueueDepth {
  name: string;
  /** Ready plus unacknowledged. */
  messages: number;
  ready: number;
  unacknowledged: number;
  consumers: number;
}

export type QueueDepths =
  { ok: true; byWriter: Record<WriterName, QueueDepth[]> } | { ok: false; detail: string };

/**
 * Queue depths of the writers' partition and dead-letter queues (`<writer>.p0…`, `<writer>.dead`) from the
 * RabbitMQ management API, for the vhost of `AMQP_URL`. Credentials come from the management URL, else from
 * `AMQP_URL`; they are sent as a header and never appear in a problem's detail.
 */
export function createQueueDepthReader(options: {
  managementUrl: string;
  amqpUrl: string;
}): () => Promise<QueueDepths> {
  const management = new URL(options.managementUrl);
  const amqp = new URL(options.amqpUrl);
  const user = decodeURIComponent(management.username || amqp.username || 'guest');
  const password = decodeURIComponent(management.password || amqp.password || 'guest');
  management.username = '';
  management.password = '';
  const vhost = decodeURIComponent(amqp.pathname.replace(/^\//, '')) || '/';
  const url = new URL(
    `api/queues/${encodeURIComponent(vhost)}?columns=name,messages,messages_ready,messages_unacknowledged,consumers`,
    management.toString().endsWith('/') ? management : `${management.toString()}/`,
  );
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return async () => {
    try {
      const response = await fetch(url, { headers: { authorization }, signal: AbortSignal.timeout(3_000) });
      if (!response.ok) {
        await response.body?.cancel();
        return { ok: false, detail: `RabbitMQ management answered HTTP ${response.status}` };
      }
      const rows = (await response.json()) as Array<Record<string, unknown>>;
      const byWriter: Record<WriterName, QueueDepth[]> = { 'primero-writer': [], 'oscar-writer': [] };
      for (const row of rows) {
        const name = String(row.name);
        const writer = (['primero-writer', 'oscar-writer'] as const).find((w) => name.startsWith(`${w}.`));
        if (!writer || name.endsWith('.requeue')) continue;
        byWriter[writer].push({
          name,
          messages: Number(row.messages ?? 0),
          ready: Number(row.messages_ready ?? 0),
          unacknowledged: Number(row.messages_unacknowledged ?? 0),
          consumers: Number(row.consumers ?? 0),
        });
      }
      for (const list of Object.values(byWriter))
        list.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
      return { ok: true, byWriter };
    } catch (error) {
      return {
        ok: false,
        detail: `RabbitMQ management did not answer (${error instanceof Error ? error.message : 'no answer'})`,
      };
    }
  };
}
