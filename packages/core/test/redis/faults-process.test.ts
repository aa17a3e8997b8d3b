/**
 * Redis killed, frozen (SIGSTOP) or absent: every store call fails with the typed 503 error within
 * the command timeout, never hangs, never escapes as an unhandled rejection, and the same store
 * object works again once Redis is back. Runs against its own redis-server.
 */
import { freePort, type RedisProcess, startRedis } from '@sessionkit/test-support';
import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { createRedisClient, RedisStore } from '../../src/redis/index.js';
import { newId, storedSession } from '../../src/testing/index.js';
import { everyVerb, expectUnavailable } from './fault-helpers.js';
import { collectErrors, readyClient, setupOnce, uniquePrefix, whenReady } from './support.js';
import { type EscapeRecorder, recordEscapes } from './unhandled.js';

const HOUR_MS = 60 * 60_000;
const COMMAND_TIMEOUT_MS = 500;
// Generous for a loaded 2-core machine; the point is "bounded", not "fast".
const LIMIT_MS = COMMAND_TIMEOUT_MS + 1_000;

let redis: RedisProcess;
let client: Redis;
let store: RedisStore;
const clientErrors = collectErrors();
let escapes: EscapeRecorder;

setupOnce(async () => {
  escapes = recordEscapes();
  redis = await startRedis();
  client = await readyClient(redis.port, { commandTimeout: COMMAND_TIMEOUT_MS, onError: clientErrors.onError });
  store = new RedisStore({ client, prefix: uniquePrefix('fp') });
});
afterAll(async () => {
  escapes?.stop();
  client?.disconnect();
  await redis?.dispose();
});

it('fails every call fast with a typed error while Redis is killed, and recovers after a restart with the same store', async () => {
  const id = newId();
  await store.create(id, storedSession({ a: '1' }), HOUR_MS);
  await redis.kill();
  for (const [what, call] of everyVerb(store, id)) await expectUnavailable(what, call, LIMIT_MS);

  const restartedAt = performance.now();
  await redis.restart();
  await whenReady(client, 5_000);
  // Persistence is off, so the restarted server is empty; the store object itself is unchanged.
  const fresh = newId();
  await store.create(fresh, storedSession({ a: '1' }), HOUR_MS);
  expect(await store.increment(fresh, 'visits', 1, HOUR_MS)).toBe(1);
  expect((await store.load(fresh, HOUR_MS))?.data).toEqual({ a: '1', visits: '1' });
  // Reconnect attempts are at most ~1.1 s apart (capped backoff), so recovery is quick.
  expect(performance.now() - restartedAt).toBeLessThan(5_000);
});

it('answers within the command timeout while Redis is frozen (SIGSTOP), then works again after SIGCONT', async () => {
  const kept = newId();
  const victim = newId();
  await store.create(kept, storedSession({ a: '1' }), HOUR_MS);
  await store.create(victim, storedSession({ a: '1' }), HOUR_MS);
  redis.pause();
  try {
    const { elapsedMs } = await expectUnavailable('load', () => store.load(kept, HOUR_MS), LIMIT_MS);
    // It was the command timeout that answered (the connection is open, nothing replies).
    expect(elapsedMs).toBeGreaterThanOrEqual(COMMAND_TIMEOUT_MS - 50);
    const { error } = await expectUnavailable(
      'patch',
      () => store.patch(kept, { set: { b: '1' }, remove: [] }, HOUR_MS),
      LIMIT_MS,
    );
    expect(error.message).toMatch(/timed out/i);
    // Concurrent calls are each bounded too (they wait side by side, not one after another).
    const start = performance.now();
    await Promise.all(everyVerb(store, victim).map(([what, call]) => expectUnavailable(what, call, LIMIT_MS)));
    expect(performance.now() - start).toBeLessThan(LIMIT_MS);
  } finally {
    redis.resume();
  }
  // The connection survived the freeze: the next call simply works.
  expect((await store.load(kept, HOUR_MS))?.data['a']).toBe('1');
});

it('fails fast with a typed error when nothing listens, reporting to the error listener', async () => {
  const errors = collectErrors();
  const lonely = createRedisClient(`redis://127.0.0.1:${await freePort()}`, { onError: errors.onError });
  try {
    const orphan = new RedisStore({ client: lonely });
    for (const [what, call] of everyVerb(orphan, newId())) await expectUnavailable(what, call, 200);
    await new Promise((resolve) => lonely.once('error', resolve));
    expect(errors.errors[0]?.message).toMatch(/ECONNREFUSED/);
  } finally {
    lonely.disconnect();
  }
});

it('let no failure escape as an unhandled rejection or exception', () => {
  expect(escapes.escaped).toEqual([]);
});
