import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { CaseChanged, jsonSchemas, parseEvent, ReferralDecision } from '../src/index.ts';
import { buildCaseChanged, buildReferralDecision, buildService } from './builders.ts';

describe('CaseChanged', () => {
  it('accepts a realistic Primero referral case', () => {
    expect(CaseChanged.safeParse(buildCaseChanged()).success).toBe(true);
  });

  it('accepts an OSCaR shared client with Khmer names and enrolment services', () => {
    const event = buildCaseChanged({
      data: {
        origin: 'oscar',
        person: {
          givenName: 'Vanna',
          familyName: 'Sok',
          localGivenName: 'វណ្ណា',
          localFamilyName: 'សុខ',
          sex: 'male',
          dateOfBirth: '2011-09-03',
        },
        owner: null,
        caseWorker: { name: 'Dara Kim', phone: '012345678' },
        services: [
          buildService({
            direction: 'oscar_enrolment',
            sourceServiceId: 'cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f',
            primeroServiceType: null,
            primeroSubtype: null,
            oscarServiceName: 'Family support',
            primeroReferralId: null,
            primeroReferralStatus: null,
            primeroReferralCreatedAt: null,
            referralState: null,
            enrolmentDate: '2024-02-01',
            programName: 'Family Support',
          }),
        ],
      },
    });
    expect(CaseChanged.safeParse(event).success).toBe(true);
  });

  it.each([
    [
      'a missing subject prefix',
      (e: ReturnType<typeof buildCaseChanged>) => (e.metadata.subject = 'abc'),
      'metadata.subject',
    ],
    [
      'a v4 event id',
      (e: ReturnType<typeof buildCaseChanged>) =>
        (e.metadata.eventId = 'ee03c7e4-46bd-40ed-9312-01ce08515f1a'),
      'metadata.eventId',
    ],
    [
      'a non-hex fingerprint',
      (e: ReturnType<typeof buildCaseChanged>) => (e.data.fingerprint = 'xyz'),
      'data.fingerprint',
    ],
    [
      'an unknown service direction',
      (e: ReturnType<typeof buildCaseChanged>) =>
        Object.assign(e.data.services[0] ?? {}, { direction: 'sideways' }),
      'data.services.0.direction',
    ],
    [
      'a numeric case id',
      (e: ReturnType<typeof buildCaseChanged>) => Object.assign(e.data.ids, { caseId: 42 }),
      'data.ids.caseId',
    ],
    [
      'an unknown key',
      (e: ReturnType<typeof buildCaseChanged>) => Object.assign(e.data, { record_id: 'x' }),
      'data',
    ],
  ])('rejects %s with a message naming the field', (_label, mutate, path) => {
    const event = buildCaseChanged();
    mutate(event);
    const result = parseEvent('primero.case.changed', event);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe('INVALID');
      expect(result.message).toContain(`${path}:`);
    }
  });

  it('never echoes field values (personal data) in validation messages', () => {
    const event = buildCaseChanged();
    Object.assign(event.data.person, { givenName: 12345, dateOfBirth: { secret: 'Sokha Chan 2014' } });
    const result = parseEvent('primero.case.changed', event);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toContain('data.person.givenName');
      expect(result.message).not.toContain('12345');
      expect(result.message).not.toContain('Sokha');
    }
  });
});

describe('ReferralDecision', () => {
  it('accepts an NGO acceptance of a Primero referral', () => {
    expect(ReferralDecision.safeParse(buildReferralDecision()).success).toBe(true);
  });

  it('rejects a decision that is neither accepted nor rejected', () => {
    const event = buildReferralDecision();
    Object.assign(event.data, { decision: 'pending' });
    const result = parseEvent('oscar.referral.decided', event);
    expect(result).toMatchObject({ ok: false, reason: 'INVALID' });
    if (!result.ok) expect(result.message).toContain('data.decision');
  });

  it('rejects a CaseChanged body on a decision route', () => {
    const result = parseEvent('oscar.referral.decided', buildCaseChanged());
    expect(result.ok).toBe(false);
  });

  it('rejects a non-integer OSCaR referral id', () => {
    const event = buildReferralDecision();
    Object.assign(event.data.referral, { oscarReferralId: '2230' });
    const result = parseEvent('oscar.referral.decided', event);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain('data.referral.oscarReferralId');
  });
});

describe('routing registry', () => {
  it('refuses unknown routing keys', () => {
    expect(parseEvent('primero.case.deleted', buildCaseChanged())).toEqual({
      ok: false,
      reason: 'UNKNOWN_ROUTE',
      message: 'unknown routing key "primero.case.deleted"',
    });
  });
});

describe('exported JSON Schemas', () => {
  it.each(Object.entries(jsonSchemas()))('%s.schema.json is current (run `pnpm schemas`)', (name, schema) => {
    const file = new URL(`../schemas/${name}.schema.json`, import.meta.url);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
  });
});
