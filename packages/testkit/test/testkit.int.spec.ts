import amqp from 'amqplib';
import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { findLeaks, openSockets, useTestDatabase, useTestVhost } from '../src/index.ts';

describe('testkit', () => {
  const database = useTestDatabase('testkit');
  const vhost = useTestVhost('testkit');

  it('gives the spec file its own database', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    await client.end();
    expect(rows[0]?.db).toMatch(/^t_testkit_[0-9a-f]{8}$/);
  });

  it('gives the spec file its own vhost', async () => {
    const connection = await amqp.connect(vhost.url);
    const channel = await connection.createChannel();
    await channel.assertQueue('only-here', { durable: false });
    await connection.close();
    expect(vhost.name).toMatch(/^t_testkit_[0-9a-f]{8}$/);
  });

  it('reports a pool that was left open, and nothing once it is closed', async () => {
    const before = openSockets();
    const pool = new pg.Pool({ connectionString: database.url });
    await pool.query('select 1');
    expect(await findLeaks(before, 100)).toEqual([expect.stringContaining('(Postgres)')]);
    await pool.end();
    expect(await findLeaks(before)).toEqual([]);
  });

  it('reports an AMQP connection (and its channels) left open', async () => {
    const before = openSockets();
    const connection = await amqp.connect(vhost.url);
    await connection.createChannel();
    expect(await findLeaks(before, 100)).toEqual([expect.stringContaining('(RabbitMQ)')]);
    await connection.close();
    expect(await findLeaks(before)).toEqual([]);
  });
});
