import { expect } from 'vitest';
import type { SessionStore } from '../store.js';
import { newId, storedSession } from './helpers.js';
import { type StoreCheck, storeCheck } from './store-check.js';

const HOUR_MS = 60 * 60_000;
const TRIALS = 150;

type IndexedStore = SessionStore & Required<Pick<SessionStore, 'listUserSessions' | 'destroyUserSessions'>>;

/** One turn of the event loop: lets the calls in flight make progress, so each trial interleaves differently. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function ticks(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await tick();
}

/**
 * Runs every call of the races once for a few dozen users, unchecked. "Called before" is the
 * store's own order: a store may send a call's first step again after a cold start (RedisStore
 * re-sends a script Redis does not know yet, which on a Cluster happens once per node), and a
 * re-sent step comes after a log-out called later. Warm, call order is that order.
 */
async function warmUp(store: IndexedStore): Promise<void> {
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      const user = `race-warm-${newId()}`;
      const [a, b] = [newId(), newId()];
      await store.create(a, storedSession({}, { userId: user }), HOUR_MS);
      await store.create(b, storedSession({}), HOUR_MS);
      await store.patch(b, { set: {}, remove: [], userId: user }, HOUR_MS);
      await store.regenerate(a, newId(), HOUR_MS);
      await store.listUserSessions(user);
      await store.destroyUserSessions(user);
    }),
  );
}

/** The ids among `ids` that are still a live session of `user`. */
async function liveOf(store: IndexedStore, user: string, ids: readonly string[]): Promise<string[]> {
  const loaded = await Promise.all(ids.map((id) => store.load(id, HOUR_MS)));
  return ids.filter((_, i) => loaded[i]?.meta.userId === user);
}

/** A race check: the store declared the user index, so its methods are there. */
const raceCheck = (name: string, run: (store: IndexedStore) => Promise<void>): StoreCheck =>
  storeCheck('user index races', name, (store) => run(store as IndexedStore));

/**
 * @internal "Log out everywhere" racing the calls that make a session the user's: a regenerate
 * loop, creates with the user, patches that set the user, and listings. Each test runs many trials
 * and collects every violation, so a failure says how often the race was lost.
 *
 * The rule checked: a create, regenerate or login patch called before `destroyUserSessions` was
 * called never leaves a live session of that user once both have settled, and nothing later brings
 * it back. The interleavings vary with the number of event-loop turns between the calls; no
 * assertion depends on timing.
 */
