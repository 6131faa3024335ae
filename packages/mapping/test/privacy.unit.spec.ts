import { describe, expect, it } from 'vitest';

import {
  oscarClientToEvents,
  planPrimeroCaseWrite,
  planPrimeroDecision,
  primeroCaseToEvents,
  toOscarReferralUpserts,
  toOscarStatusUpdate,
} from '../src/index.ts';
import {
  buildOscarClient,
  buildOscarDecision,
  buildOscarProgramService,
  buildPrimeroCase,
  buildPrimeroReferral,
  buildPrimeroService,
  buildSharedClient,
  ids,
  loadTables,
  now,
  oscarEvent,
  today,
} from './builders.ts';

const tables = loadTables();

/** Person data that must never reach an error message (and so a log or a dead-letter reason). */
const secrets = {
  given_name: 'Sentinelgiven',
  family_name: 'Sentinelfamily',
  local_given_name: 'សុខសុខសុខ',
  local_family_name: 'ចាន់ចាន់ចាន់',
  date_of_birth: '2011-11-11',
  location_current_village_code: '26019876',
  address_current_village_code: '26019876',
  reason_for_referral: 'Sentinel reason about the child',
  case_worker_name: 'Sentinel Worker',
  case_worker_mobile: '0998877665',
};
const primeroSecrets = {
  name_first: 'Sentinelgiven',
  name_last: 'Sentinelfamily',
  date_of_birth: '2011-11-11',
  location_current: '26019876',
  owned_by_phone: '0998877665',
};
const forbidden = [...Object.values(secrets), '20111111', '11/11/2011', 'Sentinel'];

function messageOf(outcome: unknown): string {
  if (typeof outcome !== 'object' || outcome === null) return '';
  const o = outcome as { error?: { message?: string }; reason?: unknown };
  return o.error?.message ?? (typeof o.reason === 'string' ? o.reason : '');
}

