import { expect, it } from 'vitest';
import { isSessionError } from '../errors.js';
import { newId, storedSession } from './helpers.js';
import type { StoreGetter } from './store-suite.js';

const HOUR_MS = 60 * 60_000;

/** @internal Exact counters, disjoint concurrent writes, regenerate. */
export function registerAtomicTests(store: StoreGetter): void {
  it('counts exactly under 200 concurrent increments', async () => {
    const id = newId();
    await store().create(id, storedSession({ other: '"x"' }), HOUR_MS);
    const results = await Promise.all(Array.from({ length: 200 }, () => store().increment(id, 'visits', 1, HOUR_MS)));
    expect(new Set(results).size).toBe(200);
    expect(Math.max(...(results as number[]))).toBe(200);
    expect((await store().load(id, HOUR_MS))?.data['visits']).toBe('200');
  });

  it('increments by any whole number, from an absent key or a stored integer', async () => {
    const id = newId();
    await store().create(id, storedSession({ n: '10' }), HOUR_MS);
    expect(await store().increment(id, 'n', -15, HOUR_MS)).toBe(-5);
    expect(await store().increment(id, 'fresh', 3, HOUR_MS)).toBe(3);
  });

  it('refuses to increment a value that is not an integer, with a typed error', async () => {
    const id = newId();
    await store().create(id, storedSession({ name: '"alice"' }), HOUR_MS);
    const error = await store().increment(id, 'name', 1, HOUR_MS).catch((caught: unknown) => caught);
    expect(isSessionError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((await store().load(id, HOUR_MS))?.data['name']).toBe('"alice"');
  });

  it('keeps all of 100 concurrent patches of different keys', async () => {
    const id = newId();
    await store().create(id, storedSession({ base: '0' }), HOUR_MS);
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store().patch(id, { set: { [`f${i}`]: String(i) }, remove: [] }, HOUR_MS)),
    );
    expect(results.every((result) => result === 'ok')).toBe(true);
    const data = (await store().load(id, HOUR_MS))?.data ?? {};
    expect(Object.keys(data)).toHaveLength(101);
    for (let i = 0; i < 100; i++) expect(data[`f${i}`]).toBe(String(i));
  });

  it('regenerate moves data and metadata to the new id and kills the old one', async () => {
    const oldId = newId();
    const newer = newId();
    const session = storedSession({ a: '"kept"' }, { userId: 'u-regen' });
    await store().create(oldId, session, HOUR_MS);
    expect(await store().regenerate(oldId, newer, HOUR_MS)).toBe('ok');
    expect(await store().load(oldId, HOUR_MS)).toBeUndefined();
    expect(await store().patch(oldId, { set: { a: '"late"' }, remove: [] }, HOUR_MS)).toBe('gone');
    expect(await store().load(newer, HOUR_MS)).toEqual(session);
  });

  it('lets exactly one of 10 concurrent regenerates of one id win', async () => {
    const oldId = newId();
    await store().create(oldId, storedSession({ a: '1' }), HOUR_MS);
    const targets = Array.from({ length: 10 }, () => newId());
    const results = await Promise.all(targets.map((target) => store().regenerate(oldId, target, HOUR_MS)));
    expect(results.filter((result) => result === 'ok')).toHaveLength(1);
    const live = await Promise.all(targets.map((target) => store().load(target, HOUR_MS)));
    expect(live.filter((entry) => entry !== undefined)).toHaveLength(1);
    expect(await store().load(oldId, HOUR_MS)).toBeUndefined();
  });
}
