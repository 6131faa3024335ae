import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export interface Infrastructure {
  databaseUrl: string;
  amqpUrl: string;
  /** RabbitMQ management API base URL with credentials, e.g. http://guest:guest@127.0.0.1:15672 */
  amqpManagementUrl: string;
  stop: () => Promise<void>;
}

const localDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
const localAmqpUrl = 'amqp://guest:guest@127.0.0.1:5672';

/**
 * Postgres and RabbitMQ for the tests, in this order: DATABASE_URL / AMQP_URL (and AMQP_MANAGEMENT_URL)
 * when set, as in CI; the local servers on their standard ports when both answer, as on the developer
 * machines; otherwise containers started with testcontainers, which needs Docker.
 */
export async function startInfrastructure(env: NodeJS.ProcessEnv = process.env): Promise<Infrastructure> {
  if (env.DATABASE_URL && env.AMQP_URL) {
    return ready(env.DATABASE_URL, env.AMQP_URL, env.AMQP_MANAGEMENT_URL ?? managementUrlFor(env.AMQP_URL));
  }
  if ((await reachable('127.0.0.1', 5432)) && (await reachable('127.0.0.1', 5672))) {
    return ready(localDatabaseUrl, localAmqpUrl, managementUrlFor(localAmqpUrl));
  }
  return startContainers();
}

async function ready(
  databaseUrl: string,
  amqpUrl: string,
  amqpManagementUrl: string,
): Promise<Infrastructure> {
  await ensureManagementApi(amqpUrl, amqpManagementUrl);
  return { databaseUrl, amqpUrl, amqpManagementUrl, stop: async () => {} };
}

/** The management API on the broker's host, port 15672, with the AMQP URL's credentials. */
export function managementUrlFor(amqpUrl: string): string {
  const url = new URL(amqpUrl);
  const user = url.username || 'guest';
  const password = url.password || 'guest';
  return `http://${user}:${password}@${url.hostname}:15672`;
}

function reachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function managementAnswers(managementUrl: string): Promise<boolean> {
  const url = new URL(managementUrl);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  try {
    const response = await fetch(new URL('/api/overview', url), { headers: { authorization } });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * The test kit gives each spec file its own vhost through the management API. On a local broker whose
 * management plugin is off, it is switched on once (what `.ci/run` does too).
 */
async function ensureManagementApi(amqpUrl: string, managementUrl: string): Promise<void> {
  if (await managementAnswers(managementUrl)) return;
  const host = new URL(amqpUrl).hostname;
  if (host === '127.0.0.1' || host === 'localhost') {
    try {
      await promisify(execFile)('rabbitmq-plugins', ['enable', '--quiet', 'rabbitmq_management']);
    } catch {
      // not our broker to configure, or no CLI: the error below says what to do
    }
    for (let attempt = 0; attempt < 60; attempt += 1) {
      if (await managementAnswers(managementUrl)) return;
      await sleep(500);
    }
  }
  throw new Error(
    `The RabbitMQ management API does not answer at ${new URL(managementUrl).host}: enable it with ` +
      '`rabbitmq-plugins enable rabbitmq_management` or set AMQP_MANAGEMENT_URL.',
  );
}

/** PostgreSQL and RabbitMQ (with its management API) in containers; needs a Docker engine. */
export async function startContainers(): Promise<Infrastructure> {
  const [{ PostgreSqlContainer }, { RabbitMQContainer }] = await Promise.all([
    import('@testcontainers/postgresql'),
    import('@testcontainers/rabbitmq'),
  ]).catch((error: unknown) => {
    throw new Error(
      'No Postgres and RabbitMQ: DATABASE_URL and AMQP_URL are not set, nothing listens on 127.0.0.1:5432 and ' +
        ':5672, and testcontainers is unavailable. Set both variables or run where Docker is available.',
      { cause: error },
    );
  });
  const [postgres, rabbit] = await Promise.all([
    new PostgreSqlContainer('postgres:17-alpine').start(),
    new RabbitMQContainer('rabbitmq:4.1-management-alpine').start(),
  ]);
  const amqpUrl = rabbit.getAmqpUrl();
  const amqp = new URL(amqpUrl);
  return {
    databaseUrl: postgres.getConnectionUri(),
    amqpUrl,
    amqpManagementUrl: `http://guest:guest@${amqp.hostname}:${rabbit.getMappedPort(15672)}`,
    stop: async () => {
      await Promise.all([postgres.stop(), rabbit.stop()]);
    },
  };
}
