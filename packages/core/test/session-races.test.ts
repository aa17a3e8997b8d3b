/**
 * A logout must never be undone by another request of the same session: regenerate racing destroy,
 * log out everywhere, or another regenerate; and the session-level limits that concurrent requests
 * could otherwise break (absolute deadline, maxDataBytes). Each case runs on MemoryStore and on
 * RedisStore (the shared test server).
 */
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSessionManager,
  MemoryStore,
  type Session,
  SessionGoneError,
  type SessionManager,
  type SessionOptions,
  type SessionStore,
} from '../src/index.js';
import { RedisStore } from '../src/redis/index.js';
import { cookieValueOf, createTestJar, testSecrets } from '../src/testing/index.js';
import { readyClient, setupOnce, sharedRedisPort, uniquePrefix } from './redis/support.js';

let client: Redis;
setupOnce(async () => {
  client = await readyClient(sharedRedisPort());
});
afterAll(() => client?.disconnect());

const stores: Array<[string, () => SessionStore]> = [
  ['MemoryStore', () => new MemoryStore()],
  ['RedisStore', () => new RedisStore({ client, prefix: uniquePrefix('races') })],
];

type Data = Record<string, unknown>;

/** One request: load from `cookie`, run `handler`, commit; the cookie the response sets, if any. */
async function request(
  manager: SessionManager<Data>,
  cookie: string | undefined,
  handler: (session: Session<Data>) => unknown,
): Promise<{ session: Session<Data>; setCookies: string[]; cookie: string | undefined }> {
  const test = createTestJar(cookie);
  const session = await manager.load(test.jar);
  await handler(session);
  await session.commit();
  const last = test.setCookies.at(-1);
  const value = cookieValueOf(last);
  // No Set-Cookie: the client keeps its cookie; a clearing one: it has none.
  const next = last === undefined ? cookie : value === undefined ? undefined : `sid=${value}`;
  return { session, setCookies: test.setCookies, cookie: next };
}

/** The same request, split: load now, finish later, so another request can run in between. */
async function startRequest(manager: SessionManager<Data>, cookie: string) {
  const test = createTestJar(cookie);
  const session = await manager.load(test.jar);
  return { session, test };
}

