/**
 * Per-case ordering: every event of one subject goes to the same partition queue, which has a single
 * active consumer, so a case's events are applied in order while different cases run in parallel.
 * Partitioning is computed by the publisher (FNV-1a of the subject), not by a broker plugin, so it behaves
 * the same on RabbitMQ 3.10 and 4.x without enabling the consistent-hash exchange.
 */
export function partitionOf(subject: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < subject.length; i += 1) {
    hash ^= subject.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}
