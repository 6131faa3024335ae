import { v5 } from 'uuid';

/**
 * Deterministic UUIDv5 ids (RFC 9562 §5.5) for Primero service rows and the cases the sync creates: the same
 * OSCaR referral or enrolment always gets the same `unique_id`, so re-syncs merge into the row instead of
 * appending a new one. The `uuid` package computes them; it is a pure function (no I/O), like the core.
 */

/** Namespace of the service-row ids this sync mints (a fixed random UUIDv4; never change it). */
export const serviceRowNamespace = '6b0f3d1e-8c2a-4e57-9b4d-2f7a1c9e5d30';

/**
 * UUIDv5 of `name` in `namespace`, lower case. Throws a TypeError when `namespace` is not a UUID.
 *
 * @example uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8') // '2ed6657d-e927-568b-95e1-2665a8aea6a2'
 */
export function uuidv5(name: string, namespace: string = serviceRowNamespace): string {
  return v5(name, namespace);
}
