import { randomBytes, randomUUID } from 'node:crypto';

import { afterAll, describe, expect, inject, it } from 'vitest';

import { demoPorts, dropDemo, spawnStart, waitFor } from './start-process.ts';

/** `WEBHOOKS=on pnpm start`, as the README gives it: notices carry a referral with no poll, and it is marked synced. */
describe('WEBHOOKS=on pnpm start', () => {
  const demoName = `t_start_webhooks_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await dropDemo(demoName);
  });

  it('carries a Primero referral to OSCaR on its notices and marks the case synced', async () => {
    const { primeroPort, oscarPort, portBase } = await demoPorts();
    const start = spawnStart({
      DATABASE_URL: inject('databaseUrl'),
      AMQP_URL: inject('amqpUrl'),
      DEMO_NAME: demoName,
      PRIMERO_SIM_PORT: String(primeroPort),
      OSCAR_SIM_PORT: String(oscarPort),
      HTTP_PORT_BASE: String(portBase),
      SEED_COUNT: '0',
      WEBHOOKS: 'on',
      PRIMERO_SIM_WEBHOOK_POLL_MS: '500',
    });
    const primero = `http://127.0.0.1:${primeroPort}`;
    const auth = { authorization: `Basic ${Buffer.from('mgrpnh:primero-user-password').toString('base64')}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const status = async () =>
      (
        (await (
          await fetch(`http://127.0.0.1:${portBase}/admin/status`, {
            headers: { authorization: 'Bearer demo-admin-token' },
          })
        ).json()) as { webhooks: Record<string, unknown> }
      ).webhooks;
    try {
      await waitFor(
        async () => {
          try {
            return (await status()).enabled === true && start.running();
          } catch {
            return false;
          }
        },
        'the primero-poller with webhooks on',
        90_000,
        start.output,
      );
      const serviceId = randomUUID();
      const created = (await (
        await fetch(`${primero}/api/v2/cases`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            data: {
              module_id: 'primeromodule-cp',
              name_first: 'Sokha',
              name_last: 'Chan',
              sex: 'female',
              date_of_birth: '2014-03-01',
              location_current: '12010203',
              risk_level: 'medium',
              consent_for_services: true,
              disclosure_other_orgs: true,
              services_section: [
                {
                  unique_id: serviceId,
                  service_response_type: 'referral_to_oscar',
                  service_type: 'counselling',
                  service_subtype: ['counselling_trauma'],
                  service_implementing_agency: 'agency-cif',
                },
              ],
            },
          }),
        })
      ).json()) as { data: { id: string; case_id: string } };
      const referred = await fetch(`${primero}/api/v2/cases/${created.data.id}/referrals`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ data: { transitioned_to: 'agency-cif-user', service_record_id: serviceId } }),
      });
      expect(referred.status).toBe(200);
      const control = { 'x-control-token': 'sim-control' };
      // The safety poll is 5 minutes away: only the notices can bring it this soon.
      await waitFor(
        async () => {
          const listed = (await (
            await fetch(
              `http://127.0.0.1:${oscarPort}/_control/referrals?external_id=${created.data.case_id}`,
              {
                headers: control,
              },
            )
          ).json()) as { referrals?: unknown[] };
          return (listed.referrals?.length ?? 0) > 0;
        },
        'the referral in OSCaR',
        30_000,
        start.output,
      );
      await waitFor(
        async () => {
          const rows = (await (
            await fetch(`${primero}/_control/audit_logs?record_id=${created.data.id}`, { headers: control })
          ).json()) as { data: Array<{ metadata: { webhook_status?: string } }> };
          return rows.data.some((row) => row.metadata.webhook_status === 'synced');
        },
        'the case marked synced',
        30_000,
        start.output,
      );
      const figures = await status();
      expect(Number(figures.changesFoundByNotices)).toBeGreaterThan(0);
      expect(figures.changesFoundOnlyBySafetyPoll).toBe(0);
      expect(figures.safetyPollIntervalMs).toBe(300_000);
    } finally {
      expect(await start.stop()).toBe(0);
    }
    const output = start.output.join('\n');
    expect(output).toContain(
      `webhooks on: Primero posts each case save to http://127.0.0.1:${portBase}/webhooks/primero`,
    );
    expect(output).not.toContain('Sokha');
  });
});
