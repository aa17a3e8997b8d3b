import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import type { SessionStore, StoredSession } from '../store.js';
import { newId, storedSession } from './helpers.js';
import { type StoreCheck, storeCheck } from './store-check.js';

// Real time: a store's expiry (Redis PEXPIRE, a row's expires_at, a Map's deadline) has no event to
// wait for. Short TTLs keep the suite fast; each test waits at least 100 ms past the expiry it tests,
// and a session meant to be live keeps an hour of TTL, so a busy machine does not flip a result.
const TTL_MS = 600;
const SHORT_MS = 100;
const PAST_MS = 250;
const HOUR_MS = 60 * 60_000;

/** Loads `id` with a long TTL: live or not, as the store sees it now. */
async function isLive(store: SessionStore, id: string): Promise<boolean> {
  return (await store.load(id, HOUR_MS)) !== undefined;
}

/** A session created with a 100 ms idle TTL (an hour to its deadline), read after that TTL passed. */
async function idleExpired(store: SessionStore, data: Record<string, string> = { n: '1' }): Promise<string> {
  const id = newId();
  expect(await store.create(id, storedSession(data), SHORT_MS)).toBe('ok');
  await delay(PAST_MS);
  return id;
}

/**
 * A session whose absolute deadline is 100 ms away, created and written with TTLs of an hour (more
 * than the manager would pass: the store must end it at the deadline by itself), read after the
 * deadline passed.
 */
async function pastDeadline(store: SessionStore): Promise<string> {
  const id = newId();
  const createdAt = Date.now();
  expect(
    await store.create(id, storedSession({ n: '1' }, { createdAt, absoluteDeadlineMs: createdAt + SHORT_MS }), HOUR_MS),
  ).toBe('ok');
  expect(await store.touch(id, HOUR_MS)).toBe('ok');
  await delay(PAST_MS);
  return id;
}

