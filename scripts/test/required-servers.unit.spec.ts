import { describe, expect, it } from 'vitest';

import { howToStart, onStandardLocalPort } from '../required-servers.ts';

describe('onStandardLocalPort', () => {
  it('is true only for this machine on 5432 (Postgres) or 5672 (RabbitMQ)', () => {
    expect(onStandardLocalPort('postgres://postgres@127.0.0.1:5432/test')).toBe(true);
    expect(onStandardLocalPort('amqp://guest:guest@localhost')).toBe(true);
    expect(onStandardLocalPort('postgres://postgres@127.0.0.1:6543/test')).toBe(false);
    expect(onStandardLocalPort('amqp://guest:guest@mq.internal:5672')).toBe(false);
  });
});

describe('howToStart', () => {
  const missing = {
    name: 'RabbitMQ',
    url: 'amqp://guest:secret@127.0.0.1:5672',
    variable: 'AMQP_URL',
    reason: 'connect ECONNREFUSED 127.0.0.1:5672',
  } as const;

  it('names the server, its URL without the password, the reason and the commands that start it', () => {
    const text = howToStart([missing], { docker: 'no docker command', postgresVersions: [] });
    expect(text).toContain(
      'RabbitMQ does not answer at amqp://guest:***@127.0.0.1:5672 (connect ECONNREFUSED 127.0.0.1:5672).',
    );
    expect(text).toContain('rabbitmq-server -detached');
    expect(text).toContain('docker run -d --name pos-rabbitmq -p 5672:5672 -p 15672:15672');
    expect(text).toContain('or set AMQP_URL to one that runs.');
    expect(text).toContain('no Docker engine answers here (docker info: no docker command)');
    expect(text).not.toContain('secret');
    expect(text).not.toContain('PostgreSQL does not answer');
  });

  it('gives the local cluster version to pg_ctlcluster when it knows it', () => {
    const text = howToStart(
      [
        {
          name: 'PostgreSQL',
          url: 'postgres://postgres@127.0.0.1:5432/test',
          variable: 'DATABASE_URL',
          reason: 'x',
        },
      ],
      { docker: undefined, postgresVersions: ['15'] },
    );
    expect(text).toContain('pg_ctlcluster 15 main start');
    expect(text).toContain('A Docker engine runs, but pnpm start starts containers only when');
  });
});
