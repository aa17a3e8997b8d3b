import { expect } from 'vitest';
import { isSessionError } from '../errors.js';
import { newId, storedSession } from './helpers.js';
import { type StoreCheck, storeCheck } from './store-check.js';

const HOUR_MS = 60 * 60_000;
const RACE_TRIALS = 30;

/** One turn of the event loop: lets the calls in flight make progress, so each trial interleaves differently. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** @internal Exact counters, disjoint concurrent writes, regenerate, destroy racing writes. */
export const atomicChecks: readonly StoreCheck[] = [
  storeCheck('atomic', 'counts exactly under 200 concurrent increments', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ other: '"x"' }), HOUR_MS);
    const results = await Promise.all(Array.from({ length: 200 }, () => store.increment(id, 'visits', 1, HOUR_MS)));
    expect(new Set(results).size).toBe(200);
    expect(Math.max(...(results as number[]))).toBe(200);
    expect((await store.load(id, HOUR_MS))?.data['visits']).toBe('200');
  }),

  storeCheck('atomic', 'increments by any whole number, from an absent key or a stored integer', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ n: '10' }), HOUR_MS);
    expect(await store.increment(id, 'n', -15, HOUR_MS)).toBe(-5);
    expect(await store.increment(id, 'fresh', 3, HOUR_MS)).toBe(3);
  }),

  storeCheck('atomic', 'refuses to increment a value that is not an integer, with a typed error', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ name: '"alice"' }), HOUR_MS);
    const error = await store.increment(id, 'name', 1, HOUR_MS).catch((caught: unknown) => caught);
    expect(isSessionError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((await store.load(id, HOUR_MS))?.data['name']).toBe('"alice"');
  }),

  storeCheck('atomic', 'keeps all of 100 concurrent patches of different keys', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ base: '0' }), HOUR_MS);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.patch(id, { set: { [`f${i}`]: String(i) }, remove: [] }, HOUR_MS)),
    );
    expect(results.every((result) => result === 'ok')).toBe(true);
    const data = (await store.load(id, HOUR_MS))?.data ?? {};
    expect(Object.keys(data)).toHaveLength(101);
    for (let i = 0; i < 100; i++) expect(data[`f${i}`]).toBe(String(i));
  }),

  storeCheck('atomic', 'regenerate moves data and metadata to the new id and kills the old one', async (store) => {
    const oldId = newId();
    const newer = newId();
    const session = storedSession({ a: '"kept"' }, { userId: 'u-regen' });
    await store.create(oldId, session, HOUR_MS);
    expect(await store.regenerate(oldId, newer, HOUR_MS)).toBe('ok');
    expect(await store.load(oldId, HOUR_MS)).toBeUndefined();
    expect(await store.patch(oldId, { set: { a: '"late"' }, remove: [] }, HOUR_MS)).toBe('gone');
    expect(await store.load(newer, HOUR_MS)).toEqual(session);
  }),

  storeCheck('atomic', 'lets exactly one of 10 concurrent regenerates of one id win', async (store) => {
    const oldId = newId();
    await store.create(oldId, storedSession({ a: '1' }), HOUR_MS);
    const targets = Array.from({ length: 10 }, () => newId());
    const results = await Promise.all(targets.map((target) => store.regenerate(oldId, target, HOUR_MS)));
    expect(results.filter((result) => result === 'ok')).toHaveLength(1);
    const live = await Promise.all(targets.map((target) => store.load(target, HOUR_MS)));
    expect(live.filter((entry) => entry !== undefined)).toHaveLength(1);
    expect(await store.load(oldId, HOUR_MS)).toBeUndefined();
  }),
  storeCheck(
    'atomic',
    `a destroy racing patches, increments and touches wins: nothing is left, nothing later succeeds (${RACE_TRIALS} trials)`,
    async (store) => {
      const failed: string[] = [];
      for (let trial = 0; trial < RACE_TRIALS; trial++) {
        const id = newId();
        await store.create(id, storedSession({ n: '0' }), HOUR_MS);
        const writes: Array<Promise<unknown>> = [];
        for (let i = 0; i < 6; i++) {
          writes.push(store.patch(id, { set: { [`k${i}`]: String(i) }, remove: [] }, HOUR_MS));
          writes.push(store.increment(id, 'n', 1, HOUR_MS));
          writes.push(store.touch(id, HOUR_MS));
          if ((trial + i) % 3 === 0) await tick();
        }
        for (let i = 0; i < trial % 4; i++) await tick();
        await store.destroy(id);
        const answers = await Promise.all(writes);
        const violations: string[] = [];
        const odd = answers.filter((answer) => answer !== 'ok' && answer !== 'gone' && typeof answer !== 'number');
        if (odd.length > 0) violations.push(`writes answered ${odd.map(String).join(', ')}`);
        if ((await store.load(id, HOUR_MS)) !== undefined) violations.push('the session is live after destroy');
        if ((await store.patch(id, { set: { late: '1' }, remove: [] }, HOUR_MS)) !== 'gone')
          violations.push('a later patch succeeded');
        if ((await store.increment(id, 'n', 1, HOUR_MS)) !== 'gone') violations.push('a later increment succeeded');
        if (violations.length > 0) failed.push(`trial ${trial}: ${violations.join('; ')}`);
      }
      expect(failed, `${failed.length} of ${RACE_TRIALS} trials failed`).toEqual([]);
    },
  ),
];
