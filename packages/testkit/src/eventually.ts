/**
 * Waits until `check` holds, asking again every `intervalMs`; fails once `timeoutMs` has passed. For what
 * another process or a consumer does in its own time (a message handled, a row written).
 */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const { timeoutMs = 15_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error('condition not met in time');
}
