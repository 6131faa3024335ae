import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

import { type Readiness, registerHealthRoutes } from '../src/index.ts';

async function ready(readiness: Readiness) {
  const app = Fastify();
  registerHealthRoutes(app, readiness);
  const response = await app.inject({ method: 'GET', url: '/health/ready' });
  await app.close();
  return { status: response.statusCode, body: response.json<Record<string, unknown>>() };
}

describe('health routes', () => {
  it('is ready when accepting and every check is up', async () => {
    expect(await ready({ accepting: true, checks: { postgres: async () => {} } })).toEqual({
      status: 200,
      body: { status: 'ready', checks: { postgres: 'up' } },
    });
  });

  it('answers 503 with the failing check', async () => {
    const result = await ready({
      accepting: true,
      checks: { postgres: async () => {}, rabbitmq: () => Promise.reject(new Error('disconnected')) },
    });
    expect(result).toEqual({
      status: 503,
      body: { status: 'degraded', checks: { postgres: 'up', rabbitmq: 'down: disconnected' } },
    });
  });

  it('answers 503 once shutdown has begun, even if dependencies are up', async () => {
    const result = await ready({ accepting: false, checks: { postgres: async () => {} } });
    expect(result.status).toBe(503);
    expect(result.body.status).toBe('not ready');
  });

  it('is live regardless of dependencies', async () => {
    const app = Fastify();
    registerHealthRoutes(app, { accepting: false, checks: { x: () => Promise.reject(new Error('down')) } });
    const response = await app.inject({ method: 'GET', url: '/health/live' });
    await app.close();
    expect(response.statusCode).toBe(200);
  });
});
