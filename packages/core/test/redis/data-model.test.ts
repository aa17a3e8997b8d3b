import { setTimeout as delay } from 'node:timers/promises';
import { commandStats, type RedisProcess, startRedis } from '@sessionkit/test-support';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createSessionManager, isSessionError, type Session, SessionConfigError, slideDue } from '../../src/index.js';
import { type RedisClientLike, RedisStore, slideToleranceMs } from '../../src/redis/index.js';
import type { LuaScript } from '../../src/redis/lua-script.js';
import { CREATE_SCRIPT, PATCH_SCRIPT, SCRIPT_HELPERS } from '../../src/redis/session-scripts.js';
import { INDEX_ADD_SCRIPT } from '../../src/redis/user-index-scripts.js';
import { cookieValueOf, createTestJar, newId, storedSession, testSecrets } from '../../src/testing/index.js';
import { countingClient } from './counting-client.js';
import { inspector, readyClient, setupOnce, sharedRedisPort, uniquePrefix } from './support.js';

const HOUR_MS = 60 * 60_000;
let client: Redis;
let raw: Redis;

setupOnce(async () => {
  const port = sharedRedisPort();
  client = await readyClient(port);
  raw = await inspector(port);
});
afterAll(() => {
  client?.disconnect();
  raw?.disconnect();
});

function newStore(prefix = uniquePrefix('dm')): RedisStore {
  return new RedisStore({ client, prefix });
}

/** Flat HGETALL as [field, value] pairs, sorted, read without ioredis's object conversion. */
async function rawFields(key: string): Promise<Array<[string, string]>> {
  const flat = (await raw.call('HGETALL', key)) as string[];
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] as string, flat[i + 1] as string]);
  return pairs.sort(([a], [b]) => a.localeCompare(b));
}

describe('key layout', () => {
  it('keeps one hash per session: d: fields for data, m: fields for metadata, expiry capped by the deadline', async () => {
    const store = newStore();
    const id = newId();
    const createdAt = Date.now();
    await store.create(
      id,
      storedSession(
        { username: '"alice"', visits: '42' },
        { createdAt, absoluteDeadlineMs: createdAt + 5_000, userId: 'alice' },
      ),
      HOUR_MS,
    );
    const fields = await rawFields(`${store.prefix}${id}`);
    expect(fields.filter(([field]) => field !== 'm:expires')).toEqual([
      ['d:username', '"alice"'],
      ['d:visits', '42'],
      ['m:created', String(createdAt)],
      ['m:deadline', String(createdAt + 5_000)],
      ['m:gen', '0'],
      ['m:user', 'alice'],
    ]);
    // m:expires records the expiry on the app's clock: here the deadline, which capped the TTL.
    expect(fields.find(([field]) => field === 'm:expires')).toEqual(['m:expires', String(createdAt + 5_000)]);
    const ttl = await raw.pttl(`${store.prefix}${id}`);
    expect(ttl).toBeGreaterThan(3_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    // The user index: a sorted set scored by deadline, expiring with its last deadline.
    expect(await raw.type(`${store.prefix}user:alice`)).toBe('zset');
    expect(await raw.zscore(`${store.prefix}user:alice`, id)).toBe(String(createdAt + 5_000));
    expect(await raw.pttl(`${store.prefix}user:alice`)).toBeLessThanOrEqual(5_000);
  });

  it('slides the expiry on load to the idle TTL, never past the absolute deadline', async () => {
    const store = newStore();
    const id = newId();
    await store.create(id, storedSession({ a: '1' }, { absoluteMs: HOUR_MS }), 2_000);
    expect(await raw.pttl(`${store.prefix}${id}`)).toBeLessThanOrEqual(2_000);
    await store.load(id, 60_000);
    expect(await raw.pttl(`${store.prefix}${id}`)).toBeGreaterThan(50_000);
    const capped = newId();
    await store.create(capped, storedSession({ a: '1' }, { absoluteMs: 3_000 }), 1_000);
    await store.load(capped, 60_000);
    expect(await raw.pttl(`${store.prefix}${capped}`)).toBeLessThanOrEqual(3_000);
  });

  it('handles sessions with thousands of keys (scripts chunk their arguments)', async () => {
    const store = newStore();
    const id = newId();
    const data = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, String(i)]));
    await store.create(id, storedSession(data, { absoluteMs: 24 * HOUR_MS }), HOUR_MS);
    const set = Object.fromEntries(Array.from({ length: 2_500 }, (_, i) => [`k${i}`, `"v${i}"`]));
    const remove = Array.from({ length: 400 }, (_, i) => `k${2_600 + i}`);
    expect(await store.patch(id, { set, remove }, HOUR_MS)).toBe('ok');
    const loaded = (await store.load(id, HOUR_MS))?.data ?? {};
    expect(Object.keys(loaded)).toHaveLength(2_600);
    expect(loaded['k0']).toBe('"v0"');
    expect(loaded['k2550']).toBe('2550');
    expect(loaded['k2700']).toBeUndefined();
    // With a slide due, m:expires rides in the last chunk's HSET, or in one of its own when the
    // chunks are full: 1,999 pairs (998 arguments left for the last HSET, plus 2) and 2,000.
    const t0 = Date.now();
    for (const [count, now] of [
      [1_999, t0 + 61_000],
      [2_000, t0 + 122_000],
    ] as const) {
      const many = Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `"w${count}"`]));
      expect(await store.patch(id, { set: many, remove: [] }, HOUR_MS, now)).toBe('ok');
      expect(await raw.hget(`${store.prefix}${id}`, 'm:expires')).toBe(String(now + HOUR_MS));
      const after = (await store.load(id, HOUR_MS, now))?.data ?? {};
      expect(after[`k${count - 1}`]).toBe(`"w${count}"`);
      expect(Object.keys(after)).toHaveLength(2_600);
    }
  });
});

