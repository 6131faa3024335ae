import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';

export interface AdminSurfaceOptions {
  /**
   * The service's app as `buildApp` makes it, with this `ADMIN_TOKEN` and a metrics registry, and a count
   * of what its admin routes caused (polls triggered, status read).
   */
  build: (adminToken: string) => { app: FastifyInstance; effects: () => number };
  /** Every route under /admin/ the service has: the test fails when the app has one more or one less. */
  adminRoutes: ReadonlyArray<{
    method: 'GET' | 'POST';
    url: string;
    /** What a call sends where the route needs more than its template: a path with its `:id`, a JSON body. */
    request?: { url?: string; payload?: Record<string, unknown> };
  }>;
}

/** A token of the accepted length, for the services' HTTP tests. */
export const testAdminToken = 'test-admin-token-0123456789abcdef';

/**
 * The security of a service's HTTP surface: every /admin/ route answers 401 without the bearer token or
 * with another credential and 503 when no token is configured — and in both cases nothing happens — while
 * health and /metrics stay open.
 */
export function describeAdminSurface(service: string, options: AdminSurfaceOptions): void {
  describe(`${service} HTTP surface`, () => {
    const apps: FastifyInstance[] = [];
    const build = (token: string) => {
      const built = options.build(token);
      apps.push(built.app);
      return built;
    };
    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
    });

    it('guards exactly the admin routes listed', async () => {
      const { app } = build(testAdminToken);
      await app.ready();
      const routes = routesOf(app.printRoutes({ commonPrefix: false })).filter((route) =>
        route.split(' ')[1]?.startsWith('/admin'),
      );
      expect(routes.sort()).toEqual(options.adminRoutes.map(({ method, url }) => `${method} ${url}`).sort());
    });

    const wrongCredentials: Record<string, Record<string, string>> = {
      'no credential': {},
      'a wrong token': { authorization: 'Bearer test-admin-token-0123456789abcdeX' },
      'the token with a suffix': { authorization: `Bearer ${testAdminToken}0` },
      'a prefix of the token': { authorization: `Bearer ${testAdminToken.slice(0, 16)}` },
      'the token without the scheme': { authorization: testAdminToken },
      'the token as Basic credentials': {
        authorization: `Basic ${Buffer.from(`admin:${testAdminToken}`).toString('base64')}`,
      },
      'the token in another header': { 'x-admin-token': testAdminToken },
    };

    for (const { method, url: template, request } of options.adminRoutes) {
      const url = request?.url ?? template;
      const payload = request?.payload;
      it(`${method} ${template} answers 401 to a wrong or missing credential, and nothing happens`, async () => {
        const { app, effects } = build(testAdminToken);
        for (const [what, headers] of Object.entries(wrongCredentials)) {
          const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
          expect(response.statusCode, what).toBe(401);
          expect(response.headers['www-authenticate'], what).toBe('Bearer realm="admin"');
          expect(response.body, what).not.toContain(testAdminToken);
        }
        expect(effects()).toBe(0);
      });

      it(`${method} ${template} answers 503 when ADMIN_TOKEN is not configured, and nothing happens`, async () => {
        const { app, effects } = build('');
        for (const headers of [
          {},
          { authorization: 'Bearer ' },
          { authorization: `Bearer ${testAdminToken}` },
        ]) {
          const response = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
          expect(response.statusCode).toBe(503);
          expect(response.json()).toEqual({
            error: 'ADMIN_TOKEN not configured: set ADMIN_TOKEN to enable the admin routes',
          });
        }
        expect(effects()).toBe(0);
      });

      it(`${method} ${template} does its work with the bearer token`, async () => {
        const { app, effects } = build(testAdminToken);
        const response = await app.inject({
          method,
          url,
          headers: { authorization: `bearer  ${testAdminToken}` },
          ...(payload ? { payload } : {}),
        });
        expect(response.statusCode).toBe(200);
        expect(effects()).toBe(1);
      });
    }

    it('keeps /health/live, /health/ready and /metrics open', async () => {
      const { app } = build(testAdminToken);
      expect((await app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.statusCode).toBe(200);
      expect(metrics.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(metrics.body).toContain(`service="${service}"`);
    });
  });
}

/**
 * `METHOD /path` of every route in fastify's `printRoutes` tree, where a child line (`├── /:id (GET)`)
 * continues the path of the line above it at one level less.
 */
function routesOf(tree: string): string[] {
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([^/]*)(\/\S*)(?: \(([^)]+)\))?/.exec(line);
    if (!match?.[2]) continue;
    const depth = Math.floor((match[1] ?? '').length / 4);
    stack.length = depth;
    const path = `${stack[depth - 1] ?? ''}${match[2]}`;
    stack[depth] = path;
    for (const method of (match[3] ?? '').split(', ')) {
      if (method !== '' && method !== 'HEAD') out.push(`${method} ${path}`);
    }
  }
  return out;
}
