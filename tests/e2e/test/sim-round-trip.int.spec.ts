import { buildOscarSim } from '@pos/sim-oscar';
import { buildPrimeroSim } from '@pos/sim-primero';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json =>
  typeof value === 'object' && value !== null ? (value as Json) : {};
const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/**
 * A full referral round trip driven by hand through both simulators — what the sync automates — showing
 * that they agree with each other on ids (case_id ⇄ external_id, global_id ⇄ oscar_number, slug ⇄
 * oscar_short_id, referral ids) and on service names.
 */
describe('simulators round trip by hand', () => {
  const primero = buildPrimeroSim();
  const oscar = buildOscarSim().app;
  let primeroUrl = '';
  let oscarUrl = '';

  beforeAll(async () => {
    primeroUrl = await primero.listen({ host: '127.0.0.1', port: 0 });
    oscarUrl = await oscar.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await primero.close();
    await oscar.close();
  });

  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const mosvyWorker = basic('mgrpnh', 'primero-user-password');
  const syncUser = basic('primero-sync', 'primero-sync-password');

  async function call(
    base: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const response = await fetch(new URL(path, base), {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as unknown) : null,
    };
  }

  it('carries a MoSVY referral to an NGO and the NGO’s acceptance back, with matching ids and names', async () => {
    // 1. A MoSVY worker registers a child and refers the trauma-counselling service to Children in Families.
    const serviceId = crypto.randomUUID();
    const created = await call(
      primeroUrl,
      'POST',
      '/api/v2/cases',
      { authorization: mosvyWorker },
      {
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
      },
    );
    expect(created.status).toBe(200);
    const primeroCase = asRecord(asRecord(created.body).data);
    const referred = await call(
      primeroUrl,
      'POST',
      `/api/v2/cases/${String(primeroCase.id)}/referrals`,
      { authorization: mosvyWorker },
      {
        data: {
          transitioned_to: 'agency-cif-user',
          transitioned_to_agency: 'agency-cif',
          service: 'counselling',
          service_record_id: serviceId,
          notes: 'Trauma counselling please',
        },
      },
    );
    expect(referred.status).toBe(200);
    const primeroReferral = asRecord(asRecord(referred.body).data);
    expect(primeroReferral).toMatchObject({
      status: 'in_progress',
      service_record_id: serviceId,
      record_type: 'case',
    });

    // 2. The integration reads it (as the sync user) and posts one OSCaR upsert for the referred service.
    const listed = await call(primeroUrl, 'GET', `/api/v2/cases?case_id=${String(primeroCase.case_id)}`, {
      authorization: syncUser,
    });
    const [found] = asArray(asRecord(listed.body).data);
    expect(found?.id).toBe(primeroCase.id);
    const signIn = await call(
      oscarUrl,
      'POST',
      '/api/v1/admin_auth/sign_in',
      {},
      { email: 'sync@oscar.test', password: 'oscar-sync-password' },
    );
    expect(signIn.status).toBe(200);
    const token = {
      'access-token': signIn.headers.get('access-token') ?? '',
      client: signIn.headers.get('client') ?? '',
      uid: signIn.headers.get('uid') ?? '',
    };
    const upsert = await call(oscarUrl, 'POST', '/api/v1/organizations/clients/upsert/', token, {
      organization: {
        external_id: found?.case_id,
        external_id_display: found?.case_id_display,
        mosvy_number: '',
        given_name: found?.name_first,
        family_name: found?.name_last,
        gender: found?.sex,
        date_of_birth: found?.date_of_birth,
        location_current_village_code: '12010203',
        address_current_village_code: '12010203',
        reason_for_referral: primeroReferral.notes,
        level_of_risk: 'medium',
        external_case_worker_name: found?.owned_by,
        external_case_worker_id: '',
        external_case_worker_mobile: '000000000',
        is_referred: true,
        organization_name: 'cif',
        services: [{ uuid: serviceId, name: 'Trauma counselling' }],
      },
    });
    expect(upsert).toMatchObject({
      status: 200,
      body: { external_id: found?.case_id, message: 'Record saved.' },
    });

    // 3. The NGO accepts it in OSCaR: a client linked to the Primero case.
    const received = await call(
      oscarUrl,
      'GET',
      `/_control/referrals?external_id=${String(found?.case_id)}`,
      { 'x-control-token': 'sim-control' },
    );
    const [oscarReferral] = asArray(asRecord(received.body).referrals);
    expect(oscarReferral).toMatchObject({
      external_id: found?.case_id,
      referred_to: 'cif',
      services: [{ uuid: '37cd9808-c417-4a19-9563-36ac7865e2f8', name: 'Trauma counselling' }],
    });
    const accepted = await call(
      oscarUrl,
      'POST',
      `/_control/referrals/${String(oscarReferral?.id)}/accept`,
      { 'x-control-token': 'sim-control' },
      { organization: 'cif' },
    );
    const client = asRecord(asRecord(accepted.body).client);
    expect(client).toMatchObject({
      external_id: found?.case_id,
      external_id_display: found?.case_id_display,
      status: 'Accepted',
    });

    // 4. The integration reads the client: it carries the Primero ids and the referral's decision.
    const clients = await call(oscarUrl, 'GET', '/api/v1/organizations/clients', token);
    const listedClient = asArray(asRecord(clients.body).data).find((c) => c.global_id === client.global_id);
    expect(listedClient).toMatchObject({
      external_id: found?.case_id,
      resource: 'primero',
      slug: client.slug,
    });
    const referralService = asArray(listedClient?.services).find((s) => s.referral_id === oscarReferral?.id);
    expect(referralService).toMatchObject({
      name: 'Trauma counselling',
      referral_status: 'Accepted',
      enrollment_date: null,
    });

    // 5. …and writes the decision back to Primero: the referral record and the service row.
    const decided = await call(
      primeroUrl,
      'PATCH',
      `/api/v2/cases/${String(found?.id)}/referrals/${String(primeroReferral.id)}`,
      { authorization: syncUser },
      {
        data: { status: 'accepted', record_type: 'case' },
      },
    );
    expect(asRecord(asRecord(decided.body).data).status).toBe('accepted');
    const patched = await call(
      primeroUrl,
      'PATCH',
      `/api/v2/cases/${String(found?.id)}`,
      { authorization: syncUser },
      {
        data: {
          oscar_number: client.global_id,
          oscar_short_id: client.slug,
          services_section: [
            {
              unique_id: serviceId,
              referral_status_edf41f2: 'accepted_340953',
              oscar_referral_id_a4ac8a5: String(oscarReferral?.id),
            },
          ],
        },
      },
    );
    expect(patched.status).toBe(200);

    // Both sides now name the same child with each other's ids.
    const byOscarNumber = await call(
      primeroUrl,
      'GET',
      `/api/v2/cases?oscar_number=${String(client.global_id)}`,
      { authorization: syncUser },
    );
    const [linked] = asArray(asRecord(byOscarNumber.body).data);
    expect(linked).toMatchObject({
      case_id: found?.case_id,
      oscar_number: client.global_id,
      oscar_short_id: client.slug,
    });
    expect(asArray(linked?.services_section)[0]).toMatchObject({
      referral_status_edf41f2: 'accepted_340953',
      oscar_referral_id_a4ac8a5: String(oscarReferral?.id),
    });

    // The service-type lookup Primero serves includes the type the OSCaR name maps back to.
    const lookups = await call(primeroUrl, 'GET', '/api/v2/lookups?per=100', { authorization: syncUser });
    const serviceTypes = asArray(asRecord(lookups.body).data).find(
      (l) => l.unique_id === 'lookup-service-type',
    );
    expect(asArray(serviceTypes?.values).map((v) => v.id)).toContain('counselling');
  });
});
