import { describe, expect, it } from 'vitest';

import { ownerFor, planPrimeroCaseWrite, primeroCaseToEvents, toOscarReferralUpserts } from '../src/index.ts';
import {
  buildOscarClient,
  buildOscarReferralService,
  buildPrimeroCase,
  buildPrimeroReferral,
  buildPrimeroService,
  buildUnlinkedClient,
  csvRows,
  type Json,
  loadTables,
  oscarEvent,
  today,
} from './builders.ts';

/** Every row of every shipped table, through the public mapping functions. */
const tables = loadTables();

describe('services-outbound.csv: every row', () => {
  it.each(csvRows('services-outbound.csv'))('%s → %s', (subtype, name) => {
    const c = buildPrimeroCase({ services_section: [buildPrimeroService({ service_subtype: [subtype] })] });
    const out = primeroCaseToEvents({ case: c, referrals: [buildPrimeroReferral()] }, tables);
    if (!out.ok || out.value.caseChanged === null) throw new Error('expected an event');
    const [upsert] = toOscarReferralUpserts(out.value.caseChanged, tables);
    expect(upsert?.ok && upsert.body.organization.services[0].name).toBe(name);
  });
});

describe('services-inbound.csv: every row', () => {
  it.each(csvRows('services-inbound.csv'))('%s → %s / %s', (name, type, subtype) => {
    const event = oscarEvent(buildOscarClient({ services: [buildOscarReferralService({ name })] }));
    const out = planPrimeroCaseWrite({ event, existing: null, tables, today });
    const [row] = (out.kind === 'create' ? out.data.services_section : []) as Json[];
    expect(row).toMatchObject({
      service_type: type,
      service_subtype: [subtype],
      service_type_text: type,
      service_type_details_text: 'n/a',
    });
  });
});

describe('provinces.csv: every row', () => {
  it.each(csvRows('provinces.csv'))('%s (%s) → %s', (code, _province, user) => {
    const event = oscarEvent(buildOscarClient({ location_current_village_code: `${code ?? ''}010101` }));
    expect(ownerFor(event, true, tables)).toEqual({ ok: true, value: user });
  });
});

describe('agencies.csv: every row', () => {
  it.each(csvRows('agencies.csv'))('%s → %s / %s', (organization, agency, user) => {
    const event = oscarEvent(buildUnlinkedClient({ organization_name: organization }));
    expect(ownerFor(event, true, tables)).toEqual({ ok: true, value: user });
    const inbound = oscarEvent(buildOscarClient({ organization_name: organization }));
    expect(inbound.services[0]?.agency).toBe(agency);
  });
});

describe('risk-levels.csv: every row, both ways', () => {
  it.each(csvRows('risk-levels.csv'))('%s ⇄ %s', (primero, oscar) => {
    const out = primeroCaseToEvents(
      { case: buildPrimeroCase({ risk_level: primero }), referrals: [buildPrimeroReferral()] },
      tables,
    );
    if (!out.ok || out.value.caseChanged === null) throw new Error('expected an event');
    const [upsert] = toOscarReferralUpserts(out.value.caseChanged, tables);
    expect(upsert?.ok && upsert.body.organization.level_of_risk).toBe(oscar);
    const plan = planPrimeroCaseWrite({
      event: oscarEvent(buildOscarClient({ level_of_risk: oscar })),
      existing: null,
      tables,
      today,
    });
    expect(plan.kind === 'create' && plan.data.risk_level).toBe(primero);
  });
});

describe('genders.csv: every row', () => {
  it.each(csvRows('genders.csv'))('%s: %s → %s', (direction, from, to) => {
    if (direction === 'oscar_to_primero') {
      const plan = planPrimeroCaseWrite({
        event: oscarEvent(buildOscarClient({ gender: from })),
        existing: null,
        tables,
        today,
      });
      expect(plan.kind === 'create' && plan.data.sex).toBe(to);
    } else {
      const out = primeroCaseToEvents(
        { case: buildPrimeroCase({ sex: from }), referrals: [buildPrimeroReferral()] },
        tables,
      );
      if (!out.ok || out.value.caseChanged === null) throw new Error('expected an event');
      const [upsert] = toOscarReferralUpserts(out.value.caseChanged, tables);
      expect(upsert?.ok && upsert.body.organization.gender).toBe(to);
    }
  });
});

describe('referral-status.csv: every row', () => {
  it.each(csvRows('referral-status.csv'))('%s: %s → %j', (direction, from, to) => {
    const map =
      direction === 'oscar_to_primero_service'
        ? tables.referralStatus.oscarToPrimeroService.get(from ?? '')
        : direction === 'primero_service_to_primero_referral'
          ? tables.referralStatus.primeroServiceToPrimeroReferral.get(from ?? '')
          : tables.referralStatus.primeroToOscar.get(from ?? '');
    expect(map ?? '').toBe(to);
  });

  it.each(csvRows('referral-status.csv').filter(([direction]) => direction === 'oscar_to_primero_service'))(
    'a new OSCaR referral row with status %s → %s',
    (_direction, from, to) => {
      const event = oscarEvent(
        buildOscarClient({ services: [buildOscarReferralService({ referral_status: from })] }),
      );
      const plan = planPrimeroCaseWrite({ event, existing: null, tables, today });
      const [row] = (plan.kind === 'create' ? plan.data.services_section : []) as Json[];
      expect(row?.referral_status_edf41f2).toBe(to === '' ? 'pending_310366' : to);
    },
  );
});
