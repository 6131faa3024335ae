import { describe, expect, it } from 'vitest';

import { oscarErrorDetails } from '../src/oscar.client.ts';
import { primeroErrorDetails } from '../src/primero.client.ts';
import { decodeJwtClaims, tokenState } from '../src/primero-auth.ts';
import { classifyStatus, parseRetryAfter, UpstreamError } from '../src/upstream-error.ts';

describe('classifyStatus', () => {
  it.each([
    [401, 'AUTH_FAILED', false],
    [403, 'FORBIDDEN', false],
    [404, 'NOT_FOUND', false],
    [408, 'TIMEOUT', true],
    [409, 'CONFLICT', false],
    [400, 'BAD_REQUEST', false],
    [414, 'REQUEST_TOO_LONG', false],
    [422, 'VALIDATION', false],
    [429, 'RATE_LIMITED', true],
    [500, 'SERVER_ERROR', true],
    [502, 'SERVER_ERROR', true],
    [503, 'SERVER_ERROR', true],
  ] as const)('%i → %s (retryable %s)', (status, code, retryable) => {
    expect(classifyStatus(status)).toEqual({ code, retryable });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-08-02T09:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('60', now)).toBe(60_000);
    expect(parseRetryAfter('Sat, 02 Aug 2025 09:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 02 Aug 2025 08:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('UpstreamError', () => {
  it('names system, operation, status, code and details in its message', () => {
    const error = new UpstreamError({
      system: 'primero',
      code: 'VALIDATION',
      operation: 'PATCH /api/v2/cases/:id',
      status: 422,
      retryable: false,
      details: ['Invalid Record JSON at /created_by'],
    });
    expect(error.message).toBe(
      'primero PATCH /api/v2/cases/:id: HTTP 422 VALIDATION: Invalid Record JSON at /created_by',
    );
    expect(error).toMatchObject({ name: 'UpstreamError', retryAfterMs: undefined });
  });
});

describe('primeroErrorDetails', () => {
  it('keeps messages and JSON pointers, drops free-text details', () => {
    expect(
      primeroErrorDetails(422, {
        errors: [
          {
            status: 422,
            resource: '/api/v2/cases',
            message: 'Invalid Record JSON',
            detail: ['/services_section/0/service_subtype/0', '/created_by'],
          },
        ],
      }),
    ).toEqual(['Invalid Record JSON at /services_section/0/service_subtype/0, /created_by']);
    expect(
      primeroErrorDetails(404, {
        errors: [{ status: 404, message: 'Not Found', detail: "Couldn't find Child with 'id'=Sokha Chan" }],
      }),
    ).toEqual(['Not Found']);
    expect(
      primeroErrorDetails(422, {
        errors: [
          { detail: 'date_of_birth', message: ['Please enter a valid date of birth for this case record'] },
        ],
      }),
    ).toEqual(['Please enter a valid date of birth for this case record at date_of_birth']);
  });

  it('shows the Devise error string, hides 5xx messages', () => {
    expect(primeroErrorDetails(401, { error: 'Invalid User name or password.' })).toEqual([
      'Invalid User name or password.',
    ]);
    expect(primeroErrorDetails(500, { errors: [{ message: 'undefined method for "Sokha"' }] })).toEqual([
      '(5xx message not shown)',
    ]);
    expect(
      primeroErrorDetails(503, { errors: [{ message: 'Service Unavailable', detail: 'Retry-After: 60' }] }),
    ).toEqual(['Service Unavailable']);
    expect(primeroErrorDetails(500, ['Sokha'])).toEqual(['JSON an array body (not shown)']);
  });
});

describe('oscarErrorDetails', () => {
  it('keeps Rails attribute names and messages, never external_id', () => {
    const externalId = 'cf579546-49fc-4352-afc6-6c2636392077';
    const details = oscarErrorDetails(422, {
      external_id: externalId,
      message: {
        level_of_risk: ["can't be blank", 'is not included in the list'],
        services: ["can't be blank"],
      },
    });
    expect(details).toEqual([
      "level_of_risk: can't be blank, is not included in the list",
      "services: can't be blank",
    ]);
    expect(details.join(' ')).not.toContain(externalId);
    expect(
      oscarErrorDetails(422, {
        external_id: externalId,
        message: 'Record was found.',
        errors: { global_id: 'global_id must exist.' },
      }),
    ).toEqual(['Record was found.', 'global_id: global_id must exist.']);
    expect(
      oscarErrorDetails(422, {
        error: "Couldn't find Referral with 'id'=2214",
        message: 'Record error. Please check OSCaR logs for details.',
      }),
    ).toEqual([
      'Record error. Please check OSCaR logs for details.',
      "Couldn't find Referral with 'id'=2214",
    ]);
    expect(oscarErrorDetails(401, { errors: ['You need to sign in or sign up before continuing.'] })).toEqual(
      ['You need to sign in or sign up before continuing.'],
    );
    expect(oscarErrorDetails(500, { message: 'anything' })).toEqual([
      'JSON error body (not shown for a 5xx)',
    ]);
  });
});

describe('tokenState', () => {
  const jwt = (claims: object) =>
    `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.signature`;

  it('lays the token lifetime on the local clock and refreshes 5 min before expiry', () => {
    const state = tokenState(jwt({ iat: 1_000, exp: 4_600 }), 50_000_000, 300_000);
    expect(state.expiresAt).toBe(50_000_000 + 3_600_000);
    expect(state.refreshAt).toBe(50_000_000 + 3_300_000);
  });

  it('refreshes at half-life for short-lived tokens and assumes 60 min without claims', () => {
    expect(tokenState(jwt({ iat: 0, exp: 120 }), 0, 300_000).refreshAt).toBe(60_000);
    expect(tokenState('opaque', 0, 300_000).expiresAt).toBe(3_600_000);
    expect(decodeJwtClaims('a.!!!.c')).toBeUndefined();
  });
});
