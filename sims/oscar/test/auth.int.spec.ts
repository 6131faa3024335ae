import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { email, password, startSim } from './harness.ts';

/** docs/upstream/oscar.md §1: devise_token_auth 0.1.43 for the AdminUser mapping. */
let sim: Harness;

beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

const signInUrl = '/api/v1/admin_auth/sign_in';

describe('sign in', () => {
  it('returns the credentials in headers and the admin user in {"data": …}', async () => {
    const response = await sim.app.inject({
      method: 'POST',
      url: signInUrl,
      payload: { email: 'Sync@OSCaR.test', password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-token']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(response.headers.client).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(response.headers['token-type']).toBe('Bearer');
    expect(response.headers.uid).toBe(email);
    // 2025-08-02T09:00:00Z + 1 week, unix seconds, as a string.
    expect(response.headers.expiry).toBe(String(Date.UTC(2025, 7, 9, 9) / 1000));
    expect(response.json()).toStrictEqual({
      data: {
        id: 1,
        email,
        token: null,
        first_name: 'External User',
        last_name: 'External User',
        provider: 'email',
        uid: email,
        role: 'viewer',
      },
    });
  });

  it('accepts form-encoded credentials', async () => {
    const response = await sim.app.inject({
      method: 'POST',
      url: signInUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email, password }).toString(),
    });
    expect(response.statusCode).toBe(200);
  });

  it('401s a wrong password, an unknown email and a missing password with the same body', async () => {
    for (const payload of [
      { email, password: 'wrong' },
      { email: 'who@oscar.test', password },
      { email },
      {},
    ]) {
      const response = await sim.app.inject({ method: 'POST', url: signInUrl, payload });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toStrictEqual({
        success: false,
        errors: ['Invalid login credentials. Please try again.'],
      });
    }
  });

  it('405s a GET', async () => {
    const response = await sim.app.inject({ method: 'GET', url: signInUrl });
    expect(response.statusCode).toBe(405);
    expect(response.json()).toStrictEqual({
      success: false,
      errors: ['Use POST /sign_in to sign in. GET is not supported.'],
    });
  });
});

describe('protected endpoints', () => {
  it('need all three credentials; a missing client means "default"; Authorization: Bearer is ignored', async () => {
    const auth = await sim.signIn();
    const bodyOf401 = { errors: ['You need to sign in or sign up before continuing.'] };
    const attempts: Record<string, string>[] = [
      {},
      { 'access-token': auth['access-token'] ?? '', uid: email },
      { 'access-token': auth['access-token'] ?? '', client: auth.client ?? '' },
      { 'access-token': 'x'.repeat(22), client: auth.client ?? '', uid: email },
      { authorization: `Bearer ${auth['access-token'] ?? ''}` },
      { ...auth, uid: 'SYNC@oscar.test' },
    ];
    for (const headers of attempts) {
      const response = await sim.app.inject({ method: 'GET', url: '/api/v1/organizations/clients', headers });
      expect(response.statusCode).toBe(401);
      expect(response.json()).toStrictEqual(bodyOf401);
    }
    for (const [method, url] of [
      ['POST', '/api/v1/organizations/clients/upsert'],
      ['PUT', '/api/v1/organizations/clients/update_links'],
    ] as const) {
      const response = await sim.app.inject({ method, url, payload: {} });
      expect(response.statusCode).toBe(401);
    }
  });

  it('echo the same credential headers on every authenticated response', async () => {
    const auth = await sim.signIn();
    const response = await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: 'unknown' }],
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({
      'access-token': auth['access-token'],
      client: auth.client,
      uid: email,
      'token-type': 'Bearer',
    });
    const upsert422 = await sim.upsert({});
    expect(upsert422.headers['access-token']).toBe(auth['access-token']);
  });

  it('update_statuses needs no token unless strictStatusesAuth is on', async () => {
    const strict = await startSim({ strictStatusesAuth: true });
    const url = '/api/v1/organizations/referrals/update_statuses';
    const open = await sim.app.inject({
      method: 'PUT',
      url,
      payload: { data: [{ client_global_id: 'x', referral_id: 1 }] },
    });
    expect(open.statusCode).toBe(422);
    const closed = await strict.app.inject({
      method: 'PUT',
      url,
      payload: { data: [{ client_global_id: 'x', referral_id: 1 }] },
    });
    expect(closed.statusCode).toBe(401);
    await strict.signIn();
    expect(
      (await strict.api('PUT', url, { data: [{ client_global_id: 'x', referral_id: 1 }] })).statusCode,
    ).toBe(422);
    await strict.close();
  });
});

describe('validate_token and sign_out', () => {
  it('validates a token and signs out one client', async () => {
    const auth = await sim.signIn();
    const valid = await sim.api('GET', '/api/v1/admin_auth/validate_token');
    expect(valid.statusCode).toBe(200);
    expect(valid.json()).toMatchObject({ success: true, data: { uid: email } });
    const out = await sim.api('DELETE', '/api/v1/admin_auth/sign_out');
    expect(out.statusCode).toBe(200);
    expect(out.json()).toStrictEqual({ success: true });
    const invalid = await sim.api('GET', '/api/v1/admin_auth/validate_token');
    expect(invalid.statusCode).toBe(401);
    expect(invalid.json()).toStrictEqual({ success: false, errors: ['Invalid login credentials'] });
    const again = await sim.api('DELETE', '/api/v1/admin_auth/sign_out', undefined, auth);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toStrictEqual({
      success: false,
      errors: ['User was not found or was not logged in.'],
    });
  });

  it('keeps other clients signed in when one signs out', async () => {
    const first = await sim.signIn();
    const second = await sim.signIn();
    await sim.api('DELETE', '/api/v1/admin_auth/sign_out', undefined, second);
    expect((await sim.api('GET', '/api/v1/organizations/clients', undefined, first)).statusCode).toBe(200);
  });
});