/** @internal Idle expiry and its slide on every verb; the absolute deadline enforced by the store; no write revives. */
export const expiryChecks: readonly StoreCheck[] = [
  storeCheck('expiry', 'expires a session that is not read within its TTL', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), TTL_MS);
    await delay(TTL_MS + 300);
    expect(await store.load(id, TTL_MS)).toBeUndefined();
  }),

  storeCheck('expiry', 'slides the idle expiry on every read', async (store) => {
    const id = newId();
    const start = Date.now();
    await store.create(id, storedSession({ a: '1' }), TTL_MS);
    await delay(300);
    expect(await store.load(id, TTL_MS)).toBeDefined();
    // Past the first deadline (start + TTL), before the slid one (read time + TTL).
    await delay(Math.max(0, start + TTL_MS + 100 - Date.now()));
    expect(await store.load(id, TTL_MS)).toBeDefined();
    await delay(TTL_MS + 300);
    expect(await store.load(id, TTL_MS)).toBeUndefined();
  }),

  storeCheck('expiry', 'slides the expiry on patch, increment, touch and regenerate too', async (store) => {
    const ids = [newId(), newId(), newId(), newId()] as const;
    const regenerated = newId();
    const start = Date.now();
    for (const id of ids) await store.create(id, storedSession({ n: '1' }), TTL_MS);
    await delay(300);
    expect(await store.patch(ids[0], { set: { n: '2' }, remove: [] }, TTL_MS)).toBe('ok');
    expect(await store.increment(ids[1], 'n', 1, TTL_MS)).toBe(2);
    expect(await store.touch(ids[2], TTL_MS)).toBe('ok');
    expect(await store.regenerate(ids[3], regenerated, TTL_MS)).toBe('ok');
    // Past the expiry the create set, before the one each write set.
    await delay(Math.max(0, start + TTL_MS + 100 - Date.now()));
    const live = await Promise.all([ids[0], ids[1], ids[2], regenerated].map((id) => store.load(id, TTL_MS)));
    expect(
      live.map((session) => session !== undefined),
      'patched, incremented, touched, regenerated',
    ).toEqual([true, true, true, true]);
  }),

  storeCheck(
    'expiry',
    'a load after the idle expiry finds nothing, and does not bring the session back',
    async (store) => {
      const id = await idleExpired(store);
      expect(await store.load(id, HOUR_MS)).toBeUndefined();
      expect(await store.load(id, HOUR_MS)).toBeUndefined();
    },
  ),

  storeCheck(
    'expiry',
    'a patch after the idle expiry answers gone and does not bring the session back',
    async (store) => {
      const id = await idleExpired(store);
      expect(await store.patch(id, { set: { n: '2' }, remove: [] }, HOUR_MS)).toBe('gone');
      expect(await isLive(store, id)).toBe(false);
    },
  ),

  storeCheck(
    'expiry',
    'an increment after the idle expiry answers gone and does not bring the session back',
    async (store) => {
      const id = await idleExpired(store);
      expect(await store.increment(id, 'n', 1, HOUR_MS)).toBe('gone');
      expect(await isLive(store, id)).toBe(false);
    },
  ),

  storeCheck(
    'expiry',
    'a touch after the idle expiry answers gone and does not bring the session back',
    async (store) => {
      const id = await idleExpired(store);
      expect(await store.touch(id, HOUR_MS)).toBe('gone');
      expect(await isLive(store, id)).toBe(false);
    },
  ),

  storeCheck(
    'expiry',
    'a regenerate after the idle expiry answers gone and creates nothing under either id',
    async (store) => {
      const id = await idleExpired(store);
      const next = newId();
      expect(await store.regenerate(id, next, HOUR_MS)).toBe('gone');
      expect(await isLive(store, next)).toBe(false);
      expect(await isLive(store, id)).toBe(false);
    },
  ),

  storeCheck('expiry', 'create over an expired session under the same id stores exactly the new one', async (store) => {
    const id = await idleExpired(store, { old: '1', both: '"old"' });
    const replacement = storedSession({ both: '"new"' });
    expect(await store.create(id, replacement, HOUR_MS)).toBe('ok');
    expect(await store.load(id, HOUR_MS)).toEqual(replacement);
  }),

  storeCheck(
    'expiry',
    'ends a session at its absolute deadline by itself, whatever TTL it was given',
    async (store) => {
      const id = newId();
      const createdAt = Date.now();
      await store.create(id, storedSession({ a: '1' }, { createdAt, absoluteDeadlineMs: createdAt + 300 }), HOUR_MS);
      await delay(100);
      expect(await store.load(id, HOUR_MS)).toBeDefined();
      expect(await store.touch(id, HOUR_MS)).toBe('ok');
      expect(await store.patch(id, { set: { a: '2' }, remove: [] }, HOUR_MS)).toBe('ok');
      await delay(Math.max(0, createdAt + 300 + 150 - Date.now()));
      expect(await store.load(id, HOUR_MS)).toBeUndefined();
    },
  ),

  storeCheck(
    'expiry',
    'past the absolute deadline patch, increment, touch and regenerate answer gone and revive nothing',
    async (store) => {
      const ids = await Promise.all([
        pastDeadline(store),
        pastDeadline(store),
        pastDeadline(store),
        pastDeadline(store),
      ]);
      const next = newId();
      const answers = [
        await store.patch(ids[0] as string, { set: { n: '2' }, remove: [] }, HOUR_MS),
        await store.increment(ids[1] as string, 'n', 1, HOUR_MS),
        await store.touch(ids[2] as string, HOUR_MS),
        await store.regenerate(ids[3] as string, next, HOUR_MS),
      ];
      expect(answers, 'patch, increment, touch, regenerate').toEqual(['gone', 'gone', 'gone', 'gone']);
      const live = await Promise.all([...ids, next].map((id) => isLive(store, id)));
      expect(live).toEqual([false, false, false, false, false]);
    },
  ),

  storeCheck(
    'expiry',
    'a regenerated session keeps its absolute deadline, whatever TTL the regenerate was given',
    async (store) => {
      const id = newId();
      const next = newId();
      const createdAt = Date.now();
      const session = storedSession({ a: '1' }, { createdAt, absoluteDeadlineMs: createdAt + 200 });
      await store.create(id, session, HOUR_MS);
      expect(await store.regenerate(id, next, HOUR_MS)).toBe('ok');
      expect((await store.load(next, HOUR_MS))?.meta).toEqual(session.meta);
      await delay(Math.max(0, createdAt + 200 + 150 - Date.now()));
      expect(await store.load(next, HOUR_MS)).toBeUndefined();
      expect(await store.touch(next, HOUR_MS)).toBe('gone');
    },
  ),

  storeCheck(
    'expiry',
    'compares the absolute deadline with the clock it is given (nowMs), not its own: an hour on, every verb finds the session gone',
    async (store) => {
      const now = Date.now();
      const later = now + 2 * HOUR_MS; // past the deadline on the app's clock, though not on the store's
      const session = (): StoredSession =>
        storedSession({ n: '1' }, { createdAt: now, absoluteDeadlineMs: now + HOUR_MS });
      const ids = [newId(), newId(), newId(), newId(), newId()] as const;
      for (const id of ids) expect(await store.create(id, session(), HOUR_MS, now)).toBe('ok');
      const next = newId();
      const answers = {
        load: await store.load(ids[0], HOUR_MS, later),
        read: typeof store.read === 'function' ? await store.read(ids[0], later) : undefined,
        patch: await store.patch(ids[1], { set: { n: '2' }, remove: [] }, HOUR_MS, later),
        increment: await store.increment(ids[2], 'n', 1, HOUR_MS, later),
        touch: await store.touch(ids[3], HOUR_MS, later),
        regenerate: await store.regenerate(ids[4], next, HOUR_MS, later),
        create: await store.create(newId(), session(), HOUR_MS, later),
      };
      expect(answers).toEqual({
        load: undefined,
        read: undefined,
        patch: 'gone',
        increment: 'gone',
        touch: 'gone',
        regenerate: 'gone',
        create: 'gone',
      });
      expect(await store.load(next, HOUR_MS, later)).toBeUndefined();
    },
  ),

  storeCheck(
    'expiry',
    'read (when the store has it) writes nothing: a session only read still ends at its idle expiry, and read tells that expiry',
    async (store) => {
      if (typeof store.read !== 'function') return;
      const id = newId();
      const start = Date.now();
      await store.create(id, storedSession({ a: '1' }), 400);
      await delay(200);
      const read = await store.read(id);
      expect(read?.data).toEqual({ a: '1' });
      if (read?.expiresAtMs !== undefined) {
        expect(read.expiresAtMs).toBeGreaterThanOrEqual(start + 400 - 50);
        expect(read.expiresAtMs).toBeLessThanOrEqual(Date.now() + 400);
      }
      await delay(Math.max(0, start + 400 + 150 - Date.now()));
      expect(await store.read(id)).toBeUndefined();
      expect(await store.read(newId())).toBeUndefined();
    },
  ),
];
