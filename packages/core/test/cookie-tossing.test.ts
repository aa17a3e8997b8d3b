/**
 * Cookie tossing: a sibling subdomain (or a man in the middle on plain HTTP) sets `sid=...;
 * Domain=example.com`, so the victim's browser sends several `sid` values. The rule under test:
 * values that are not our seals are ignored (and never cause a clearing cookie), two different
 * valid sessions mean no session, whatever the order and count of values, and the crypto work is
 * bounded.
 */
import { recordingStore } from '@sessionkit/test-support';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as iron from '../src/iron.js';
import { createSessionManager, MemoryStore, type Session, type SessionOptions } from '../src/index.js';
import { MAX_SEALS_PER_REQUEST } from '../src/manager.js';
import { cookieValueOf, createTestJar, forgeCookie, testSecrets } from '../src/testing/index.js';

vi.mock('../src/iron.js', async (importOriginal) => {
  const original = await importOriginal<typeof iron>();
  return { ...original, unsealIron: vi.fn(original.unsealIron) };
});
const unsealSpy = vi.mocked(iron.unsealIron);

/** At most this many values that look like our seals are verified in one request. */
const CAP = MAX_SEALS_PER_REQUEST;

/** Ten values a sibling subdomain could plant, none of them shaped like one of our seals. */
const JUNK = [
  'junk',
  'Fe26.2*garbage',
  'Fe26.2**',
  '%E0%A4%A',
  '__proto__',
  'a'.repeat(300),
  'x',
  'e30.eyJ1c2VyIjoiYWRtaW4ifQ.sig',
  '0',
  'null',
];

function header(...values: string[]): string {
  return values.map((value) => `sid=${value}`).join('; ');
}

function setup(options: Partial<SessionOptions> = {}) {
  const recording = recordingStore(new MemoryStore());
  const config = { secrets: [...testSecrets], store: recording.store, ...options };
  // Sessions are issued by another manager on the same store, so the manager under test has not
  // cached their seals and every verification it makes shows in the spy.
  const issuer = createSessionManager(config);
  const manager = createSessionManager(config);
  async function login(name: string): Promise<{ value: string; id: string }> {
    const test = createTestJar();
    const session = await issuer.load(test.jar);
    session.data['name'] = name;
    await session.commit();
    return { value: cookieValueOf(test.setCookies[0]) as string, id: session.id };
  }
  async function request(cookieHeader: string): Promise<{ session: Session; setCookies: string[] }> {
    recording.reset();
    unsealSpy.mockClear();
    const test = createTestJar(cookieHeader);
    const session = await manager.load(test.jar);
    await session.commit();
    return { session, setCookies: test.setCookies };
  }
  return { manager, login, request, calls: recording.calls };
}

/** A seal with our secret id and the right shape whose MAC does not verify. */
function badMacSeal(): Promise<string> {
  return forgeCookie({}, [{ id: 'test1', secret: 'an-attackers-guess-at-the-secret-0123456789' }]);
}