describe('round trips', () => {
  it('load, patch, increment and touch are one command each; ids are checked before any command', async () => {
    const counting = countingClient(client);
    const store = new RedisStore({ client: counting.client, prefix: uniquePrefix('rt') });
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), HOUR_MS);
    const requests = async (): Promise<void> => {
      await store.load(id, HOUR_MS);
      await store.patch(id, { set: { b: '2' }, remove: ['a'] }, HOUR_MS);
      await store.increment(id, 'n', 1, HOUR_MS);
      await store.touch(id, HOUR_MS);
    };
    await requests(); // the first run may meet NOSCRIPT and send each script's source once
    counting.calls.length = 0;
    await requests();
    expect(counting.calls).toEqual(['HGETALL', 'PATCH_SCRIPT', 'INCREMENT_SCRIPT', 'TOUCH_SCRIPT']);

    counting.calls.length = 0;
    for (const bad of ['', 'short', `${id}x`, `${id.slice(0, 42)}{`, '../../etc', `a${'*'.repeat(42)}`]) {
      expect(await store.load(bad, HOUR_MS)).toBeUndefined();
      expect(await store.patch(bad, { set: { a: '1' }, remove: [] }, HOUR_MS)).toBe('gone');
      expect(await store.increment(bad, 'n', 1, HOUR_MS)).toBe('gone');
      expect(await store.touch(bad, HOUR_MS)).toBe('gone');
      expect(await store.regenerate(bad, newId(), HOUR_MS)).toBe('gone');
      await store.destroy(bad);
      await expect(store.create(bad, storedSession({}), HOUR_MS)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.regenerate(id, bad, HOUR_MS)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(counting.calls).toEqual([]);
  });

  it('through the manager, a request for an unmodified session sends exactly one command', async () => {
    const counting = countingClient(client);
    const manager = createSessionManager({
      secrets: [...testSecrets],
      store: new RedisStore({ client: counting.client, prefix: uniquePrefix('mg') }),
    });
    const first = createTestJar();
    const created = await manager.load(first.jar);
    created.data['name'] = 'alice';
    await created.commit();
    const cookie = cookieValueOf(first.setCookies[0]);
    await manager.load(createTestJar(`sid=${cookie}`).jar); // script cache warm-up
    counting.calls.length = 0;
    const again = createTestJar(`sid=${cookie}`);
    const loaded = await manager.load(again.jar);
    expect(loaded.data).toEqual({ name: 'alice' });
    await loaded.commit();
    expect(counting.calls).toEqual(['HGETALL']);
  });

  it('a read slides the expiry only when that moves it by more than the tolerance, then one touch', async () => {
    const counting = countingClient(client);
    const store = new RedisStore({ client: counting.client, prefix: uniquePrefix('sl') });
    const ttlMs = 2_000; // tolerance: 5% = 100 ms
    expect(slideToleranceMs(ttlMs)).toBe(100);
    expect(slideToleranceMs(30 * 60_000)).toBe(60_000);
    const id = newId();
    const key = `${store.prefix}${id}`;
    await store.create(id, storedSession({ a: '1' }), ttlMs);
    counting.calls.length = 0;
    expect(await store.load(id, ttlMs)).toBeDefined();
    expect(counting.calls).toEqual(['HGETALL']);
    const recorded = Number(await raw.hget(key, 'm:expires'));
    // Real time: the expiry moves with the clock, and there is no event for "100 ms have passed".
    await delay(300);
    counting.calls.length = 0;
    const before = Date.now();
    expect(await store.load(id, ttlMs)).toBeDefined();
    expect(counting.calls).toEqual(['HGETALL', 'TOUCH_SCRIPT']);
    expect(Number(await raw.hget(key, 'm:expires'))).toBeGreaterThanOrEqual(Math.max(recorded + 300, before + ttlMs));
    expect(await raw.pttl(key)).toBeGreaterThan(ttlMs - 300);
    // A longer TTL than the recorded one (a new idle timeout) slides at once, too.
    counting.calls.length = 0;
    await store.load(id, HOUR_MS);
    expect(counting.calls).toEqual(['HGETALL', 'TOUCH_SCRIPT']);
    expect(await raw.pttl(key)).toBeGreaterThan(HOUR_MS - 60_000);
  });

  it('a hash written before m:expires existed slides on its first read and records it', async () => {
    const counting = countingClient(client);
    const store = new RedisStore({ client: counting.client, prefix: uniquePrefix('old') });
    const id = newId();
    const key = `${store.prefix}${id}`;
    await raw.hset(key, { 'd:a': '1', 'm:created': String(Date.now()), 'm:deadline': String(Date.now() + HOUR_MS) });
    await raw.pexpire(key, 5_000);
    expect((await store.load(id, HOUR_MS))?.data).toEqual({ a: '1' });
    expect(counting.calls).toEqual(['HGETALL', 'TOUCH_SCRIPT']);
    expect(await raw.pttl(key)).toBeGreaterThan(HOUR_MS - 60_000);
    expect(Number(await raw.hget(key, 'm:expires'))).toBeGreaterThan(Date.now() + HOUR_MS - 60_000);
  });

  it('a read of a session destroyed before its due slide is no session, and recreates nothing', async () => {
    const store = newStore();
    const id = newId();
    const key = `${store.prefix}${id}`;
    await raw.hset(key, { 'd:a': '1', 'm:created': String(Date.now()), 'm:deadline': String(Date.now() + HOUR_MS) });
    // Between HGETALL and the touch nothing can be injected from here, so the touch itself is
    // checked: on a missing key it answers gone and writes nothing.
    await raw.del(key);
    expect(await store.touch(id, HOUR_MS)).toBe('gone');
    expect(await raw.exists(key)).toBe(0);
  });
});

