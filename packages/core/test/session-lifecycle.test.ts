import { describe, expect, it } from 'vitest';
import { createSessionManager, MemoryStore, type SessionOptions } from '../src/index.js';
import { cookieValueOf, createTestJar, testSecrets } from '../src/testing/index.js';
import { recordingStore } from '@sessionkit/test-support';

function setup(options: Partial<SessionOptions> = {}) {
  const recording = recordingStore(options.store ?? new MemoryStore());
  const manager = createSessionManager({ secrets: [...testSecrets], ...options, store: recording.store });
  /** Runs one request: load, handler, commit; returns the session and what was written. */
  async function request(
    cookie: string | undefined,
    handler: (s: Awaited<ReturnType<typeof manager.load>>) => unknown = () => {},
  ) {
    const test = createTestJar(cookie === undefined ? undefined : `sid=${cookie}`);
    const session = await manager.load(test.jar);
    await handler(session);
    await session.commit();
    const line = test.setCookies.find((l) => l.startsWith('sid='));
    return { session, ...test, line, cookie: line === undefined ? cookie : cookieValueOf(line) };
  }
  return { manager, request, ...recording };
}

describe('session lifecycle', () => {
  it('reload() reads the session again, dropping unsaved changes; GONE once it ended', async () => {
    const { request, manager } = setup();
    const first = await request(undefined, (s) => {
      s.data['name'] = 'alice';
      s.setUserId('alice');
    });
    const slow = await manager.load(createTestJar(`sid=${first.cookie}`).jar);
    await request(first.cookie, (s) => {
      s.data['name'] = 'bob';
    });
    slow.data['unsaved'] = true;
    await slow.reload();
    expect(slow.data).toEqual({ name: 'bob' });
    expect(slow.userId).toBe('alice');
    await request(first.cookie, (s) => s.destroy());
    await expect(slow.reload()).rejects.toMatchObject({ code: 'GONE' });
    expect(slow.isDestroyed).toBe(true);
  });

  it('tells the absolute deadline of a stored session, and whether its cookie is persistent', async () => {
    const now = Date.now();
    const { request } = setup({ now: () => now, absoluteTimeoutMs: 7_200_000 });
    const created = await request(undefined, (s) => {
      expect(s.absoluteDeadlineMs).toBeUndefined();
      s.data['a'] = 1;
      s.persist();
    });
    expect(created.session.absoluteDeadlineMs).toBe(now + 7_200_000);
    expect(created.session.isPersistent).toBe(true);
  });

  it('makes no store call and sets no cookie or header for a request without a cookie', async () => {
    const { request, calls } = setup();
    const result = await request(undefined, (s) => void s.data);
    expect(calls).toEqual([]);
    expect(result.setCookies).toEqual([]);
    expect(result.headers.size).toBe(0);
    expect(result.session.isNew).toBe(true);
  });

  it('stores a new session and sets its cookie only once it holds data', async () => {
    const { request, calls } = setup();
    const result = await request(undefined, (s) => {
      s.data['name'] = 'alice';
    });
    expect(calls).toEqual(['create']);
    expect(result.setCookies).toHaveLength(1);
    expect(result.line).toMatch(/^sid=Fe26\.2\*test1\*[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(result.session.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.headers.get('vary')).toBe('Cookie');
    expect(result.headers.get('cache-control')).toBe('no-store');
  });

  it('reads a returning session in one store call and rewrites nothing when unmodified', async () => {
    const { request, calls, reset } = setup();
    const { cookie } = await request(undefined, (s) => {
      s.data['name'] = 'alice';
      s.data['cart'] = { items: [1] };
    });
    reset();
    const again = await request(cookie, (s) => {
      expect(s.isNew).toBe(false);
      expect(s.data).toEqual({ name: 'alice', cart: { items: [1] } });
    });
    expect(calls).toEqual(['load']);
    expect(again.setCookies).toEqual([]);
    expect(again.headers.get('vary')).toBe('Cookie');
  });

  it('writes only the keys that changed, detecting nested mutation and deletion', async () => {
    const inner = new MemoryStore();
    const patches: unknown[] = [];
    const original = inner.patch.bind(inner);
    inner.patch = async (id, patch, ttl) => {
      patches.push(patch);
      return original(id, patch, ttl);
    };
    const { request } = setup({ store: inner });
    const { cookie } = await request(undefined, (s) =>
      Object.assign(s.data, { a: 1, b: { list: [1] }, c: 'x', d: 'same' }),
    );
    await request(cookie, (s) => {
      (s.data['b'] as { list: number[] }).list.push(2);
      delete s.data['c'];
      s.data['d'] = 'same';
      s.data['e'] = undefined;
    });
    expect(patches).toEqual([{ set: { b: '{"list":[1,2]}' }, remove: ['c'] }]);
    expect((await request(cookie)).session.data).toEqual({ a: 1, b: { list: [1, 2] }, d: 'same' });
  });

  it('keeps data keys named like session methods as plain data', async () => {
    const { request } = setup();
    const names = [
      'destroy',
      'regenerate',
      'commit',
      'increment',
      'touch',
      'id',
      'isNew',
      'data',
      'constructor',
      'toString',
    ];
    const { cookie } = await request(undefined, (s) => {
      for (const name of names) s.data[name] = `value of ${name}`;
    });
    const { session } = await request(cookie);
    for (const name of names) expect(session.data[name]).toBe(`value of ${name}`);
    expect(typeof session.destroy).toBe('function');
  });

  it('regenerate gives a new id and cookie, keeps the data and kills the old id', async () => {
    const { request, store } = setup();
    const first = await request(undefined, (s) => (s.data['name'] = 'anon'));
    const oldId = first.session.id;
    const second = await request(first.cookie, async (s) => {
      await s.regenerate();
      s.data['name'] = 'alice';
    });
    expect(second.session.id).not.toBe(oldId);
    expect(second.cookie).not.toBe(first.cookie);
    expect(await store.load(oldId, 60_000)).toBeUndefined();
    expect((await request(second.cookie)).session.data).toEqual({ name: 'alice' });
    const replay = await request(first.cookie);
    expect(replay.session.isNew).toBe(true);
    expect(replay.session.data).toEqual({});
  });

  it('destroy deletes server-side, clears the cookie, and later writes never recreate it', async () => {
    const { request, store } = setup();
    const first = await request(undefined, (s) => (s.data['name'] = 'alice'));
    const id = first.session.id;
    const result = await request(first.cookie, async (s) => {
      await s.destroy();
      s.data['late'] = 'write';
    });
    expect(result.line).toMatch(
      /^sid=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax$/,
    );
    expect(await store.load(id, 60_000)).toBeUndefined();
    expect((await request(first.cookie)).session.isNew).toBe(true);
  });

  it('drops a write that arrives after a concurrent logout instead of resurrecting the session', async () => {
    const { manager, request, store } = setup();
    const first = await request(undefined, (s) => (s.data['name'] = 'alice'));
    const slow = createTestJar(`sid=${first.cookie}`);
    const slowSession = await manager.load(slow.jar);
    await request(first.cookie, (s) => s.destroy());
    slowSession.data['cart'] = ['book'];
    await slowSession.commit();
    expect(slowSession.isDestroyed).toBe(true);
    expect(await store.load(first.session.id, 60_000)).toBeUndefined();
    expect(slow.setCookies[0]).toMatch(/^sid=; Max-Age=0/);
  });

  it('increments atomically through the store, and locally for a session not stored yet', async () => {
    const { request, calls, reset } = setup();
    const first = await request(undefined, async (s) => {
      expect(await s.increment('visits')).toBe(1);
      expect(await s.increment('visits', 4)).toBe(5);
    });
    expect(calls).toEqual(['create']);
    reset();
    const sessions = await Promise.all(
      Array.from({ length: 50 }, () => request(first.cookie, (s) => s.increment('visits'))),
    );
    expect(calls.filter((c) => c === 'patch')).toEqual([]);
    expect(sessions.map((r) => r.session.data['visits']).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 6),
    );
  });

  it('refuses to increment a non-integer or by a non-integer, with a 400 error', async () => {
    const { request } = setup();
    const first = await request(undefined, (s) => (s.data['name'] = 'alice'));
    await request(first.cookie, async (s) => {
      await expect(s.increment('name')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', status: 400 });
      await expect(s.increment('visits', 1.5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });

  it('answers 409 GONE when incrementing a session destroyed meanwhile, and clears the cookie', async () => {
    const { manager, request } = setup();
    const first = await request(undefined, (s) => (s.data['name'] = 'alice'));
    const test = createTestJar(`sid=${first.cookie}`);
    const session = await manager.load(test.jar);
    await request(first.cookie, (s) => s.destroy());
    await expect(session.increment('visits')).rejects.toMatchObject({ code: 'GONE', status: 409 });
    await session.commit();
    expect(test.setCookies[0]).toMatch(/^sid=; Max-Age=0/);
  });

  it('indexes sessions by user for listing and "log out everywhere"', async () => {
    const { manager, request } = setup();
    const a = await request(undefined, (s) => {
      s.data['n'] = 1;
      s.setUserId('user-1');
    });
    const b = await request(undefined, (s) => {
      s.data['n'] = 1;
      s.setUserId('user-1');
    });
    expect((await manager.listUserSessions('user-1')).sort()).toEqual([a.session.id, b.session.id].sort());
    expect((await request(a.cookie)).session.userId).toBe('user-1');
    expect(await manager.destroyUserSessions('user-1')).toBe(2);
    expect((await request(a.cookie)).session.isNew).toBe(true);
    expect((await request(b.cookie)).session.isNew).toBe(true);
  });

  it('sends a persistent cookie with Max-Age and refreshes it on every request (rolling)', async () => {
    let clock = 1_700_000_000_000;
    const { request } = setup({
      now: () => clock,
      store: new MemoryStore({ now: () => clock }),
      idleTimeoutMs: 600_000,
    });
    const first = await request(undefined, (s) => {
      s.data['n'] = 1;
      s.persist();
    });
    expect(first.line).toMatch(/; Max-Age=600;/);
    clock += 100_000;
    const again = await request(first.cookie);
    expect(again.line).toMatch(/; Max-Age=600;/);
    expect(again.cookie).toBe(first.cookie);
  });
});

describe('cookie bookkeeping', () => {
  it('clears the old cookie when a session is regenerated and then destroyed in one request', async () => {
    const { request } = setup();
    const first = await request(undefined, (s) => (s.data['n'] = 1));
    const second = await request(first.cookie, async (s) => {
      await s.regenerate();
      await s.destroy();
    });
    expect(second.setCookies).toHaveLength(1);
    expect(second.setCookies[0]).toMatch(/^sid=; Max-Age=0/);
  });

  it('re-sends the cookie for a regenerated session even when nothing else changed', async () => {
    const { request } = setup();
    const first = await request(undefined, (s) => (s.data['n'] = 1));
    const second = await request(first.cookie, (s) => s.regenerate());
    expect(second.cookie).toMatch(/^Fe26/);
    expect(second.cookie).not.toBe(first.cookie);
  });
});
