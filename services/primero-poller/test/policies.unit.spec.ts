import { describe, expect, it } from 'vitest';

import { needsReferrals, newest, nextCursor } from '../src/core/cursor.policy.ts';
import { duplicateLinkError, linkConflict, oscarNumberHeld } from '../src/core/oscar-link.policy.ts';
import { caseReadOf, isUnchangedSinceRead, type RememberedRead } from '../src/core/reread.policy.ts';

const recordId = 'ee03c7e4-46bd-40ed-9312-01ce08515f1a';
const at = '2026-12-08T06:01:12.514Z';

function remembered(overrides: Partial<RememberedRead> = {}): RememberedRead {
  return {
    recordId,
    lastUpdatedAt: at,
    mappingsVersion: '2026-11-01',
    rejected: false,
    rejectionOnRecord: false,
    ...overrides,
  };
}

describe('caseReadOf', () => {
  it('keys a listed case by its record id and last_updated_at', () => {
    expect(caseReadOf({ id: recordId, case_id: 'c', last_updated_at: at }, '2026-11-01')).toStrictEqual({
      recordId,
      lastUpdatedAt: at,
      mappingsVersion: '2026-11-01',
    });
  });

  it.each([
    ['no id', { last_updated_at: at }],
    ['an empty id', { id: '', last_updated_at: at }],
    ['no last_updated_at', { id: recordId }],
    ['a null last_updated_at', { id: recordId, last_updated_at: null }],
    ['not an object', 'case'],
    ['null', null],
    ['an id of a megabyte', { id: 'x'.repeat(1 << 20), last_updated_at: at }],
    ['a last_updated_at that is not a time', { id: recordId, last_updated_at: `${at}${'x'.repeat(5000)}` }],
  ])('gives nothing to remember for %s', (_label, record) => {
    expect(caseReadOf(record, '2026-11-01')).toBeNull();
  });
});

describe('isUnchangedSinceRead', () => {
  const current = { recordId, lastUpdatedAt: at, mappingsVersion: '2026-11-01' };

  it('skips a case listed again with the last_updated_at it was handled at', () => {
    expect(isUnchangedSinceRead(current, remembered())).toBe(true);
  });

  it.each([
    ['never handled', undefined],
    ['saved since (last_updated_at moved)', remembered({ lastUpdatedAt: '2026-12-08T06:00:59.001Z' })],
    ['mapped with other mapping tables', remembered({ mappingsVersion: '2026-10-01' })],
    ['another record', remembered({ recordId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' })],
    [
      'rejected, and its dead letter replayed since',
      remembered({ rejected: true, rejectionOnRecord: false }),
    ],
  ])('handles it again when %s', (_label, previous) => {
    expect(isUnchangedSinceRead(current, previous)).toBe(false);
  });

  it('skips a rejected case whose rejection still stands (it would only be rejected again)', () => {
    expect(isUnchangedSinceRead(current, remembered({ rejected: true, rejectionOnRecord: true }))).toBe(true);
  });

  it('never skips a case it could not remember', () => {
    expect(isUnchangedSinceRead(null, remembered())).toBe(false);
  });
});

describe('nextCursor', () => {
  const pollStartedAt = new Date('2026-12-08T06:10:00.000Z');
  const overlapMs = 60_000;

  it('follows the newest change seen while it is older than the overlap', () => {
    expect(
      nextCursor({ previous: at, newestSeen: '2026-12-08T06:05:00.000Z', pollStartedAt, overlapMs }),
    ).toBe('2026-12-08T06:05:00.000Z');
  });

  it('stays the overlap behind the poll start', () => {
    expect(
      nextCursor({ previous: at, newestSeen: '2026-12-08T06:09:59.000Z', pollStartedAt, overlapMs }),
    ).toBe('2026-12-08T06:09:00.000Z');
  });

  it('never moves backwards, and stays put when nothing was seen', () => {
    expect(
      nextCursor({ previous: at, newestSeen: '2026-01-01T00:00:00.000Z', pollStartedAt, overlapMs }),
    ).toBe(at);
    expect(nextCursor({ previous: at, newestSeen: null, pollStartedAt, overlapMs })).toBe(at);
  });
});

describe('needsReferrals and newest', () => {
  it('fetches referrals only for cases with a service referred to OSCaR', () => {
    expect(needsReferrals({ services_section: [{ service_response_type: 'referral_to_oscar' }] })).toBe(true);
    expect(needsReferrals({ services_section: [{ service_response_type: 'referral_from_oscar' }] })).toBe(
      false,
    );
    expect(needsReferrals({})).toBe(false);
    expect(needsReferrals(null)).toBe(false);
  });

  it('keeps the largest ISO time and ignores what is not one', () => {
    expect(newest(null, at)).toBe(at);
    expect(newest(at, '2026-12-08T06:00:00.000Z')).toBe(at);
    expect(newest(at, 'yesterday')).toBe(at);
    expect(newest(at, `2027-01-01T00:00:00.000Z${'x'.repeat(5000)}`)).toBe(at);
  });
});

describe('oscar links', () => {
  const oscarNumber = '01HZX3K8Q2V7RMB5T9C4WJDNEF';
  const holder = { oscarNumber, recordId, caseId: '5f6130b0-bfa7-4544-a3c8-897f54d3b877' };
  const other = {
    oscarNumber,
    recordId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
    caseId: 'd0d0d0d0-1234-4abc-8def-0123456789ab',
  };

  it('lets the first case with an OSCaR number hold it, and that case keep it', () => {
    expect(linkConflict(new Map(), other)).toBeNull();
    expect(linkConflict(new Map([[oscarNumber, holder]]), holder)).toBeNull();
  });

  it('refuses a second case with the number, naming both cases and the fix, no person data', () => {
    const held = linkConflict(new Map([[oscarNumber, holder]]), other);
    expect(held).toBe(holder);
    const error = duplicateLinkError(other, holder);
    expect(error).toMatchObject({ code: 'IDENTITY_CONFLICT', recordId: other.caseId, field: 'oscar_number' });
    expect(error.message).toContain(oscarNumber);
    expect(error.message).toContain(holder.caseId);
  });

  it.each([
    ['a linked case', { oscar_number: oscarNumber }, oscarNumber],
    ['a disabled case (it lets its OSCaR client go)', { oscar_number: oscarNumber, enabled: false }, null],
    ['a blank number', { oscar_number: ' ' }, null],
    ['no number', {}, null],
  ])('reads the number %s holds', (_label, record, expected) => {
    expect(oscarNumberHeld(record)).toBe(expected);
  });
});
