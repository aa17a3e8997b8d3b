import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import type { SessionStore } from '../store.js';
import { newId, storedSession } from './helpers.js';
import { type StoreCheck, storeCheck } from './store-check.js';

const HOUR_MS = 60 * 60_000;

type IndexedStore = SessionStore & Required<Pick<SessionStore, 'listUserSessions' | 'destroyUserSessions'>>;

const sorted = (ids: string[]): string[] => [...ids].sort();

/** A check of the user index: the store declared it, so its methods are there. */
const indexCheck = (name: string, run: (store: IndexedStore) => Promise<void>): StoreCheck =>
  storeCheck('user index', name, (store) => run(store as IndexedStore));

/** @internal The per-user session index ("log out everywhere"). */
export const userIndexChecks: readonly StoreCheck[] = [
  indexCheck('lists the sessions created for a user, and only theirs', async (store) => {
    const user = `u-${newId()}`;
    const ids = [newId(), newId()];
    for (const id of ids) await store.create(id, storedSession({}, { userId: user }), HOUR_MS);
    await store.create(newId(), storedSession({}, { userId: `${user}-other` }), HOUR_MS);
    await store.create(newId(), storedSession({}), HOUR_MS);
    expect(sorted(await store.listUserSessions(user))).toEqual(sorted(ids));
  }),

  indexCheck('follows patches that set and clear the user, regenerate, and destroy', async (store) => {
    const user = `u-${newId()}`;
    const a = newId();
    const b = newId();
    const b2 = newId();
    await store.create(a, storedSession({}), HOUR_MS);
    await store.create(b, storedSession({}), HOUR_MS);
    expect(await store.patch(a, { set: {}, remove: [], userId: user }, HOUR_MS)).toBe('ok');
    expect(await store.patch(b, { set: {}, remove: [], userId: user }, HOUR_MS)).toBe('ok');
    expect(sorted(await store.listUserSessions(user))).toEqual(sorted([a, b]));
    expect(await store.regenerate(b, b2, HOUR_MS)).toBe('ok');
    expect(sorted(await store.listUserSessions(user))).toEqual(sorted([a, b2]));
    expect((await store.load(b2, HOUR_MS))?.meta.userId).toBe(user);
    expect(await store.patch(a, { set: {}, remove: [], userId: null }, HOUR_MS)).toBe('ok');
    expect(await store.listUserSessions(user)).toEqual([b2]);
    expect((await store.load(a, HOUR_MS))?.meta.userId).toBeUndefined();
    await store.destroy(b2);
    expect(await store.listUserSessions(user)).toEqual([]);
  }),

  indexCheck('does not list expired sessions', async (store) => {
    const user = `u-${newId()}`;
    const live = newId();
    await store.create(newId(), storedSession({}, { userId: user }), 50);
    await store.create(live, storedSession({}, { userId: user }), HOUR_MS);
    await delay(300);
    expect(await store.listUserSessions(user)).toEqual([live]);
  }),

  indexCheck('destroys every session of a user and counts them, leaving other users alone', async (store) => {
    const user = `u-${newId()}`;
    const ids = [newId(), newId(), newId()];
    const bystander = newId();
    for (const id of ids) await store.create(id, storedSession({ a: '1' }, { userId: user }), HOUR_MS);
    await store.create(bystander, storedSession({ a: '1' }, { userId: `${user}-b` }), HOUR_MS);
    expect(await store.destroyUserSessions(user)).toBe(3);
    for (const id of ids) expect(await store.load(id, HOUR_MS)).toBeUndefined();
    expect(await store.listUserSessions(user)).toEqual([]);
    expect(await store.load(bystander, HOUR_MS)).toBeDefined();
    expect(await store.destroyUserSessions(user)).toBe(0);
  }),

  indexCheck(
    'destroyUserSessions counts live sessions only: not idle-expired ones, not those past their deadline, not a regenerated id twice',
    async (store) => {
      const user = `u-${newId()}`;
      const createdAt = Date.now();
      const live = [newId(), newId()];
      for (const id of live) await store.create(id, storedSession({ a: '1' }, { userId: user }), HOUR_MS);
      await store.create(newId(), storedSession({ a: '1' }, { userId: user }), 100);
      await store.create(
        newId(),
        storedSession({ a: '1' }, { createdAt, absoluteDeadlineMs: createdAt + 100, userId: user }),
        HOUR_MS,
      );
      const moved = newId();
      await store.create(moved, storedSession({ a: '1' }, { userId: user }), HOUR_MS);
      expect(await store.regenerate(moved, newId(), HOUR_MS)).toBe('ok');
      await delay(250);
      expect(await store.destroyUserSessions(user)).toBe(3);
      expect(await store.destroyUserSessions(user)).toBe(0);
    },
  ),

  indexCheck('lists no session past its absolute deadline, whatever TTL it was given', async (store) => {
    const user = `u-${newId()}`;
    const createdAt = Date.now();
    await store.create(
      newId(),
      storedSession({}, { createdAt, absoluteDeadlineMs: createdAt + 100, userId: user }),
      HOUR_MS,
    );
    await delay(250);
    expect(await store.listUserSessions(user)).toEqual([]);
  }),
];