describe('cookie tossing: several values under the session cookie name', () => {
  afterEach(() => unsealSpy.mockClear());

  it('loads the victim session behind ten junk values', async () => {
    const { login, request } = setup();
    const victim = await login('victim');
    const { session, setCookies } = await request(header(...JUNK, victim.value));
    expect(session.isNew).toBe(false);
    expect(session.id).toBe(victim.id);
    expect(session.data).toEqual({ name: 'victim' });
    expect(setCookies).toEqual([]);
  });

  it('gives no session, no clearing cookie and no store call for junk plus two different valid sessions, in any order', async () => {
    const { login, request, calls } = setup();
    const victim = await login('victim');
    const attacker = await login('attacker');
    for (const cookieHeader of [
      header(...JUNK, attacker.value, victim.value),
      header(...JUNK, victim.value, attacker.value),
      header(victim.value, ...JUNK, attacker.value),
      header(attacker.value, victim.value),
    ]) {
      const { session, setCookies } = await request(cookieHeader);
      expect(session.isNew).toBe(true);
      expect(session.data).toEqual({});
      expect(session.id).not.toBe(victim.id);
      expect(session.id).not.toBe(attacker.id);
      // A clearing cookie would delete the victim's own cookie (ours is host-only; the planted one is not).
      expect(setCookies).toEqual([]);
      expect(calls).toEqual([]);
    }
  });

  it("loads an attacker session that is the only valid value among junk (nothing tells it from the client's own)", async () => {
    const { login, request } = setup();
    const attacker = await login('attacker');
    const { session } = await request(header(...JUNK.slice(0, 6), attacker.value, ...JUNK.slice(6)));
    expect(session.id).toBe(attacker.id);
  });

  it('treats junk alone as no cookie of ours: a new session and no Set-Cookie line, nor a store call', async () => {
    const { manager, request, calls } = setup();
    for (const cookieHeader of [header(...JUNK), header('Fe26.2*garbage'), `theme=dark; ${header('junk')}`]) {
      const { session, setCookies } = await request(cookieHeader);
      expect(session.isNew).toBe(true);
      expect(setCookies).toEqual([]);
      expect(calls).toEqual([]);
      expect(unsealSpy).not.toHaveBeenCalled();
      // Then there is nothing to load: an adapter puts the session off, as with no cookie.
      expect(manager.needsLoad(createTestJar(cookieHeader).jar)).toBe(false);
    }
  });

  it('treats seals that fail the MAC, or name a secret we do not have, as not ours: no clearing cookie', async () => {
    const { request, calls } = setup();
    const foreign = await forgeCookie({}, ['a-different-secret-of-enough-length-000000']);
    for (const value of [await badMacSeal(), foreign]) {
      const { session, setCookies } = await request(header(value));
      expect(session.isNew).toBe(true);
      expect(setCookies).toEqual([]);
      expect(calls).toEqual([]);
    }
  });

  it('still clears a valid seal of ours whose session is gone from the store, or past its deadline', async () => {
    const { login, manager, request } = setup();
    const gone = await login('gone');
    const test = createTestJar(header(gone.value));
    await (await manager.load(test.jar)).destroy();
    const expired = await forgeCookie({ issuedAt: Date.now() - 7_200_000, absoluteDeadlineMs: Date.now() - 1000 });
    for (const value of [gone.value, await forgeCookie(), expired]) {
      const { session, setCookies } = await request(header(...JUNK, value));
      expect(session.isNew).toBe(true);
      expect(setCookies).toHaveLength(1);
      expect(setCookies[0]).toMatch(/^sid=; Max-Age=0/);
    }
  });

  it('loads the live session when the other valid seal is past its absolute deadline', async () => {
    const { login, request } = setup();
    const victim = await login('victim');
    const expired = await forgeCookie({ issuedAt: Date.now() - 7_200_000, absoluteDeadlineMs: Date.now() - 1000 });
    const { session, setCookies } = await request(header(expired, victim.value));
    expect(session.id).toBe(victim.id);
    expect(setCookies).toEqual([]);
  });

  it('loads one value repeated, among junk, as that session', async () => {
    const { login, request } = setup();
    const victim = await login('victim');
    const { session } = await request(header(victim.value, ...JUNK, victim.value, victim.value));
    expect(session.id).toBe(victim.id);
    expect(unsealSpy).toHaveBeenCalledTimes(1);
  });

  it('loads two seals of the same session (an old-secret one and its re-seal) as that session', async () => {
    const [current, previous] = testSecrets;
    const store = new MemoryStore();
    const old = createSessionManager({ secrets: [previous], store });
    const first = createTestJar();
    const created = await old.load(first.jar);
    created.data['name'] = 'victim';
    await created.commit();
    const oldValue = cookieValueOf(first.setCookies[0]) as string;
    const rotated = createSessionManager({ secrets: [current, previous], store });
    const second = createTestJar(header(oldValue));
    await (await rotated.load(second.jar)).commit();
    const newValue = cookieValueOf(second.setCookies[0]) as string;
    expect(newValue).toMatch(/^Fe26\.2\*test1\*/);
    for (const cookieHeader of [header(oldValue, newValue), header(newValue, oldValue)]) {
      const test = createTestJar(cookieHeader);
      const session = await rotated.load(test.jar);
      expect(session.id).toBe(created.id);
      await session.commit();
      // The current-secret value was picked: nothing to re-seal.
      expect(test.setCookies).toEqual([]);
    }
  });
});

describe('cookie tossing: bounded work', () => {
  afterEach(() => unsealSpy.mockClear());

  it(`verifies at most ${CAP} seal-shaped values, and sees the victim's among them behind any amount of junk`, async () => {
    const { login, request } = setup();
    const victim = await login('victim');
    const junk = Array.from({ length: 199 }, (_, i) => `junk${i}`);
    const { session } = await request(header(...junk, victim.value));
    expect(session.id).toBe(victim.id);
    expect(unsealSpy).toHaveBeenCalledTimes(1);

    const badMacs = await Promise.all(Array.from({ length: CAP - 1 }, badMacSeal));
    const mixed = await request(header(...junk.slice(0, 50), ...badMacs, victim.value));
    expect(mixed.session.id).toBe(victim.id);
    // The victim's value is cached by now; each bad seal cost one MAC check.
    expect(unsealSpy).toHaveBeenCalledTimes(CAP - 1);
  });

  it(`gives no session, no clearing cookie and no crypto when more than ${CAP} values look like seals`, async () => {
    const { login, request, calls } = setup();
    const victim = await login('victim');
    const valid = await Promise.all(Array.from({ length: 200 }, () => forgeCookie()));
    const badMacs = await Promise.all(Array.from({ length: CAP }, badMacSeal));
    for (const values of [valid, [...valid.slice(0, CAP), victim.value], [...badMacs, victim.value]]) {
      const { session, setCookies } = await request(header(...values));
      expect(session.isNew).toBe(true);
      expect(setCookies).toEqual([]);
      expect(calls).toEqual([]);
      expect(unsealSpy).not.toHaveBeenCalled();
    }
  });
});
