import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `check` every `intervalMs` until it resolves true, or rejects after `timeoutMs` naming
 * `what`. A check that throws counts as "not yet": a server that is still starting, a cluster not
 * yet formed, an app that has not recovered. For states that have no event to wait on.
 */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await delay(intervalMs);
  }
}
