/**
 * Assertions shared by the fault tests: every store verb, and "fails with the typed error, in time".
 */
import { expect } from 'vitest';
import { SessionStoreUnavailableError } from '../../src/index.js';
import type { RedisStore } from '../../src/redis/index.js';
import { newId, storedSession } from '../../src/testing/index.js';

const HOUR_MS = 60 * 60_000;

/** One call of every store verb on session `id` (it may be destroyed by them). */
export function everyVerb(store: RedisStore, id: string): Array<[string, () => Promise<unknown>]> {
  return [
    ['load', () => store.load(id, HOUR_MS)],
    ['create', () => store.create(newId(), storedSession({ a: '1' }, { userId: 'fault-user' }), HOUR_MS)],
    ['patch', () => store.patch(id, { set: { a: '2' }, remove: [] }, HOUR_MS)],
    ['patch with user', () => store.patch(id, { set: {}, remove: [], userId: 'fault-user' }, HOUR_MS)],
    ['increment', () => store.increment(id, 'n', 1, HOUR_MS)],
    ['regenerate', () => store.regenerate(id, newId(), HOUR_MS)],
    ['touch', () => store.touch(id, HOUR_MS)],
    ['destroy', () => store.destroy(id)],
    ['listUserSessions', () => store.listUserSessions('fault-user')],
    ['destroyUserSessions', () => store.destroyUserSessions('fault-user')],
  ];
}

/**
 * Runs `call`, expects a SessionStoreUnavailableError within `limitMs`, and resolves the error and
 * the elapsed time.
 */
export async function expectUnavailable(
  what: string,
  call: () => Promise<unknown>,
  limitMs: number,
): Promise<{ error: SessionStoreUnavailableError; elapsedMs: number }> {
  const start = performance.now();
  const outcome = await call().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  const elapsedMs = performance.now() - start;
  expect('error' in outcome ? outcome.error : outcome, what).toBeInstanceOf(SessionStoreUnavailableError);
  expect(elapsedMs, `${what} took ${Math.round(elapsedMs)} ms`).toBeLessThan(limitMs);
  const error = (outcome as { error: SessionStoreUnavailableError }).error;
  expect(error.status).toBe(503);
  return { error, elapsedMs };
}
