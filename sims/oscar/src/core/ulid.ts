/** Crockford base32, as ULIDs use it (no I, L, O, U). */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Encodes a ULID: 48-bit millisecond timestamp (10 chars) + 80 random bits (16 chars), 26 chars in all.
 * OSCaR's `GlobalIdentity` keys are ULIDs like `01EHAZ3XN6DJX0GQGR8R5KV7AZ`.
 *
 * @example encodeUlid(0, new Uint8Array(10)) // '00000000000000000000000000'
 */
export function encodeUlid(timeMs: number, random: Uint8Array): string {
  if (random.length < 10) throw new Error('a ULID needs 10 random bytes');
  let time = Math.max(0, Math.min(Math.floor(timeMs), 2 ** 48 - 1));
  let timePart = '';
  for (let index = 0; index < 10; index += 1) {
    timePart = (alphabet[time % 32] ?? '0') + timePart;
    time = Math.floor(time / 32);
  }
  let bits = 0n;
  for (let index = 0; index < 10; index += 1) bits = (bits << 8n) | BigInt(random[index] ?? 0);
  let randomPart = '';
  for (let index = 0; index < 16; index += 1) {
    randomPart = (alphabet[Number(bits & 31n)] ?? '0') + randomPart;
    bits >>= 5n;
  }
  return timePart + randomPart;
}

export const ulidPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
