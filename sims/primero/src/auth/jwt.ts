import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HS256 JSON Web Tokens, signed and checked with node:crypto (the format devise-jwt emits: header
 * `{"alg":"HS256"}`, claims `sub`, `scp`, `aud`, `iat`, `exp`, `jti`). Small enough not to need a library.
 */

export interface PrimeroClaims {
  readonly sub: string;
  readonly scp: 'user';
  readonly aud: null;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

export type VerifyResult = { ok: true; claims: PrimeroClaims } | { ok: false; message: string };

const header = base64url(JSON.stringify({ alg: 'HS256' }));

export function signJwt(claims: PrimeroClaims, secret: Buffer): string {
  const payload = base64url(JSON.stringify(claims));
  return `${header}.${payload}.${signature(`${header}.${payload}`, secret)}`;
}

/**
 * Checks the signature and the expiry (ruby-jwt: expired when `exp <= now`). The messages are the
 * ruby-jwt exception messages that Devise returns as `{"error": …}`.
 */
export function verifyJwt(token: string, secret: Buffer, nowSeconds: number): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, message: 'Not enough or too many segments' };
  const [head, payload, sig] = parts as [string, string, string];
  let decodedHeader: unknown;
  let claims: unknown;
  try {
    decodedHeader = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, message: 'Invalid segment encoding' };
  }
  if (!isRecord(decodedHeader) || decodedHeader.alg !== 'HS256') {
    return { ok: false, message: 'Expected a different algorithm' };
  }
  const expected = Buffer.from(signature(`${head}.${payload}`, secret));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, message: 'Signature verification failed' };
  }
  if (!isClaims(claims)) return { ok: false, message: 'Invalid segment encoding' };
  if (claims.exp <= nowSeconds) return { ok: false, message: 'Signature has expired' };
  return { ok: true, claims };
}

function signature(input: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(input).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isClaims(value: unknown): value is PrimeroClaims {
  return (
    isRecord(value) &&
    typeof value.sub === 'string' &&
    typeof value.exp === 'number' &&
    typeof value.iat === 'number' &&
    typeof value.jti === 'string'
  );
}
