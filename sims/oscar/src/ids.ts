import { randomBytes, randomInt } from 'node:crypto';

import { encodeUlid } from './core/ulid.ts';
import type { IdGenerators } from './state/store.ts';

/**
 * Default id generators from node:crypto. ULIDs are written here (30 lines in core/ulid.ts) rather than taken from
 * the `ulid` package: the clock must be the simulator's injectable `now()`, and tests and seeds need to swap the
 * random source, which the package's factory makes awkward; it would also be a dependency for very little code.
 */
export function cryptoIds(): IdGenerators {
  return {
    newUlid: (now) => encodeUlid(now.getTime(), randomBytes(10)),
    slugLetters: () => Array.from({ length: 4 }, () => String.fromCharCode(97 + randomInt(26))).join(''),
    newToken: () => randomBytes(16).toString('base64url'),
  };
}
