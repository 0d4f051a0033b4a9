/**
 * Runs `check` until it passes (every 100 ms), or throws its last error
 * once `timeoutMs` has passed: for what a backend does in the background.
 */
export async function eventually(
  check: () => Promise<void>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
}