describe.each(stores)('a logout is never undone (%s)', (_name, makeStore) => {
  const managerOf = (options: Partial<SessionOptions> = {}): SessionManager<Data> =>
    createSessionManager<Data>({ secrets: [...testSecrets], store: makeStore(), ...options });

  async function login(manager: SessionManager<Data>, user = `u-${Math.random()}`) {
    const { cookie } = await request(manager, undefined, (s) => {
      s.data.username = user;
      s.setUserId(user);
    });
    return { cookie: cookie as string, user };
  }

  it('regenerate after a concurrent destroy fails with GONE, creates nothing and clears the cookie', async () => {
    const manager = managerOf();
    const { cookie } = await login(manager);
    const slow = await startRequest(manager, cookie);
    await request(manager, cookie, (s) => s.destroy());
    await expect(slow.session.regenerate()).rejects.toBeInstanceOf(SessionGoneError);
    expect(slow.session.data).toEqual({});
    expect(slow.session.userId).toBeUndefined();
    slow.session.data.afterwards = 1;
    await slow.session.commit();
    expect(slow.test.setCookies).toHaveLength(1);
    expect(slow.test.setCookies[0]).toMatch(/^sid=;/);
    // Nothing was created under any id: the replayed cookie finds nothing.
    expect((await request(manager, cookie, () => undefined)).session.isNew).toBe(true);
  });

  it('regenerate racing "log out everywhere" does not bring the user back', async () => {
    const manager = managerOf();
    const { cookie, user } = await login(manager);
    const slow = await startRequest(manager, cookie);
    expect(await manager.destroyUserSessions(user)).toBe(1);
    await expect(slow.session.regenerate()).rejects.toBeInstanceOf(SessionGoneError);
    await slow.session.commit();
    expect(await manager.listUserSessions(user)).toEqual([]);
    // The response clears the cookie instead of handing out a live one.
    expect(slow.test.setCookies).toHaveLength(1);
    expect(slow.test.setCookies[0]).toMatch(/^sid=;/);
  });

  it('of 6 concurrent regenerates of one session, one wins and the others end with GONE', async () => {
    const manager = managerOf();
    const { cookie, user } = await login(manager);
    const requests = await Promise.all(Array.from({ length: 6 }, () => startRequest(manager, cookie)));
    const results = await Promise.allSettled(requests.map((r) => r.session.regenerate()));
    await Promise.all(requests.map((r) => r.session.commit()));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(SessionGoneError);
    }
    const live: string[] = [];
    for (const r of requests) {
      const value = cookieValueOf(r.test.setCookies.at(-1) ?? '');
      if (value) {
        const next = await request(manager, `sid=${value}`, () => undefined);
        if (!next.session.isNew) live.push(next.session.id);
      }
    }
    expect(live).toHaveLength(1);
    expect(await manager.listUserSessions(user)).toEqual(live);
  });

  it('regenerate({ keepData: false }) on a session that ended meanwhile starts empty: a login still works, nothing comes back', async () => {
    const manager = managerOf();
    const { cookie, user } = await login(manager);
    const slow = await startRequest(manager, cookie);
    expect(await manager.destroyUserSessions(user)).toBe(1);
    expect(await slow.session.regenerate({ keepData: false })).toBe('restarted');
    expect(slow.session.data).toEqual({});
    expect(slow.session.userId).toBeUndefined();
    slow.session.data.username = 'signed in again';
    await slow.session.commit();
    const next = await request(manager, `sid=${cookieValueOf(slow.test.setCookies.at(-1))}`, () => undefined);
    expect(next.session.data).toEqual({ username: 'signed in again' });
    expect(await manager.listUserSessions(user)).toEqual([]);
  });

  it('a session regenerated every 400 ms still ends at its absolute deadline', async () => {
    const manager = managerOf({ absoluteTimeoutMs: 2_000, idleTimeoutMs: 2_000 });
    let { cookie } = await login(manager);
    const started = Date.now();
    let lastAlive = started;
    while (Date.now() - started < 3_200) {
      const response = await request(manager, cookie, async (s) => {
        if (!s.isNew) {
          lastAlive = Date.now();
          await s.regenerate();
        }
      });
      cookie = response.cookie ?? cookie;
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
    expect(lastAlive - started).toBeLessThan(2_000);
    expect((await request(manager, cookie, () => undefined)).session.isNew).toBe(true);
  });

  it('regenerate({ keepData: false }) starts an empty session and kills the old id', async () => {
    const manager = managerOf();
    const { cookie: anonymous } = await request(manager, undefined, (s) => {
      s.data.planted = 'by an attacker';
    });
    const loggedIn = await request(manager, anonymous, async (s) => {
      await s.regenerate({ keepData: false });
      expect(s.data).toEqual({});
      s.data.username = 'alice';
    });
    expect(loggedIn.cookie).not.toBe(anonymous);
    expect((await request(manager, loggedIn.cookie, () => undefined)).session.data).toEqual({ username: 'alice' });
    expect((await request(manager, anonymous, () => undefined)).session.isNew).toBe(true);
  });

  it('a request that did not grow the data never fails on maxDataBytes, even when concurrent writers passed it', async () => {
    const manager = managerOf({ maxDataBytes: 300 });
    const { cookie } = await request(manager, undefined, (s) => {
      s.data.a = 'x';
    });
    // Two writers, each under the limit in its own view, together past it.
    const left = await startRequest(manager, cookie as string);
    const right = await startRequest(manager, cookie as string);
    left.session.data.left = 'l'.repeat(200);
    right.session.data.right = 'r'.repeat(200);
    await Promise.all([left.session.commit(), right.session.commit()]);
    // A read, a touch and a shrinking write still commit.
    await expect(request(manager, cookie, () => undefined)).resolves.toBeDefined();
    await expect(request(manager, cookie, (s) => s.touch())).resolves.toBeDefined();
    await expect(request(manager, cookie, (s) => void delete s.data.left)).resolves.toBeDefined();
    // Growing it past the limit is still refused.
    await expect(request(manager, cookie, (s) => void (s.data.more = 'm'.repeat(400)))).rejects.toMatchObject({
      code: 'DATA_TOO_LARGE',
    });
  });
});

describe('passport support after a concurrent logout', () => {
  it('regenerateEmpty hands back no old data when the session ended meanwhile (keepSessionInfo cannot undo a logout)', async () => {
    const { regenerateEmpty } = await import('../src/compat/passport-support.js');
    const manager = createSessionManager<Data>({ secrets: [...testSecrets], store: new MemoryStore() });
    const { cookie } = await request(manager, undefined, (s) => {
      s.data.cart = ['book'];
    });
    const live = await startRequest(manager, cookie as string);
    expect(await regenerateEmpty(live.session)).toEqual({ cart: ['book'] });
    const { cookie: second } = await request(manager, undefined, (s) => {
      s.data.cart = ['pen'];
    });
    const slow = await startRequest(manager, second as string);
    await request(manager, second, (s) => s.destroy());
    expect(await regenerateEmpty(slow.session)).toEqual({});
  });
});