export const userIndexRaceChecks: readonly StoreCheck[] = [
  raceCheck(
    `ends a session being regenerated in a loop, and no later regenerate or patch succeeds (${TRIALS} trials)`,
    async (store) => {
      await warmUp(store);
      const failed: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const violations: string[] = [];
        const user = `race-regen-${newId()}`;
        const first = newId();
        await store.create(first, storedSession({ a: '1' }, { userId: user }), HOUR_MS);
        const ids = [first];
        let destroyReturned = false;
        const lateSuccesses: string[] = [];
        const loop = (async () => {
          let current = first;
          let attemptsAfterReturn = 0;
          for (let i = 0; i < 100; i++) {
            const startedAfterReturn = destroyReturned;
            if (startedAfterReturn && ++attemptsAfterReturn > 3) break;
            const next = newId();
            ids.push(next);
            const result = await store.regenerate(current, next, HOUR_MS);
            if (result === 'gone') {
              if (!startedAfterReturn) break;
              continue;
            }
            if (startedAfterReturn) lateSuccesses.push(next);
            current = next;
          }
          return current;
        })();
        await ticks(trial % 5);
        await store.destroyUserSessions(user);
        destroyReturned = true;
        const last = await loop;
        const survivors = await liveOf(store, user, ids);
        const listed = await store.listUserSessions(user);
        if (survivors.length > 0) violations.push(`${survivors.length} live session(s) after destroyUserSessions`);
        if (listed.length > 0) violations.push(`listUserSessions still lists ${listed.length}`);
        if (lateSuccesses.length > 0)
          violations.push(`${lateSuccesses.length} regenerate(s) started after it returned succeeded`);
        if ((await store.patch(last, { set: { b: '2' }, remove: [] }, HOUR_MS)) !== 'gone')
          violations.push(`a later patch succeeded`);
        if ((await store.regenerate(last, newId(), HOUR_MS)) !== 'gone')
          violations.push(`a later regenerate succeeded`);
        if (violations.length > 0) failed.push(`trial ${trial}: ${violations.join('; ')}`);
      }
      expect(failed, `${failed.length} of ${TRIALS} trials failed`).toEqual([]);
    },
  ),

  raceCheck(
    `ends the sessions of creates with the user that were called before it (${TRIALS} trials)`,
    async (store) => {
      await warmUp(store);
      const failed: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const violations: string[] = [];
        const user = `race-create-${newId()}`;
        const ids = [newId(), newId(), newId()];
        const creates: Array<Promise<unknown>> = [];
        for (const [i, id] of ids.entries()) {
          creates.push(store.create(id, storedSession({ a: '1' }, { userId: user }), HOUR_MS));
          await ticks((trial >> i) % 2);
        }
        await ticks(trial % 4);
        await store.destroyUserSessions(user);
        const results = await Promise.all(creates);
        for (const result of results) {
          if (result !== undefined && result !== 'ok' && result !== 'gone')
            violations.push(`create answered ${String(result)}`);
        }
        const survivors = await liveOf(store, user, ids);
        const listed = await store.listUserSessions(user);
        if (survivors.length > 0) violations.push(`${survivors.length} live session(s) after destroyUserSessions`);
        if (listed.length > 0) violations.push(`listUserSessions still lists ${listed.length}`);
        for (const id of ids) {
          if ((await store.patch(id, { set: { b: '2' }, remove: [] }, HOUR_MS)) !== 'gone')
            violations.push(`a later patch succeeded`);
        }
        if (violations.length > 0) failed.push(`trial ${trial}: ${violations.join('; ')}`);
      }
      expect(failed, `${failed.length} of ${TRIALS} trials failed`).toEqual([]);
    },
  ),

  raceCheck(
    `ends the sessions of patches setting the user that were called before it (${TRIALS} trials)`,
    async (store) => {
      await warmUp(store);
      const failed: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const violations: string[] = [];
        const user = `race-login-${newId()}`;
        const ids = [newId(), newId(), newId()];
        for (const id of ids) await store.create(id, storedSession({ a: '1' }), HOUR_MS);
        const patches: Array<Promise<unknown>> = [];
        for (const [i, id] of ids.entries()) {
          patches.push(store.patch(id, { set: { login: '1' }, remove: [], userId: user }, HOUR_MS));
          await ticks((trial >> i) % 2);
        }
        await ticks(trial % 4);
        await store.destroyUserSessions(user);
        await Promise.all(patches);
        const survivors = await liveOf(store, user, ids);
        const listed = await store.listUserSessions(user);
        if (survivors.length > 0) violations.push(`${survivors.length} live session(s) after destroyUserSessions`);
        if (listed.length > 0) violations.push(`listUserSessions still lists ${listed.length}`);
        if (violations.length > 0) failed.push(`trial ${trial}: ${violations.join('; ')}`);
      }
      expect(failed, `${failed.length} of ${TRIALS} trials failed`).toEqual([]);
    },
  ),

  raceCheck(
    `a listing racing a create or a login never hides the session from a later log out everywhere (${TRIALS} trials)`,
    async (store) => {
      await warmUp(store);
      const failed: string[] = [];
      for (let trial = 0; trial < TRIALS; trial++) {
        const violations: string[] = [];
        const user = `race-list-${newId()}`;
        const created = newId();
        const login = newId();
        await store.create(login, storedSession({ a: '1' }), HOUR_MS);
        const writes = [
          store.create(created, storedSession({ a: '1' }, { userId: user }), HOUR_MS),
          store.patch(login, { set: {}, remove: [], userId: user }, HOUR_MS),
        ];
        await ticks(trial % 4);
        await store.listUserSessions(user);
        await Promise.all(writes);
        const live = await liveOf(store, user, [created, login]);
        const listed = await store.listUserSessions(user);
        const unlisted = live.filter((id) => !listed.includes(id));
        if (unlisted.length > 0) violations.push(`${unlisted.length} live session(s) missing from listUserSessions`);
        await store.destroyUserSessions(user);
        const survivors = await liveOf(store, user, [created, login]);
        if (survivors.length > 0) violations.push(`${survivors.length} live session(s) after destroyUserSessions`);
        if (violations.length > 0) failed.push(`trial ${trial}: ${violations.join('; ')}`);
      }
      expect(failed, `${failed.length} of ${TRIALS} trials failed`).toEqual([]);
    },
  ),
];
