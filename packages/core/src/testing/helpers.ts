import { setTimeout as delay } from 'node:timers/promises';
import type { SessionMeta, StoredSession } from '../store.js';
import { generateSessionId } from '../id.js';

/** Secrets for tests: two valid 32+ character secrets with ids, the first seals. */
export const testSecrets = [
  { id: 'test1', secret: 'sessionkit-test-secret-one-0123456789abcdef' },
  { id: 'test0', secret: 'sessionkit-test-secret-zero-0123456789abcdef' },
] as const;

/** A stored session with the given serialized data, alive for `absoluteMs`. */
export function storedSession(
  data: Record<string, string> = {},
  meta: Partial<SessionMeta> & { absoluteMs?: number } = {},
): StoredSession {
  const createdAt = meta.createdAt ?? Date.now();
  return {
    data,
    meta: {
      createdAt,
      absoluteDeadlineMs: meta.absoluteDeadlineMs ?? createdAt + (meta.absoluteMs ?? 60 * 60_000),
      ...(meta.userId === undefined ? {} : { userId: meta.userId }),
    },
  };
}

/** A fresh session id. */
export const newId = generateSessionId;

/**
 * Waits until `check` holds, polling, or fails after `timeoutMs`. Expiry has no event to wait for,
 * so expiry tests poll for the state change instead of sleeping a fixed time and hoping.
 */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await delay(10);
  }
}
