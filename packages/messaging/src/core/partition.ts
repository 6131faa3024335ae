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

/** This replica's own partitions first; the rest it only stands by for. */
export function splitPartitions(
  queues: readonly string[],
  replica: { index: number; count: number } | undefined,
): { preferred: string[]; others: string[] } {
  if (!replica || replica.count <= 1) return { preferred: [...queues], others: [] };
  const mine = (i: number) =>
    i % replica.count === ((replica.index % replica.count) + replica.count) % replica.count;
  return {
    preferred: queues.filter((_, i) => mine(i)),
    others: queues.filter((_, i) => !mine(i)),
  };
}
