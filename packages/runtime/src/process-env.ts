// How the services' Node.js processes are tuned for memory. The image sets the same variables (Dockerfile,
// a test holds them equal), and `pnpm start` and `pnpm bench` run the services with them. Measured in
// docs/benchmarks.md ("Memory per service").

/**
 * - `--max-semi-space-size=2`: V8 sizes the young generation for the machine (16–32 MB semi-spaces on a
 *   large one), far more than a page or a message's short-lived objects need.
 * - `--max-old-space-size=64`: V8 otherwise lets the old generation grow far past the live set (to about
 *   4 GB on a large machine) before it collects it in full. A service's live heap stays under 45 MB through
 *   a 10,000 + 10,000 backfill, the oscar-poller's included while it holds OSCaR's whole list of the day.
 * - `MALLOC_ARENA_MAX=2`: glibc gives each thread that allocates (V8's and libuv's workers) an arena of its
 *   own, and memory freed in one is not returned while any of it is in use; two are enough for one event loop.
 */
export const serviceProcessEnv = {
  NODE_OPTIONS: '--max-semi-space-size=2 --max-old-space-size=64',
  MALLOC_ARENA_MAX: '2',
} as const;
