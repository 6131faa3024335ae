import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

/**
 * The console password is kept as an scrypt hash (node:crypto, no dependency): memory-hard, so a stolen
 * hash is slow to guess, and self-describing, so its cost can be raised later without breaking old hashes.
 *
 * Format: `scrypt:<N>:<r>:<p>:<salt, base64>:<hash, base64>`, e.g. `scrypt:32768:8:1:…:…`. Colons, not the
 * PHC string's `$`, so that the hash can be pasted into a shell, an .env file or a compose file unquoted: each
 * would read `$…` as a variable.
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** OWASP's recommended minimum for scrypt (N=2^15, r=8, p=1): about 32 MiB and 50–100 ms per check. */
export const defaultCost: ScryptCost = { N: 32_768, r: 8, p: 1 };
const keyLength = 32;
const pattern = /^scrypt:(\d+):(\d+):(\d+):([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$/;

export function isPasswordHash(text: string): boolean {
  return parse(text) !== null;
}

export async function hashPassword(password: string, cost: ScryptCost = defaultCost): Promise<string> {
  if (password === '') throw new Error('the password must not be empty');
  const salt = randomBytes(16);
  const hash = await derive(password, salt, keyLength, cost);
  return `scrypt:${cost.N}:${cost.r}:${cost.p}:${salt.toString('base64')}:${hash.toString('base64')}`;
}

/** True when `password` is the one `stored` was made from; takes the same time whatever the password. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(candidate, parsed.hash);
}

function parse(text: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | null {
  const match = pattern.exec(text.trim());
  if (!match) return null;
  const [, n, r, p, salt, hash] = match;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  // N a power of two above 1, as scrypt requires; r and p at least 1.
  if (cost.N < 2 || (cost.N & (cost.N - 1)) !== 0 || cost.r < 1 || cost.p < 1) return null;
  const saltBytes = Buffer.from(salt ?? '', 'base64');
  const hashBytes = Buffer.from(hash ?? '', 'base64');
  if (saltBytes.length < 8 || hashBytes.length < 16) return null;
  return { cost, salt: saltBytes, hash: hashBytes };
}

function derive(password: string, salt: Buffer, length: number, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}