describe('corrupt and foreign data', () => {
  it('treats a key of another type as no session, and writes nothing to it', async () => {
    const store = newStore();
    for (const [kind, write] of [
      ['string', (key: string) => raw.set(key, 'not a session')],
      ['list', (key: string) => raw.rpush(key, 'x')],
      ['zset', (key: string) => raw.zadd(key, 1, 'x')],
    ] as const) {
      const id = newId();
      const key = `${store.prefix}${id}`;
      await write(key);
      expect(await store.load(id, HOUR_MS), kind).toBeUndefined();
      expect(await store.patch(id, { set: { a: '1' }, remove: [] }, HOUR_MS)).toBe('gone');
      expect(await store.increment(id, 'n', 1, HOUR_MS)).toBe('gone');
      expect(await store.touch(id, HOUR_MS)).toBe('gone');
      expect(await store.regenerate(id, newId(), HOUR_MS)).toBe('gone');
      expect(await raw.type(key)).toBe(kind);
      await store.destroy(id);
      expect(await raw.exists(key)).toBe(0);
    }
  });

  it('treats a hash without well-formed metadata as no session', async () => {
    const store = newStore();
    const cases: Array<Record<string, string>> = [
      { 'd:a': '1' },
      { 'd:a': '1', 'm:created': '1', 'm:deadline': 'soon' },
      { 'd:a': '1', 'm:created': 'yesterday', 'm:deadline': String(Date.now() + HOUR_MS) },
      { 'd:a': '1', 'm:created': '1', 'm:deadline': '1e999' },
    ];
    for (const fields of cases) {
      const id = newId();
      await raw.hset(`${store.prefix}${id}`, fields);
      expect(await store.load(id, HOUR_MS)).toBeUndefined();
      expect(await store.patch(id, { set: { a: '2' }, remove: [] }, HOUR_MS)).toBe('gone');
      expect(await raw.hget(`${store.prefix}${id}`, 'd:a')).toBe('1');
    }
  });

  it('ignores hash fields outside its namespaces, and keeps __proto__ fields as plain data', async () => {
    const store = newStore();
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), HOUR_MS);
    await raw.hset(`${store.prefix}${id}`, {
      stray: 'x',
      'm:other': 'y',
      'd:__proto__': '{"polluted":true}',
      'd:constructor': '{"prototype":{"polluted":true}}',
    });
    const loaded = await store.load(id, HOUR_MS);
    expect(Object.keys(loaded?.data ?? {}).sort()).toEqual(['__proto__', 'a', 'constructor']);
    expect(Object.getPrototypeOf(loaded?.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('keeps a session usable when some stored values are corrupt: the app never sees them, nothing pollutes', async () => {
    const store = newStore();
    const manager = createSessionManager({ secrets: [...testSecrets], store });
    const first = createTestJar();
    const session = await manager.load(first.jar);
    session.data['name'] = 'alice';
    session.data['cart'] = [1, 2];
    await session.commit();
    const key = `${store.prefix}${session.id}`;
    await raw.hset(key, {
      'd:cart': '{not json',
      'd:__proto__': '{"polluted":true}',
      'd:constructor': '{"prototype":{"polluted":true}}',
    });
    const again = createTestJar(`sid=${cookieValueOf(first.setCookies[0])}`);
    const loaded: Session = await manager.load(again.jar);
    expect(loaded.data['name']).toBe('alice');
    expect(loaded.data['cart']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(loaded.data)).toBe(Object.prototype);
    loaded.data['visits'] = 1;
    await loaded.commit();
    expect(await raw.hget(key, 'd:visits')).toBe('1');
  });

  it('refuses to increment what HINCRBY refuses or JavaScript cannot represent, leaving it unchanged', async () => {
    const store = newStore();
    const id = newId();
    const values = {
      lead: '007',
      plus: '+5',
      spaced: ' 5',
      float: '1.5',
      negzero: '-0',
      big: '9007199254740991',
      text: '"x"',
    };
    await store.create(id, storedSession(values), HOUR_MS);
    for (const key of Object.keys(values)) {
      const error = await store.increment(id, key, 1, HOUR_MS).catch((caught: unknown) => caught);
      expect(isSessionError(error, 'INVALID_ARGUMENT'), key).toBe(true);
    }
    expect((await store.load(id, HOUR_MS))?.data).toEqual(values);
    expect(await store.increment(id, 'big', -1, HOUR_MS)).toBe(9007199254740990);
    await expect(store.increment(id, 'n', 1.5, HOUR_MS)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('isolation and concurrency', () => {
  it('answers gone to a write after destroy and creates nothing', async () => {
    const store = newStore();
    const id = newId();
    await store.create(id, storedSession({ a: '1' }, { userId: 'u-late' }), HOUR_MS);
    await store.destroy(id);
    expect(await store.patch(id, { set: { a: '2' }, remove: [], userId: 'u-late' }, HOUR_MS)).toBe('gone');
    expect(await store.increment(id, 'visits', 1, HOUR_MS)).toBe('gone');
    expect(await store.touch(id, HOUR_MS)).toBe('gone');
    expect(await raw.exists(`${store.prefix}${id}`)).toBe(0);
    expect(await store.listUserSessions('u-late')).toEqual([]);
  });

  it('never lets stores with different prefixes see each other', async () => {
    const a = newStore(uniquePrefix('pa'));
    const b = newStore(uniquePrefix('pb'));
    const id = newId();
    await a.create(id, storedSession({ owner: '"a"' }, { userId: 'shared-user' }), HOUR_MS);
    expect(await b.load(id, HOUR_MS)).toBeUndefined();
    expect(await b.patch(id, { set: { owner: '"b"' }, remove: [] }, HOUR_MS)).toBe('gone');
    expect(await b.listUserSessions('shared-user')).toEqual([]);
    expect(await b.destroyUserSessions('shared-user')).toBe(0);
    await b.destroy(id);
    expect((await a.load(id, HOUR_MS))?.data).toEqual({ owner: '"a"' });
    expect(await a.listUserSessions('shared-user')).toEqual([id]);
  });

  it('counts exactly with 4 clients incrementing one session concurrently', async () => {
    const prefix = uniquePrefix('cc');
    const clients = await Promise.all(Array.from({ length: 4 }, () => readyClient(sharedRedisPort())));
    try {
      const stores = clients.map((c) => new RedisStore({ client: c, prefix }));
      const id = newId();
      await stores[0]?.create(id, storedSession({}), HOUR_MS);
      const results = await Promise.all(
        stores.flatMap((store) => Array.from({ length: 60 }, () => store.increment(id, 'visits', 1, HOUR_MS))),
      );
      expect([...results].sort((x, y) => Number(x) - Number(y))).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
      expect(await raw.hget(`${prefix}${id}`, 'd:visits')).toBe('240');
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  it('keeps every disjoint write of 4 clients patching one session concurrently', async () => {
    const prefix = uniquePrefix('dw');
    const clients = await Promise.all(Array.from({ length: 4 }, () => readyClient(sharedRedisPort())));
    try {
      const stores = clients.map((c) => new RedisStore({ client: c, prefix }));
      const id = newId();
      await stores[0]?.create(id, storedSession({ base: '0' }), HOUR_MS);
      const results = await Promise.all(
        stores.flatMap((store, s) =>
          Array.from({ length: 30 }, (_, i) =>
            store.patch(id, { set: { [`c${s}-${i}`]: String(i) }, remove: [] }, HOUR_MS),
          ),
        ),
      );
      expect(results.every((result) => result === 'ok')).toBe(true);
      expect(await raw.hlen(`${prefix}${id}`)).toBe(1 + 120 + 3); // base, the writes, created, deadline, expires
    } finally {
      for (const c of clients) c.disconnect();
    }
  });
});

/** The logout generation of a user index (minus the score of its `#gen` member), as stored. */
async function generationOf(indexKey: string): Promise<string | undefined> {
  const score = await raw.zscore(indexKey, '#gen');
  return score === null ? undefined : String(-Number(score));
}

describe('user index', () => {
  it('stays bounded: members past their deadline are dropped on every write; ended sessions are skipped by listings', async () => {
    const store = newStore();
    const indexKey = `${store.prefix}user:bounded`;
    // Ten sessions whose absolute deadline passes quickly, then one more write.
    for (let i = 0; i < 10; i++)
      await store.create(newId(), storedSession({}, { userId: 'bounded', absoluteMs: 100 }), HOUR_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const live = newId();
    await store.create(live, storedSession({}, { userId: 'bounded' }), HOUR_MS);
    expect(await raw.zcard(indexKey)).toBe(1);
    // Ended by idle expiry, or no longer the user's, with a distant deadline: a listing skips them
    // but keeps them (a member without its session may be a create between its two steps), until
    // their deadline or a log out everywhere.
    const idle = newId();
    await store.create(idle, storedSession({}, { userId: 'bounded' }), 50);
    const cleared = newId();
    await store.create(cleared, storedSession({}, { userId: 'bounded' }), HOUR_MS);
    expect(await store.patch(cleared, { set: {}, remove: [], userId: null }, HOUR_MS)).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await store.listUserSessions('bounded')).toEqual([live]);
    expect((await raw.zrange(indexKey, '0', '-1')).sort()).toEqual([live, idle, cleared].sort());
    expect(await store.destroyUserSessions('bounded')).toBe(1);
    // The cleared session is fenced and stays listed in the index; the idle one left a tombstone.
    expect(await raw.zrangebyscore(indexKey, '(0', '+inf')).toEqual([cleared]);
    expect(await store.load(cleared, HOUR_MS)).toBeDefined();
    expect(await rawFields(`${store.prefix}${idle}`)).toEqual([['m:logout', await generationOf(indexKey)]]);
  });

  it('keeps a session in the index of its previous user after a user change, and lists it only for the new one', async () => {
    const store = newStore();
    const id = newId();
    await store.create(id, storedSession({}, { userId: 'first' }), HOUR_MS);
    expect(await store.patch(id, { set: {}, remove: [], userId: 'second' }, HOUR_MS)).toBe('ok');
    expect(await raw.zrange(`${store.prefix}user:first`, '0', '-1')).toEqual([id]);
    expect(await store.listUserSessions('first')).toEqual([]);
    expect(await store.listUserSessions('second')).toEqual([id]);
    const next = newId();
    expect(await store.regenerate(id, next, HOUR_MS)).toBe('ok');
    expect(await raw.zrange(`${store.prefix}user:second`, '0', '-1')).toEqual([next]);
  });

  it('log out everywhere leaves a session that moved to another user alone, and fences it against the first user', async () => {
    const store = newStore();
    const moved = newId();
    const kept = newId();
    await store.create(moved, storedSession({}, { userId: 'leaver' }), HOUR_MS);
    await store.create(kept, storedSession({}, { userId: 'leaver' }), HOUR_MS);
    // The index still lists `moved` under leaver, as a patch that changed the user leaves it.
    await raw.hset(`${store.prefix}${moved}`, 'm:user', 'someone-else');
    expect(await store.destroyUserSessions('leaver')).toBe(1);
    expect((await store.load(moved, HOUR_MS))?.meta.userId).toBe('someone-else');
    expect(await raw.hget(`${store.prefix}${moved}`, 'm:fence:leaver')).toBe(
      await generationOf(`${store.prefix}user:leaver`),
    );
    expect(await store.load(kept, HOUR_MS)).toBeUndefined();
    // A login of leaver that begins now (at the current generation) is not refused by the fence.
    expect(await store.patch(moved, { set: {}, remove: [], userId: 'leaver' }, HOUR_MS)).toBe('ok');
    expect(await store.listUserSessions('leaver')).toEqual([moved]);
  });

  it('records the logout generation: the #gen member of the index, and m:gen in each session that joined', async () => {
    const store = newStore();
    const indexKey = `${store.prefix}user:gen-user`;
    const before = newId();
    await store.create(before, storedSession({}, { userId: 'gen-user' }), HOUR_MS);
    expect(await raw.hget(`${store.prefix}${before}`, 'm:gen')).toBe('0');
    expect(await generationOf(indexKey)).toBeUndefined();
    const start = Date.now();
    expect(await store.destroyUserSessions('gen-user')).toBe(1);
    // The generation: the time of the log-out (ms), or one more than before if that is later.
    const first = Number(await generationOf(indexKey));
    expect(first).toBeGreaterThanOrEqual(start);
    expect(first).toBeLessThanOrEqual(Date.now());
    await store.destroyUserSessions('gen-user');
    const generation = await generationOf(indexKey);
    expect(Number(generation)).toBeGreaterThan(first);
    // It keeps the key alive after its last member left, with an expiry.
    expect(await raw.zrange(indexKey, '0', '-1')).toEqual(['#gen']);
    expect(await raw.pttl(indexKey)).toBeGreaterThan(HOUR_MS - 60_000);
    const after = newId();
    await store.create(after, storedSession({}, { userId: 'gen-user' }), HOUR_MS);
    expect(await raw.hget(`${store.prefix}${after}`, 'm:gen')).toBe(generation);
    const anonymous = newId();
    await store.create(anonymous, storedSession({}), HOUR_MS);
    expect(await store.patch(anonymous, { set: {}, remove: [], userId: 'gen-user' }, HOUR_MS)).toBe('ok');
    expect(await raw.hget(`${store.prefix}${anonymous}`, 'm:gen')).toBe(generation);
    expect(await store.patch(anonymous, { set: {}, remove: [], userId: null }, HOUR_MS)).toBe('ok');
    expect(await raw.hmget(`${store.prefix}${anonymous}`, 'm:user', 'm:gen')).toEqual([null, null]);
    // A regenerate carries the generation; it is not data and never shows in a load.
    const moved = newId();
    expect(await store.regenerate(after, moved, HOUR_MS)).toBe('ok');
    expect(await raw.hget(`${store.prefix}${moved}`, 'm:gen')).toBe(generation);
    expect((await store.load(moved, HOUR_MS))?.data).toEqual({});
    // The index key lives as long as its latest deadline, never shorter: a later, shorter session
    // does not shorten it.
    await store.create(newId(), storedSession({}, { userId: 'gen-user', absoluteMs: 5_000 }), HOUR_MS);
    expect(await raw.pttl(indexKey)).toBeGreaterThan(HOUR_MS - 60_000);
    // A user with no index at all: the generation is recorded anyway (a login may have read 0).
    expect(await store.destroyUserSessions('never-seen')).toBe(0);
    expect(Number(await generationOf(`${store.prefix}user:never-seen`))).toBeGreaterThanOrEqual(start);
    expect(await raw.pttl(`${store.prefix}user:never-seen`)).toBeGreaterThan(HOUR_MS - 60_000);
  });

  it('refuses a key of another type at the user index key with a SessionConfigError, and leaves it alone', async () => {
    const store = newStore();
    const indexKey = `${store.prefix}user:taken`;
    await raw.set(indexKey, 'not an index');
    const id = newId();
    const error = await store
      .create(id, storedSession({}, { userId: 'taken' }), HOUR_MS)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionConfigError);
    expect((error as Error).message).toContain(`"${indexKey}" holds another type of data`);
    expect((error as Error).message).toContain('prefix of its own');
    expect(await raw.exists(`${store.prefix}${id}`)).toBe(0);
    const anonymous = newId();
    await store.create(anonymous, storedSession({}), HOUR_MS);
    await expect(store.patch(anonymous, { set: {}, remove: [], userId: 'taken' }, HOUR_MS)).rejects.toBeInstanceOf(
      SessionConfigError,
    );
    expect((await store.load(anonymous, HOUR_MS))?.meta.userId).toBeUndefined();
    await expect(store.listUserSessions('taken')).rejects.toBeInstanceOf(SessionConfigError);
    await expect(store.destroyUserSessions('taken')).rejects.toBeInstanceOf(SessionConfigError);
    expect(await raw.get(indexKey)).toBe('not an index');
    // Through the manager the error keeps its type (it is a configuration problem, not an outage).
    const manager = createSessionManager({ secrets: [...testSecrets], store });
    await expect(manager.destroyUserSessions('taken')).rejects.toMatchObject({ code: 'CONFIG' });
  });
});

describe('log out everywhere racing the two steps of a create, regenerate or login', () => {
  /**
   * A store whose client holds the first call of `script` until `release()`: the call is in
   * flight between two steps for as long as the test needs, so each interleaving is reached on
   * purpose instead of by luck.
   */
  function heldStore(
    prefix: string,
    script: LuaScript,
  ): { store: RedisStore; arrived: Promise<void>; release: () => void } {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    const hold = async (): Promise<void> => {
      if (held) return;
      held = true;
      arrive();
      await released;
    };
    const gated: RedisClientLike = {
      hgetall: (key) => client.hgetall(key),
      evalsha: async (sha1, numKeys, ...args) => {
        if (sha1 === script.sha1) await hold();
        return client.evalsha(sha1, numKeys, ...args);
      },
      eval: async (source, numKeys, ...args) => {
        if (source === script.source) await hold();
        return client.eval(source, numKeys, ...args);
      },
    };
    return { store: new RedisStore({ client: gated, prefix }), arrived, release };
  }

  const members = (store: RedisStore, user: string): Promise<string[]> =>
    raw.zrangebyscore(`${store.prefix}user:${user}`, '(0', '+inf');

  it('a create joined the index but not yet written: a tombstone refuses the write, create answers gone', async () => {
    const store = newStore();
    const held = heldStore(store.prefix, CREATE_SCRIPT);
    const id = newId();
    const deadline = Date.now() + HOUR_MS;
    const creating = held.store.create(
      id,
      storedSession({ a: '1' }, { userId: 'u', absoluteDeadlineMs: deadline }),
      HOUR_MS,
    );
    await held.arrived;
    expect(await members(store, 'u')).toEqual([id]);
    expect(await store.destroyUserSessions('u')).toBe(0);
    // The tombstone: only m:logout (the log-out's generation), expiring at the member's deadline.
    const generation = await generationOf(`${store.prefix}user:u`);
    expect(await rawFields(`${store.prefix}${id}`)).toEqual([['m:logout', generation]]);
    expect(await raw.pttl(`${store.prefix}${id}`)).toBeGreaterThan(HOUR_MS - 60_000);
    expect(await members(store, 'u')).toEqual([]);
    held.release();
    expect(await creating).toBe('gone');
    expect(await store.load(id, HOUR_MS)).toBeUndefined();
    expect(await rawFields(`${store.prefix}${id}`)).toEqual([['m:logout', generation]]);
    expect(await store.patch(id, { set: { a: '2' }, remove: [] }, HOUR_MS)).toBe('gone');
  });

  it('a regenerate that claimed the old id before log out everywhere is refused when it joins the index', async () => {
    const store = newStore();
    const oldId = newId();
    await store.create(oldId, storedSession({ a: '1' }, { userId: 'u' }), HOUR_MS);
    const held = heldStore(store.prefix, INDEX_ADD_SCRIPT);
    const newer = newId();
    const regenerating = held.store.regenerate(oldId, newer, HOUR_MS);
    await held.arrived;
    expect(await raw.exists(`${store.prefix}${oldId}`)).toBe(0); // claimed
    expect(await store.destroyUserSessions('u')).toBe(0);
    held.release();
    expect(await regenerating).toBe('gone');
    expect(await raw.exists(`${store.prefix}${newer}`)).toBe(0);
    expect(await members(store, 'u')).toEqual([]);
  });

  it('a regenerate that joined the index but did not write the new id yet: a tombstone refuses the write', async () => {
    const store = newStore();
    const oldId = newId();
    await store.create(oldId, storedSession({ a: '1' }, { userId: 'u' }), HOUR_MS);
    const held = heldStore(store.prefix, CREATE_SCRIPT);
    const newer = newId();
    const regenerating = held.store.regenerate(oldId, newer, HOUR_MS);
    await held.arrived;
    expect(await members(store, 'u')).toEqual([newer]);
    expect(await store.destroyUserSessions('u')).toBe(0);
    held.release();
    expect(await regenerating).toBe('gone');
    expect(await rawFields(`${store.prefix}${newer}`)).toEqual([
      ['m:logout', await generationOf(`${store.prefix}user:u`)],
    ]);
    expect(await store.regenerate(newer, newId(), HOUR_MS)).toBe('gone');
  });

  it('a login patch that joined the index but did not write the user yet: a fence makes it delete the session', async () => {
    const store = newStore();
    const id = newId();
    await store.create(id, storedSession({ cart: '[1]' }), HOUR_MS);
    const held = heldStore(store.prefix, PATCH_SCRIPT);
    const patching = held.store.patch(id, { set: {}, remove: [], userId: 'u' }, HOUR_MS);
    await held.arrived;
    expect(await members(store, 'u')).toEqual([id]);
    expect(await store.destroyUserSessions('u')).toBe(0);
    // Still the anonymous session, with a fence for u at the log-out's generation; still indexed.
    expect(await raw.hget(`${store.prefix}${id}`, 'm:fence:u')).toBe(await generationOf(`${store.prefix}user:u`));
    expect((await store.load(id, HOUR_MS))?.data).toEqual({ cart: '[1]' });
    expect(await members(store, 'u')).toEqual([id]);
    held.release();
    expect(await patching).toBe('gone');
    expect(await raw.exists(`${store.prefix}${id}`)).toBe(0);
  });

  it('a login patch that read the generation before log out everywhere is refused when it joins, and its session ends', async () => {
    const store = newStore();
    const id = newId();
    await store.create(id, storedSession({ cart: '[1]' }), HOUR_MS);
    const held = heldStore(store.prefix, INDEX_ADD_SCRIPT);
    const patching = held.store.patch(id, { set: {}, remove: [], userId: 'u' }, HOUR_MS);
    await held.arrived;
    expect(await store.destroyUserSessions('u')).toBe(0);
    held.release();
    expect(await patching).toBe('gone');
    expect(await raw.exists(`${store.prefix}${id}`)).toBe(0);
    expect(await members(store, 'u')).toEqual([]);
  });

  it('a listing between a create joining the index and its write keeps the member', async () => {
    const store = newStore();
    const held = heldStore(store.prefix, CREATE_SCRIPT);
    const id = newId();
    const creating = held.store.create(id, storedSession({}, { userId: 'u' }), HOUR_MS);
    await held.arrived;
    expect(await store.listUserSessions('u')).toEqual([]);
    expect(await members(store, 'u')).toEqual([id]);
    held.release();
    expect(await creating).toBe('ok');
    expect(await store.listUserSessions('u')).toEqual([id]);
    expect(await store.destroyUserSessions('u')).toBe(1);
    expect(await store.load(id, HOUR_MS)).toBeUndefined();
  });
});

describe('memory', () => {
  it('measures MEMORY USAGE of a typical session ({ username: "alice", visits: 42 } plus metadata)', async () => {
    const store = newStore('session:');
    const id = newId();
    await store.create(
      id,
      storedSession({ username: JSON.stringify('alice'), visits: '42' }, { userId: 'alice' }),
      30 * 60_000,
    );
    const bytes = Number(await raw.call('MEMORY', 'USAGE', `session:${id}`, 'SAMPLES', '0'));
    const index = Number(await raw.call('MEMORY', 'USAGE', 'session:user:alice', 'SAMPLES', '0'));
    console.info(
      `[sessionkit] MEMORY USAGE session:<id> = ${bytes} bytes; user index with one member = ${index} bytes`,
    );
    expect(await raw.object('ENCODING', `session:${id}`)).toBe('listpack');
    expect(bytes).toBeLessThan(256);
    await store.destroy(id);
  });
});

describe('writes slide the expiry only when due, by the rule reads use', () => {
  // A server of its own: INFO commandstats counts every client's commands, the ones a script runs
  // included, so the counts below need a server no other test file writes to.
  let server: RedisProcess | undefined;
  let own: Redis;
  let ownRaw: Redis;
  setupOnce(async () => {
    server = await startRedis();
    own = await readyClient(server.port);
    ownRaw = await inspector(server.port);
  });
  afterAll(async () => {
    own?.disconnect();
    ownRaw?.disconnect();
    await server?.dispose();
  });

  const ADMIN = /^(info|ping|hello|select|client\|.*|command\|.*)$/;

  /** The commands Redis ran while `run` ran, by name, scripts' inner commands included. */
  async function commandsOf(run: () => Promise<unknown>): Promise<Record<string, number>> {
    const port = server?.port ?? 0;
    const before = await commandStats(port);
    await run();
    const after = await commandStats(port);
    const counts: Record<string, number> = {};
    for (const [command, stat] of after) {
      const calls = stat.calls - (before.get(command)?.calls ?? 0);
      if (calls > 0 && !ADMIN.test(command)) counts[command] = calls;
    }
    return counts;
  }

  /** A session created at `t0` with a TTL of an hour (tolerance: a minute), scripts loaded. */
  async function created(store: RedisStore, t0: number, userId?: string): Promise<{ id: string; key: string }> {
    const id = newId();
    await store.create(
      id,
      storedSession({ n: '1', a: '"x"' }, { createdAt: t0, absoluteMs: 24 * HOUR_MS, userId }),
      HOUR_MS,
      t0,
    );
    // Loads every write script into the script cache (the first EVALSHA meets NOSCRIPT), slides nothing.
    expect(await store.touch(id, HOUR_MS, t0)).toBe('ok');
    expect(await store.patch(id, { set: {}, remove: [] }, HOUR_MS, t0)).toBe('ok');
    expect(await store.increment(id, 'n', 0, HOUR_MS, t0)).toBe(1);
    return { id, key: `${store.prefix}${id}` };
  }

  it('no slide due: a patch is HMGET + one HSET, an increment HMGET + HINCRBY, a touch HMGET; the expiry stays', async () => {
    const store = new RedisStore({ client: own, prefix: uniquePrefix('due') });
    const t0 = Date.now();
    const { id, key } = await created(store, t0);
    const recorded = await ownRaw.hget(key, 'm:expires');
    expect(recorded).toBe(String(t0 + HOUR_MS));
    // 59 s later on the app's clock: the slide would move the expiry by 59 s, under the minute.
    const now = t0 + 59_000;
    expect(await commandsOf(() => store.patch(id, { set: { a: '"y"' }, remove: [] }, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      hset: 1,
    });
    expect(await commandsOf(() => store.increment(id, 'n', 2, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      hincrby: 1,
    });
    expect(await commandsOf(() => store.touch(id, HOUR_MS, now))).toEqual({ evalsha: 1, hmget: 1 });
    expect(await commandsOf(() => store.patch(id, { set: {}, remove: ['a'] }, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      hdel: 1,
    });
    expect(await ownRaw.hget(key, 'm:expires')).toBe(recorded);
    expect((await store.load(id, HOUR_MS, now))?.data).toEqual({ n: '3' });
  });

  it('a slide due: PEXPIRE, and m:expires in the same HSET as the data (patch) or one HSET after it', async () => {
    const store = new RedisStore({ client: own, prefix: uniquePrefix('due') });
    const t0 = Date.now();
    const { id, key } = await created(store, t0);
    // Each write 61 s after the previous slide on the app's clock: each is due, and slides.
    let now = t0 + 61_000;
    expect(await commandsOf(() => store.patch(id, { set: { a: '"y"' }, remove: [] }, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      hset: 1,
      pexpire: 1,
    });
    expect(await ownRaw.hget(key, 'm:expires')).toBe(String(now + HOUR_MS));
    expect(await ownRaw.pttl(key)).toBeGreaterThan(HOUR_MS - 10_000);
    now += 61_000;
    expect(await commandsOf(() => store.increment(id, 'n', 2, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      hincrby: 1,
      pexpire: 1,
      hset: 1,
    });
    expect(await ownRaw.hget(key, 'm:expires')).toBe(String(now + HOUR_MS));
    now += 61_000;
    expect(await commandsOf(() => store.touch(id, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      pexpire: 1,
      hset: 1,
    });
    expect(await ownRaw.hget(key, 'm:expires')).toBe(String(now + HOUR_MS));
    // A patch that only removes grows no memory: it deletes first, then slides as a touch does.
    now += 61_000;
    expect(await commandsOf(() => store.patch(id, { set: {}, remove: ['a'] }, HOUR_MS, now))).toEqual({
      evalsha: 1,
      hmget: 1,
      hdel: 1,
      pexpire: 1,
      hset: 1,
    });
    expect(await ownRaw.hget(key, 'm:expires')).toBe(String(now + HOUR_MS));
    // A shorter TTL than the recorded expiry (a new, shorter idle timeout) slides at once, down.
    expect(await store.patch(id, { set: { a: '"z"' }, remove: [] }, 10_000, now)).toBe('ok');
    expect(await ownRaw.hget(key, 'm:expires')).toBe(String(now + 10_000));
    expect(await ownRaw.pttl(key)).toBeLessThanOrEqual(10_000);
    // Capped by the absolute deadline, as every expiry is.
    const capped = newId();
    await store.create(capped, storedSession({}, { createdAt: t0, absoluteMs: 90_000 }), 1_000, t0);
    expect(await store.patch(capped, { set: { a: '1' }, remove: [] }, HOUR_MS, t0 + 1_000)).toBe('ok');
    expect(await ownRaw.hget(`${store.prefix}${capped}`, 'm:expires')).toBe(String(t0 + 90_000));
    expect(await ownRaw.pttl(`${store.prefix}${capped}`)).toBeLessThanOrEqual(90_000);
  });

  it('a login patch writes data, user, generation and a due expiry in one HSET', async () => {
    const store = new RedisStore({ client: own, prefix: uniquePrefix('due') });
    const t0 = Date.now();
    // A login also reads the deadline and joins the user index (which slides the index's own
    // expiry): the session's share is told apart by a login with a slide due and one without.
    const warm = await created(store, t0); // loads the user index scripts
    expect(await store.patch(warm.id, { set: {}, remove: [], userId: 'carol' }, HOUR_MS, t0)).toBe('ok');
    const due = await created(store, t0);
    const now = t0 + 61_000;
    const withSlide = await commandsOf(() =>
      store.patch(due.id, { set: { a: '"y"' }, remove: [], userId: 'alice' }, HOUR_MS, now),
    );
    expect(await ownRaw.hmget(due.key, 'd:a', 'm:user', 'm:gen', 'm:expires')).toEqual([
      '"y"',
      'alice',
      '0',
      String(now + HOUR_MS),
    ]);
    const fresh = await created(store, t0);
    const withoutSlide = await commandsOf(() =>
      store.patch(fresh.id, { set: { a: '"y"' }, remove: [], userId: 'bob' }, HOUR_MS, t0 + 1_000),
    );
    expect(await ownRaw.hmget(fresh.key, 'm:user', 'm:expires')).toEqual(['bob', String(t0 + HOUR_MS)]);
    expect(withSlide['hset']).toBe(1);
    expect(withoutSlide['hset']).toBe(1);
    expect(withSlide).toEqual({ ...withoutSlide, pexpire: (withoutSlide['pexpire'] ?? 0) + 1 });
  });

  it('a write never makes the idle timeout late, and ends it at most the tolerance early', async () => {
    // Real time: Redis's PEXPIRE is relative, so only a real wait shows when the key really ends.
    const store = new RedisStore({ client: own, prefix: uniquePrefix('late') });
    const ttlMs = 1_000; // tolerance 50 ms
    const tolerance = slideToleranceMs(ttlMs);
    const id = newId();
    const key = `${store.prefix}${id}`;
    await store.create(id, storedSession({ n: '0' }), ttlMs);
    let slides = 0;
    let lastAfter = 0;
    let recorded = await ownRaw.hget(key, 'm:expires');
    for (let i = 0; i < 12; i += 1) {
      await delay(25);
      const before = Date.now();
      if (i % 2 === 0) expect(await store.patch(id, { set: { i: String(i) }, remove: [] }, ttlMs, before)).toBe('ok');
      else expect(await store.increment(id, 'n', 1, ttlMs, before)).toBe((i + 1) / 2);
      const after = Date.now();
      lastAfter = after;
      const expires = Number(await ownRaw.hget(key, 'm:expires'));
      if (String(expires) !== recorded) slides += 1;
      recorded = String(expires);
      // The recorded expiry (app clock), exactly: never past now + TTL, at most the tolerance before.
      expect(expires).toBeLessThanOrEqual(before + ttlMs);
      expect(expires).toBeGreaterThanOrEqual(before + ttlMs - tolerance);
    }
    // 12 writes over 300 ms or more: some slid (which ones depends on the machine's pace).
    expect(slides).toBeGreaterThan(0);
    // The key itself: every slide's PEXPIRE ran before its reply came back, so the key ends by the
    // last write's reply + TTL at the latest.
    await delay(Math.max(0, lastAfter + ttlMs + 20 - Date.now()));
    expect(await ownRaw.exists(key)).toBe(0);
    expect(await store.load(id, ttlMs)).toBeUndefined();
  });

  it('the Lua rule (slide_due) and the core one (slideDue) agree on a table of cases', async () => {
    const now = 1_760_000_000_123;
    const cases: Array<{ recorded: number | undefined; ttl: number; deadline: number }> = [];
    for (const ttl of [
      1, 19, 20, 21, 999, 1_000, 1_001, 2_000, 1_199_999, 1_200_000, 1_200_001, 1_800_000, 86_400_000,
    ]) {
      const tolerance = slideToleranceMs(ttl);
      for (const deadline of [now + 10 * ttl + 5, now + Math.floor(ttl / 2), now + 1, now + ttl]) {
        const wanted = Math.min(now + ttl, deadline);
        const near = [Math.floor(tolerance), Math.ceil(tolerance), Math.floor(tolerance) + 1, 2 * Math.ceil(tolerance)];
        for (const delta of [0, 1, ...near, ...near.map((d) => -d), -ttl, ttl]) {
          cases.push({ recorded: wanted + delta, ttl, deadline });
        }
      }
      cases.push({ recorded: undefined, ttl, deadline: now + 2 * ttl });
    }
    const source = `${SCRIPT_HELPERS}
local due = slide_due(ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
if due then return 1 end
return 0`;
    const lua = await Promise.all(
      cases.map((c) =>
        raw.eval(
          source,
          0,
          c.recorded === undefined ? '' : String(c.recorded),
          String(c.deadline),
          String(now),
          String(c.ttl),
        ),
      ),
    );
    const js = cases.map((c) => (slideDue(c.recorded, now, c.ttl, c.deadline) ? 1 : 0));
    const disagreements = cases.filter((_, i) => lua[i] !== js[i]);
    expect(disagreements).toEqual([]);
    expect(js).toContain(0);
    expect(js).toContain(1);
    // A corrupt m:expires reads as unknown on both sides (decodeSession: undefined): it slides.
    for (const corrupt of ['soon', '1.5', '1e12', ' 12', '']) {
      expect(await raw.eval(source, 0, corrupt, String(now + HOUR_MS), String(now), String(HOUR_MS))).toBe(1);
    }
  });
});
