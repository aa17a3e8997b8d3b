/**
 * Redis answering with errors instead of data: READONLY (a master turned replica, as after a
 * failover), OOM (maxmemory with noeviction), an emptied script cache. Runs against its own
 * redis-server, which these tests reconfigure.
 */
import { once } from 'node:events';
import { freePort, type RedisProcess, startRedis } from '@sessionkit/test-support';
import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { RedisStore } from '../../src/redis/index.js';
import { eventually, newId, storedSession } from '../../src/testing/index.js';
import { countingClient } from './counting-client.js';
import { everyVerb, expectUnavailable } from './fault-helpers.js';
import { inspector, readyClient, setupOnce, uniquePrefix } from './support.js';
import { type EscapeRecorder, recordEscapes } from './unhandled.js';

const HOUR_MS = 60 * 60_000;
const LIMIT_MS = 1_000 + 1_000;

let redis: RedisProcess;
let client: Redis;
let raw: Redis;
let store: RedisStore;
let escapes: EscapeRecorder;

setupOnce(async () => {
  escapes = recordEscapes();
  redis = await startRedis();
  client = await readyClient(redis.port);
  raw = await inspector(redis.port);
  store = new RedisStore({ client, prefix: uniquePrefix('fs') });
});
afterAll(async () => {
  escapes?.stop();
  client?.disconnect();
  raw?.disconnect();
  await redis?.dispose();
});

it('turns READONLY into the typed error, reconnects (never re-sends), and works again once Redis is a master', async () => {
  const id = newId();
  await store.create(id, storedSession({ a: '1' }), HOUR_MS);
  const reconnecting = once(client, 'reconnecting');
  try {
    // A replica of a master that does not exist: it keeps its data and refuses every write.
    await raw.call('REPLICAOF', '127.0.0.1', String(await freePort()));
    const { error } = await expectUnavailable(
      'patch',
      () => store.patch(id, { set: { a: '2' }, remove: [] }, HOUR_MS),
      LIMIT_MS,
    );
    expect((error.cause as Error).message).toMatch(/^READONLY/);
    // A load is a plain HGETALL, which a replica answers: only the writes must fail.
    for (const [what, call] of everyVerb(store, newId()))
      if (what !== 'load') await expectUnavailable(what, call, LIMIT_MS);
    // reconnectOnError answered true: the client dropped the connection to look for a master.
    await reconnecting;
  } finally {
    await raw.call('REPLICAOF', 'NO', 'ONE');
  }
  await eventually(
    () =>
      store.touch(id, HOUR_MS).then(
        () => true,
        () => false,
      ),
    5_000,
    'the store works again',
  );
  expect(await store.patch(id, { set: { b: '2' }, remove: [] }, HOUR_MS)).toBe('ok');
  expect((await store.load(id, HOUR_MS))?.data).toEqual({ a: '1', b: '2' });
});

it('turns OOM into the typed error with nothing written, keeps reads working, and recovers', async () => {
  const id = newId();
  await store.create(id, storedSession({ n: '1' }, { userId: 'oom-user' }), HOUR_MS);
  const other = newId();
  await store.create(other, storedSession({ n: '1' }), HOUR_MS);
  const leaver = [newId(), newId()];
  for (const sid of leaver) await store.create(sid, storedSession({}, { userId: 'oom-leaver' }), HOUR_MS);
  const switched = newId();
  await store.create(switched, storedSession({}, { userId: 'oom-leaver' }), HOUR_MS);
  expect(await store.patch(switched, { set: {}, remove: [], userId: 'oom-other' }, HOUR_MS)).toBe('ok');
  const idle = newId();
  await store.create(idle, storedSession({}, { userId: 'oom-leaver' }), 1);
  await eventually(async () => (await raw.exists(`${store.prefix}${idle}`)) === 0, 5_000, 'the idle session expired');
  await raw.config('SET', 'maxmemory-policy', 'noeviction');
  await raw.config('SET', 'maxmemory', '1');
  try {
    const fresh = newId();
    const { error } = await expectUnavailable(
      'create',
      () => store.create(fresh, storedSession({ a: '1' }), HOUR_MS),
      LIMIT_MS,
    );
    expect((error.cause as Error).message).toMatch(/^OOM/);
    expect(await raw.exists(`${store.prefix}${fresh}`)).toBe(0);
    await expectUnavailable('patch', () => store.patch(id, { set: { b: '1' }, remove: [] }, HOUR_MS), LIMIT_MS);
    await expectUnavailable('increment', () => store.increment(id, 'n', 1, HOUR_MS), LIMIT_MS);
    // regenerate fails as a whole: the session stays at its old id instead of being lost mid-move.
    const target = newId();
    await expectUnavailable('regenerate', () => store.regenerate(id, target, HOUR_MS), LIMIT_MS);
    expect(await raw.exists(`${store.prefix}${target}`)).toBe(0);
    // Reads and expiry slides need no memory: sessions keep working read-only.
    expect((await store.load(id, HOUR_MS))?.data).toEqual({ n: '1' });
    expect(await store.touch(id, HOUR_MS)).toBe('ok');
    expect(await store.listUserSessions('oom-user')).toEqual([id]);
    // Deleting frees memory, so it works too: a user can always log out.
    await store.destroy(other);
    expect(await raw.exists(`${store.prefix}${other}`)).toBe(0);
    // So does log out everywhere: its deletes free memory, and its few small writes (the
    // generation, a fence, a tombstone) each follow a write command that needs no memory, after
    // which Redis no longer checks maxmemory within the script.
    expect(await store.destroyUserSessions('oom-leaver')).toBe(2);
    for (const sid of leaver) expect(await raw.exists(`${store.prefix}${sid}`)).toBe(0);
    const generation = String(-Number(await raw.zscore(`${store.prefix}user:oom-leaver`, '#gen')));
    expect(Number(generation)).toBeGreaterThan(0);
    expect(await raw.hget(`${store.prefix}${switched}`, 'm:fence:oom-leaver')).toBe(generation);
    expect(await raw.hget(`${store.prefix}${idle}`, 'm:logout')).toBe(generation);
    expect(await store.destroyUserSessions('oom-nobody')).toBe(0);
    expect(Number(await raw.zscore(`${store.prefix}user:oom-nobody`, '#gen'))).toBeLessThan(0);
  } finally {
    await raw.config('SET', 'maxmemory', '0');
  }
  expect(await store.increment(id, 'n', 1, HOUR_MS)).toBe(2);
  expect(await store.regenerate(id, newId(), HOUR_MS)).toBe('ok');
});

it('sends a script source only after NOSCRIPT (an emptied script cache), then EVALSHA again', async () => {
  const counting = countingClient(client);
  const counted = new RedisStore({ client: counting.client, prefix: uniquePrefix('ns') });
  const id = newId();
  await counted.create(id, storedSession({ a: '1' }), HOUR_MS);
  await raw.call('SCRIPT', 'FLUSH');
  counting.calls.length = 0;
  expect(await counted.touch(id, HOUR_MS)).toBe('ok');
  expect(await counted.touch(id, HOUR_MS)).toBe('ok');
  expect(counting.calls).toEqual(['TOUCH_SCRIPT', 'EVAL TOUCH_SCRIPT', 'TOUCH_SCRIPT']);
});

it('let no failure escape as an unhandled rejection or exception', () => {
  expect(escapes.escaped).toEqual([]);
});
