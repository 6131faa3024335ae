// How the services' Node.js processes are tuned for memory. The image sets the same variables (Dockerfile,
// a test holds them equal), and `pnpm start` and `pnpm bench` run the services with them. Measured in
// docs/benchmarks.md ("Memory per service").

/**
 * - `--max-semi-space-size=2`: V8 sizes the young generation for the machine (16–32 MB semi-spaces on a
 *   large one), far more than a page or a message's short-lived objects need.
 * - `--max-old-space-size=64`: V8 otherwise lets the old generation grow far past the live set (to about
 *   4 GB on a large machine) before it collects it in full. A service's live heap stays under 50 MB through
 *   a 10,000 + 10,000 backfill: nothing a service holds grows with the number of records (the oscar-poller
 *   reads OSCaR's list of the day a chunk at a time, the primero-poller Primero's a page at a time).
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (V8's and libuv's workers) an arena of its
 *   own, and memory freed in one is not returned while any of it is in use; two are enough for one event loop.
 * - `MALLOC_MMAP_THRESHOLD_=131072`: glibc raises its threshold for giving a large block its own mapping
 *   each time one is freed (up to 32 MB), after which response bodies and outbox payloads of a few hundred
 *   kB come from the heap, which it rarely gives back; a fixed threshold returns them to the system when freed.
 */
export const serviceProcessEnv = {
  NODE_OPTIONS: '--max-semi-space-size=2 --max-old-space-size=64',
  MALLOC_ARENA_MAX: '2',
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;
