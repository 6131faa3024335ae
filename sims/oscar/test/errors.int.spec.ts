import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Harness } from './harness.ts';
import { createClient, decide, email, receivedReferrals, referralPayload, startSim } from './harness.ts';

/** docs/upstream/oscar.md §8: every error body, byte for byte, and the non-JSON 500/404 pages. */
let sim: Harness;

beforeEach(async () => {
  sim = await startSim();
  await sim.signIn();
});
afterEach(async () => {
  await sim.close();
});

const recordError = 'Record error. Please check OSCaR logs for details.';

describe('§8 error formats', () => {
  it('bad sign-in: 401 {"success":false,"errors":["Invalid login credentials. Please try again."]}', async () => {
    const response = await sim.app.inject({
      method: 'POST',
      url: '/api/v1/admin_auth/sign_in',
      payload: { email, password: 'x' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.body).toBe('{"success":false,"errors":["Invalid login credentials. Please try again."]}');
  });

  it('missing or invalid token: 401 {"errors":["You need to sign in or sign up before continuing."]}', async () => {
    const response = await sim.api('GET', '/api/v1/organizations/clients', undefined, {
      'access-token': 'nope',
    });
    expect(response.statusCode).toBe(401);
    expect(response.body).toBe('{"errors":["You need to sign in or sign up before continuing."]}');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('upsert without organization_name: 422 {"message": "Record error…"}', async () => {
    const response = await sim.upsert({ external_id: 'x' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toBe(`{"message":"${recordError}"}`);
  });

  it('upsert referral validation failure: 422 {"external_id", "message": {attr: [msgs]}}', async () => {
    const response = await sim.upsert(
      referralPayload({ external_id: 'e1', external_case_worker_mobile: '' }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.body).toBe('{"external_id":"e1","message":{"referral_phone":["can\'t be blank"]}}');
  });

  it('upsert client update validation failure: 422 {"external_id", "message": {"gender": [...]}}', async () => {
    const created = await createClient(sim);
    const response = await sim.upsert(
      referralPayload({ external_id: 'e2', global_id: created.global_id, gender: '' }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.body).toBe('{"external_id":"e2","message":{"gender":["can\'t be blank"]}}');
  });

  it('upsert bad referral_status on a linked client: 422 with the fixed message', async () => {
    const created = await createClient(sim);
    const response = await sim.upsert(
      referralPayload({
        external_id: 'e3',
        global_id: created.global_id,
        is_referred: false,
        referral_status: 'Rejected',
      }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.body).toBe(
      `{"external_id":"e3","message":"Referral status must be one of ['Accepted', 'Exited', 'Referred']."}`,
    );
  });

  it('upsert of an accepted case without global_id: 422 "Record was found." with errors', async () => {
    await sim.upsert(referralPayload({ external_id: 'e4' }));
    const [referral] = await receivedReferrals(sim, 'e4');
    await decide(sim, referral?.id, 'cif');
    const response = await sim.upsert(referralPayload({ external_id: 'e4' }));
    expect(response.statusCode).toBe(422);
    expect(response.body).toBe(
      '{"external_id":"e4","message":"Record was found.","errors":{"global_id":"global_id must exist.","referral_status":"referral_status must be present."}}',
    );
  });

  it('update_statuses failures: 422 {"error": detail, "message": "Record error…"}', async () => {
    const created = await createClient(sim, {
      refer_to_mosvy: { services: ['Kinship care'], reason: 'r', level_of_risk: 'low' },
    });
    const oldReferral = await sim.control('POST', `/_control/clients/${created.global_id}/referrals`, {
      services: ['Kinship care'],
      reason: 'old referral without a level of risk',
      level_of_risk: null,
    });
    const oldId = oldReferral.json<{ referral: { id: number } }>().referral.id;
    const put = (item: Record<string, unknown>) =>
      sim.app.inject({
        method: 'PUT',
        url: '/api/v1/organizations/referrals/update_statuses',
        payload: { data: [item] },
      });
    const cases: [Record<string, unknown>, string][] = [
      [
        { client_global_id: '01HUNKNOWNUNKNOWNUNKNOWNXX', referral_id: 1, referral_status: 'Accepted' },
        'ActiveRecord::RecordNotFound',
      ],
      [
        { client_global_id: created.global_id, referral_id: 2214, referral_status: 'Accepted' },
        "Couldn't find Referral with 'id'=2214",
      ],
      [
        { client_global_id: created.global_id, referral_id: '2214', referral_status: 'Accepted' },
        "Couldn't find Referral with 'id'=2214",
      ],
      [
        { client_global_id: created.global_id, referral_status: 'Accepted' },
        "Couldn't find Referral without an ID",
      ],
      [
        {
          client_global_id: created.global_id,
          referral_id: created.referral_ids[0],
          referral_status: 'Rejected',
        },
        "Referral status is not included in the list. Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
      ],
      [
        { client_global_id: created.global_id, referral_id: created.referral_ids[0] },
        "Referral status can't be blank. Referral status is not included in the list. Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
      ],
      [
        { client_global_id: created.global_id, referral_id: oldId, referral_status: 'Accepted' },
        "Level of risk can't be blank. Level of risk is not included in the list. Referral status must be one of ['Accepted', 'Exited', 'Referred'].",
      ],
    ];
    for (const [item, error] of cases) {
      const response = await put(item);
      expect(response.statusCode).toBe(422);
      expect(response.body).toBe(JSON.stringify({ error, message: recordError }));
    }
    const active = await put({
      client_global_id: created.global_id,
      referral_id: created.referral_ids[0],
      referral_status: 'Active',
    });
    expect(active.body).toBe('{"message":"Record saved."}');
  });

  it('successes: upsert {"external_id","message":"Record saved."}; update_links and update_statuses {"message":"Record saved."}', async () => {
    expect((await sim.upsert(referralPayload({ external_id: 'ok' }))).body).toBe(
      '{"external_id":"ok","message":"Record saved."}',
    );
    const created = await createClient(sim, {
      refer_to_mosvy: { services: ['Kinship care'], reason: 'r', level_of_risk: 'low' },
    });
    const links = await sim.api('PUT', '/api/v1/organizations/clients/update_links', {
      data: [{ global_id: created.global_id, external_id: 'x' }],
    });
    expect(links.body).toBe('{"message":"Record saved."}');
    const statuses = await sim.api('PUT', '/api/v1/organizations/referrals/update_statuses', {
      data: [
        {
          client_global_id: created.global_id,
          referral_id: created.referral_ids[0],
          referral_status: 'Accepted',
        },
      ],
    });
    expect(statuses.body).toBe('{"message":"Record saved."}');
  });

  it('unhandled exceptions: 500, not JSON — the HTML page, or the plain-text failsafe when only JSON is accepted', async () => {
    const html = await sim.api('GET', '/api/v1/organizations/clients?since_date=garbage', undefined, {
      accept: 'application/json, text/plain, */*',
    });
    expect(html.statusCode).toBe(500);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('<h1>500</h1>');
    expect(html.headers['access-token']).toBeUndefined();

    const failsafe = await sim.api(
      'PUT',
      '/api/v1/organizations/clients/update_links',
      {},
      { accept: 'application/json' },
    );
    expect(failsafe.statusCode).toBe(500);
    expect(failsafe.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(
      failsafe.body.startsWith('500 Internal Server Error\nIf you are the administrator of this website'),
    ).toBe(true);

    for (const response of [
      await sim.api('PUT', '/api/v1/organizations/clients/update_links', { data: [] }),
      await sim.api('PUT', '/api/v1/organizations/referrals/update_statuses', {}),
      await sim.api('PUT', '/api/v1/organizations/referrals/update_statuses', [{ referral_id: 1 }]),
      await sim.api('GET', '/api/v1/organizations/clients/check_duplication'),
    ]) {
      expect(response.statusCode).toBe(500);
      expect(response.headers['content-type']).not.toMatch(/json/);
    }
  });

  it('unknown route: HTML 404 page', async () => {
    const response = await sim.api('GET', '/api/v1/organizations/clients/create_many');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const post = await sim.api('POST', '/api/v1/organizations/clients/create_many', { organization: {} });
    expect(post.statusCode).toBe(404);
  });

  it('malformed JSON: a 400 page, not JSON', async () => {
    const response = await sim.api('POST', '/api/v1/organizations/clients/upsert', '{"organization":', {
      'content-type': 'application/json',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/text\/html/);
  });

  it('the vestigial transactions endpoint: 500 {"message": "Record error…"}', async () => {
    const response = await sim.app.inject({ method: 'GET', url: '/api/v1/organizations/transactions/tx-1' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toBe(`{"message":"${recordError}"}`);
  });
});