const cases: [string, () => unknown][] = [
  [
    'OSCaR client with a numeric name',
    () => oscarClientToEvents(buildOscarClient({ ...secrets, given_name: 20111111 }), tables, { now }),
  ],
  [
    'OSCaR client with a numeric DOB',
    () => oscarClientToEvents(buildOscarClient({ ...secrets, date_of_birth: 20111111 }), tables, { now }),
  ],
  [
    'OSCaR client with a malformed enrolment date',
    () =>
      oscarClientToEvents(
        buildOscarClient({
          ...secrets,
          services: [buildOscarProgramService({ enrollment_date: '11/11/2011' })],
        }),
        tables,
        { now },
      ),
  ],
  [
    'OSCaR client without global_id',
    () => oscarClientToEvents(buildOscarClient({ ...secrets, global_id: '' }), tables, { now }),
  ],
  [
    'unknown province',
    () =>
      planPrimeroCaseWrite({ event: oscarEvent(buildOscarClient(secrets)), existing: null, tables, today }),
  ],
  [
    'unknown organisation',
    () =>
      planPrimeroCaseWrite({
        event: oscarEvent(buildOscarClient({ ...secrets, is_referred: false, organization_name: 'zz' })),
        existing: null,
        tables,
        today,
      }),
  ],
  [
    'unknown risk level',
    () =>
      planPrimeroCaseWrite({
        event: oscarEvent(
          buildOscarClient({
            ...secrets,
            location_current_village_code: '12011111',
            level_of_risk: 'extreme',
          }),
        ),
        existing: null,
        tables,
        today,
      }),
  ],
  [
    'unknown organisation written as words',
    () =>
      planPrimeroCaseWrite({
        event: oscarEvent(
          buildOscarClient({ ...secrets, is_referred: false, organization_name: 'Sentinel home of Sokha' }),
        ),
        existing: null,
        tables,
        today,
      }),
  ],
  [
    'a level of risk written as words',
    () =>
      planPrimeroCaseWrite({
        event: oscarEvent(
          buildOscarClient({
            ...secrets,
            location_current_village_code: '12011111',
            level_of_risk: 'high: Sentinelgiven alone at home',
          }),
        ),
        existing: null,
        tables,
        today,
      }),
  ],
  [
    'a location written as words',
    () =>
      planPrimeroCaseWrite({
        event: oscarEvent(buildOscarClient({ ...secrets, location_current_village_code: 'ភូមិSentinel' })),
        existing: null,
        tables,
        today,
      }),
  ],
  [
    'OSCaR client whose global_id is a name (in Khmer: an id has no spaces and is ASCII)',
    () =>
      oscarClientToEvents(buildOscarClient({ ...secrets, global_id: secrets.local_given_name }), tables, {
        now,
      }),
  ],
  [
    'Primero case whose case_id is a name (with a space: an id has none)',
    () =>
      primeroCaseToEvents(
        {
          case: buildPrimeroCase({ ...primeroSecrets, case_id: 'Sentinelgiven Sentinelfamily' }),
          referrals: [],
        },
        tables,
      ),
  ],
  [
    'Primero case with an impossible date of birth',
    () =>
      primeroCaseToEvents(
        {
          case: buildPrimeroCase({ ...primeroSecrets, date_of_birth: '11/11/2011' }),
          referrals: [buildPrimeroReferral()],
        },
        tables,
      ),
  ],
  [
    'outbound agency written as words',
    () => {
      const out = primeroCaseToEvents(
        {
          case: buildPrimeroCase({
            ...primeroSecrets,
            services_section: [
              buildPrimeroService({ service_implementing_agency: 'Sentinel children home' }),
            ],
          }),
          referrals: [buildPrimeroReferral()],
        },
        tables,
      );
      if (!out.ok || out.value.caseChanged === null) throw new Error('expected an event');
      return toOscarReferralUpserts(out.value.caseChanged, tables)[0];
    },
  ],
  [
    'outbound risk level written as words',
    () => {
      const out = primeroCaseToEvents(
        {
          case: buildPrimeroCase({ ...primeroSecrets, risk_level: 'Sentinelgiven is alone' }),
          referrals: [buildPrimeroReferral()],
        },
        tables,
      );
      if (!out.ok || out.value.caseChanged === null) throw new Error('expected an event');
      return toOscarReferralUpserts(out.value.caseChanged, tables)[0];
    },
  ],
  [
    'identity conflict',
    () =>
      planPrimeroCaseWrite({
        event: oscarEvent(buildOscarClient({ ...secrets, external_id: ids.caseId })),
        existing: buildPrimeroCase({ ...primeroSecrets, case_id: ids.linkedCaseId }),
        tables,
        today,
      }),
  ],
  [
    'linked case not found',
    () =>
      planPrimeroCaseWrite({ event: oscarEvent(buildSharedClient(secrets)), existing: null, tables, today }),
  ],
  [
    'Primero case with a numeric name',
    () =>
      primeroCaseToEvents(
        { case: buildPrimeroCase({ ...primeroSecrets, name_first: 20111111 }), referrals: [] },
        tables,
      ),
  ],
  [
    'Primero referral with bad notes',
    () =>
      primeroCaseToEvents(
        {
          case: buildPrimeroCase(primeroSecrets),
          referrals: [buildPrimeroReferral({ notes: ['Sentinel reason about the child'] })],
        },
        tables,
      ),
  ],
  [
    'outbound unknown organisation',
    () => {
      const out = primeroCaseToEvents(
        {
          case: buildPrimeroCase({
            ...primeroSecrets,
            services_section: [buildPrimeroService({ service_implementing_agency: 'agency-zz' })],
          }),
          referrals: [buildPrimeroReferral({ notes: 'Sentinel reason about the child' })],
        },
        tables,
      );
      if (!out.ok || out.value.caseChanged === null) throw new Error('expected an event');
      return toOscarReferralUpserts(out.value.caseChanged, tables)[0];
    },
  ],
  [
    'outbound decision without oscar_number',
    () =>
      toOscarStatusUpdate(
        { ...buildOscarDecision(), referral: { ...buildOscarDecision().referral, oscarGlobalId: null } },
        tables,
      ),
  ],
  [
    'decision without a matching referral',
    () =>
      planPrimeroDecision({
        decision: buildOscarDecision(),
        existing: buildPrimeroCase({ ...primeroSecrets, services_section: [] }),
        referrals: [],
        tables,
      }),
  ],
  [
    'ambiguous decision',
    () =>
      planPrimeroDecision({
        decision: buildOscarDecision(),
        existing: buildPrimeroCase({
          ...primeroSecrets,
          services_section: [buildPrimeroService(), buildPrimeroService({ unique_id: ids.secondServiceId })],
        }),
        referrals: [],
        tables,
      }),
  ],
];

describe('error messages never contain person data', () => {
  it.each(cases)('%s', (_name, run) => {
    const message = messageOf(run());
    expect(message).not.toBe('');
    for (const secret of forbidden) expect(message).not.toContain(secret);
  });

  it('still names the province part of a location code (a code, not the location)', () => {
    const out = planPrimeroCaseWrite({
      event: oscarEvent(buildOscarClient(secrets)),
      existing: null,
      tables,
      today,
    });
    expect(messageOf(out)).toContain('province "26"');
  });
});
