import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, inject } from 'vitest';

/** A fresh RabbitMQ virtual host with full permissions for the test user, deleted afterwards. */
export interface TestVhost {
  /** AMQP URL pointing at the new vhost. */
  url: string;
  name: string;
  delete: () => Promise<void>;
}

export async function createTestVhost(
  amqpUrl: string,
  managementUrl: string,
  label = 'spec',
): Promise<TestVhost> {
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const user = decodeURIComponent(new URL(amqpUrl).username || 'guest');
  await management(managementUrl, 'PUT', `/api/vhosts/${encodeURIComponent(name)}`, {});
  await management(
    managementUrl,
    'PUT',
    `/api/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`,
    {
      configure: '.*',
      write: '.*',
      read: '.*',
    },
  );
  const url = new URL(amqpUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return {
    url: url.toString(),
    name,
    delete: async () => {
      await management(managementUrl, 'DELETE', `/api/vhosts/${encodeURIComponent(name)}`);
    },
  };
}

/** Calls the RabbitMQ management API (credentials taken from the URL). */
export async function management(
  managementUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const base = new URL(managementUrl);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  const response = await fetch(new URL(path, base), {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(
      `RabbitMQ management ${method} ${path} answered ${response.status}: is rabbitmq_management enabled?`,
    );
  }
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** Gives the calling spec file its own vhost for all its tests. */
export function useTestVhost(label?: string): { readonly url: string; readonly name: string } {
  let vhost: TestVhost | undefined;
  beforeAll(async () => {
    vhost = await createTestVhost(inject('amqpUrl'), inject('amqpManagementUrl'), label);
  });
  afterAll(async () => {
    await vhost?.delete();
  });
  return {
    get url() {
      if (!vhost) throw new Error('useTestVhost: the vhost exists only inside tests and hooks');
      return vhost.url;
    },
    get name() {
      if (!vhost) throw new Error('useTestVhost: the vhost exists only inside tests and hooks');
      return vhost.name;
    },
  };
}
