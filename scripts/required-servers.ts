// What `pnpm start` needs before it starts anything: a PostgreSQL and a RabbitMQ that answer. When one is
// missing it says which, where it looked and how to start it; when neither answers on the standard local
// ports and a Docker engine runs, it starts both in containers (testcontainers, as the test kit does).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

import { connectBroker, connectionFailureReason, createLogger, maskUrlPassword } from '@pos/runtime';
import pg from 'pg';

export interface Servers {
  databaseUrl: string;
  amqpUrl: string;
  /** Base URL of the RabbitMQ management API, without credentials. */
  managementBaseUrl: string;
  /** Stops what `pnpm start` started itself (containers); nothing otherwise. */
  stop: () => Promise<void>;
}

export interface MissingServer {
  name: 'PostgreSQL' | 'RabbitMQ';
  url: string;
  variable: 'DATABASE_URL' | 'AMQP_URL';
  reason: string;
}

/** Why PostgreSQL does not answer at `url`, or undefined when it does. */
export async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return connectionFailureReason(error, url);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why RabbitMQ does not answer at `url` (one AMQP handshake), or undefined when it does. */
export async function rabbitmqProblem(url: string): Promise<string | undefined> {
  try {
    const broker = await connectBroker(url, {
      logger: createLogger({ service: 'pnpm-start', level: 'silent' }),
      name: 'pnpm start (check)',
      initialMaxRetries: 0,
    });
    await broker.close();
    return undefined;
  } catch (error) {
    return connectionFailureReason(error, url);
  }
}

/** Undefined when a Docker engine answers `docker info`; otherwise why not, in one line. */
export async function dockerProblem(): Promise<string | undefined> {
  try {
    await promisify(execFile)('docker', ['info'], { timeout: 15_000 });
    return undefined;
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: unknown };
    if (code === 'ENOENT') return 'no docker command';
    const lines = typeof stderr === 'string' ? stderr.split('\n').filter((line) => line.trim() !== '') : [];
    return lines.at(-1)?.trim() ?? 'docker info failed';
  }
}

/** True when `url` names this machine's standard port for its server (5432, 5672). */
export function onStandardLocalPort(url: string): boolean {
  const parsed = new URL(url);
  const standard = parsed.protocol === 'amqp:' ? '5672' : '5432';
  return (
    ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname) && (parsed.port || standard) === standard
  );
}

/**
 * What to print when servers are missing: each one with its URL (password masked), the reason, and the
 * commands that start it; then whether `pnpm start` could have started them in Docker itself.
 *
 * @example howToStart([{ name: 'RabbitMQ', url: 'amqp://guest:guest@127.0.0.1:5672', variable: 'AMQP_URL',
 *   reason: 'connect ECONNREFUSED 127.0.0.1:5672' }], { docker: 'no docker command', postgresVersions: [] })
 */
export function howToStart(
  missing: readonly MissingServer[],
  context: { docker: string | undefined; postgresVersions: readonly string[] },
): string {
  const cluster = context.postgresVersions.length > 0 ? context.postgresVersions.join('|') : '<version>';
  const commands: Record<MissingServer['name'], Array<[command: string, where?: string]>> = {
    PostgreSQL: [
      [`pg_ctlcluster ${cluster} main start`, 'Debian, Ubuntu (versions: ls /etc/postgresql)'],
      ['brew services start postgresql', 'macOS'],
      [
        'docker run -d --name pos-postgres -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:17-alpine',
      ],
    ],
    RabbitMQ: [
      ['rabbitmq-server -detached && rabbitmq-plugins enable rabbitmq_management', 'Debian, Ubuntu'],
      ['brew services start rabbitmq', 'macOS'],
      ['docker run -d --name pos-rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:4.1-management-alpine'],
    ],
  };
  const width = Math.max(
    ...Object.values(commands).flatMap((list) =>
      list.filter(([, where]) => where).map(([command]) => command.length),
    ),
  );
  const render = ([command, where]: [string, string?]) =>
    where === undefined ? `  ${command}` : `  ${command.padEnd(width)}  # ${where}`;
  const lines = ['pnpm start needs PostgreSQL and RabbitMQ before it starts anything.'];
  for (const server of missing) {
    lines.push(
      '',
      `${server.name} does not answer at ${maskUrlPassword(server.url)} (${server.reason}).`,
      'Start it with one of:',
      ...commands[server.name].map(render),
      `or set ${server.variable} to one that runs.`,
    );
  }
  lines.push(
    '',
    context.docker === undefined
      ? 'A Docker engine runs, but pnpm start starts containers only when DATABASE_URL and AMQP_URL are the ' +
          'standard local ports and neither answers.'
      : `pnpm start would start both in Docker itself when neither answers on 127.0.0.1:5432 and :5672, but ` +
          `no Docker engine answers here (docker info: ${context.docker}).`,
  );
  return lines.join('\n');
}

/** Versions of the local PostgreSQL clusters (Debian layout), for a `pg_ctlcluster` command that works. */
export function localPostgresVersions(): string[] {
  try {
    return readdirSync('/etc/postgresql');
  } catch {
    return [];
  }
}

/**
 * The servers `pnpm start` runs against: the ones at `databaseUrl` and `amqpUrl` when they answer; containers
 * when neither answers on the standard local ports and Docker runs; otherwise the text to print.
 */
export async function requireServers(urls: {
  databaseUrl: string;
  amqpUrl: string;
  managementPort: string;
}): Promise<{ ok: true; servers: Servers } | { ok: false; message: string }> {
  const [postgres, rabbitmq] = await Promise.all([
    postgresProblem(urls.databaseUrl),
    rabbitmqProblem(urls.amqpUrl),
  ]);
  if (postgres === undefined && rabbitmq === undefined) {
    return {
      ok: true,
      servers: {
        databaseUrl: urls.databaseUrl,
        amqpUrl: urls.amqpUrl,
        managementBaseUrl: `http://${new URL(urls.amqpUrl).hostname}:${urls.managementPort}`,
        stop: async () => {},
      },
    };
  }
  const docker = await dockerProblem();
  const noneLocal =
    postgres !== undefined &&
    rabbitmq !== undefined &&
    onStandardLocalPort(urls.databaseUrl) &&
    onStandardLocalPort(urls.amqpUrl);
  if (docker === undefined && noneLocal) {
    console.log('Neither PostgreSQL nor RabbitMQ answers on the standard ports: starting both in Docker…');
    const { startContainers } = await import('@pos/testkit/infrastructure').catch(() => ({
      startContainers: undefined,
    }));
    if (!startContainers)
      return { ok: false, message: 'Docker runs, but testcontainers is not installed: run pnpm install.' };
    const started = await startContainers();
    const management = new URL(started.amqpManagementUrl);
    return {
      ok: true,
      servers: {
        databaseUrl: started.databaseUrl,
        amqpUrl: started.amqpUrl,
        managementBaseUrl: `http://${management.host}`,
        stop: started.stop,
      },
    };
  }
  const missing: MissingServer[] = [];
  if (postgres !== undefined)
    missing.push({ name: 'PostgreSQL', url: urls.databaseUrl, variable: 'DATABASE_URL', reason: postgres });
  if (rabbitmq !== undefined)
    missing.push({ name: 'RabbitMQ', url: urls.amqpUrl, variable: 'AMQP_URL', reason: rabbitmq });
  return { ok: false, message: howToStart(missing, { docker, postgresVersions: localPostgresVersions() }) };
}
