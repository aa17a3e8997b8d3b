import { expect } from 'vitest';
import { newId, storedSession } from './helpers.js';
import { type StoreCheck, storeCheck } from './store-check.js';

const HOUR_MS = 60 * 60_000;

/** @internal Round trips, patch semantics, create over leftovers, destroy and no resurrection. */
export const basicChecks: readonly StoreCheck[] = [
  storeCheck('basic', 'round-trips strings, numbers, nested values, unicode and a 60 KiB value', async (store) => {
    const id = newId();
    const data = {
      text: JSON.stringify('hello'),
      empty: JSON.stringify(''),
      number: JSON.stringify(42.5),
      nested: JSON.stringify({ a: [1, { b: null }], c: 'x' }),
      unicode: JSON.stringify('żółw 🐢 雪 \u0000 "quoted" \\ back'),
      'key with spaces:{tag}*': JSON.stringify(true),
      big: JSON.stringify('x'.repeat(60 * 1024)),
    };
    expect(await store.create(id, storedSession(data), HOUR_MS)).toBe('ok');
    const loaded = await store.load(id, HOUR_MS);
    expect(loaded?.data).toEqual(data);
  }),

  storeCheck('basic', 'keeps metadata apart from data keys that look like metadata', async (store) => {
    const id = newId();
    const createdAt = Date.now() - 1000;
    const lookalikes = [
      'createdAt',
      'absoluteDeadlineMs',
      'userId',
      'meta',
      '_created',
      '_abs',
      '_user',
      '__meta',
      'created',
      'abs',
      'user',
    ];
    const data = Object.fromEntries(lookalikes.map((key) => [key, JSON.stringify(`data:${key}`)]));
    expect(
      await store.create(
        id,
        storedSession(data, { createdAt, absoluteDeadlineMs: createdAt + HOUR_MS, userId: 'u-1' }),
        HOUR_MS,
      ),
    ).toBe('ok');
    expect(
      await store.patch(
        id,
        { set: { createdAt: '1', userId: '"u-2"', _user: '"u-3"' }, remove: ['_abs', 'meta'] },
        HOUR_MS,
      ),
    ).toBe('ok');
    const loaded = await store.load(id, HOUR_MS);
    expect(loaded?.meta).toEqual({ createdAt, absoluteDeadlineMs: createdAt + HOUR_MS, userId: 'u-1' });
    expect(loaded?.data['createdAt']).toBe('1');
    expect(loaded?.data['userId']).toBe('"u-2"');
    expect(loaded?.data).not.toHaveProperty('_abs');
  }),

  storeCheck(
    'basic',
    'keeps __proto__ and constructor as plain data keys without touching any prototype',
    async (store) => {
      const id = newId();
      const data = Object.fromEntries([
        ['__proto__', JSON.stringify({ polluted: true })],
        ['constructor', JSON.stringify({ prototype: { polluted: true } })],
      ]);
      await store.create(id, storedSession(data), HOUR_MS);
      const loaded = await store.load(id, HOUR_MS);
      expect(loaded).toBeDefined();
      expect(Object.hasOwn(loaded?.data ?? {}, '__proto__')).toBe(true);
      // biome-ignore lint/suspicious/noProto: the stored key named __proto__ is the point of this check
      expect(loaded?.data['__proto__' as string]).toBe(JSON.stringify({ polluted: true }));
      expect(
        Object.getPrototypeOf(loaded?.data) === Object.prototype || Object.getPrototypeOf(loaded?.data) === null,
      ).toBe(true);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    },
  ),

  storeCheck('basic', 'loads nothing for an unknown id', async (store) => {
    expect(await store.load(newId(), HOUR_MS)).toBeUndefined();
  }),

  storeCheck('basic', 'patches only the given keys: sets, removes, leaves the rest', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ a: '1', b: '2', c: '3' }), HOUR_MS);
    expect(await store.patch(id, { set: { b: '20', d: '4' }, remove: ['c', 'missing'] }, HOUR_MS)).toBe('ok');
    expect((await store.load(id, HOUR_MS))?.data).toEqual({ a: '1', b: '20', d: '4' });
  }),

  storeCheck('basic', 'destroys a session, and destroying a missing one is not an error', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), HOUR_MS);
    await store.destroy(id);
    await expect(store.destroy(id)).resolves.toBeUndefined();
    expect(await store.load(id, HOUR_MS)).toBeUndefined();
  }),

  storeCheck(
    'basic',
    'never resurrects a destroyed session: patch, increment, touch and regenerate answer gone',
    async (store) => {
      const id = newId();
      await store.create(id, storedSession({ a: '1' }), HOUR_MS);
      await store.destroy(id);
      expect(await store.patch(id, { set: { a: '2' }, remove: [] }, HOUR_MS)).toBe('gone');
      expect(await store.increment(id, 'visits', 1, HOUR_MS)).toBe('gone');
      expect(await store.touch(id, HOUR_MS)).toBe('gone');
      const other = newId();
      expect(await store.regenerate(id, other, HOUR_MS)).toBe('gone');
      expect(await store.load(id, HOUR_MS)).toBeUndefined();
      expect(await store.load(other, HOUR_MS)).toBeUndefined();
    },
  ),

  storeCheck('basic', 'answers gone for a patch of an id that never existed, and creates nothing', async (store) => {
    const id = newId();
    expect(await store.patch(id, { set: { a: '1' }, remove: [] }, HOUR_MS)).toBe('gone');
    expect(await store.load(id, HOUR_MS)).toBeUndefined();
  }),

  storeCheck(
    'basic',
    'create answers ok when it stored the session, and gone (storing nothing) when its absolute deadline has passed',
    async (store) => {
      const id = newId();
      expect(await store.create(id, storedSession({ a: '1' }, { userId: 'u-basic' }), HOUR_MS)).toBe('ok');
      expect((await store.load(id, HOUR_MS))?.meta.userId).toBe('u-basic');
      const late = newId();
      const createdAt = Date.now() - 2 * HOUR_MS;
      expect(
        await store.create(
          late,
          storedSession({ a: '1' }, { createdAt, absoluteDeadlineMs: createdAt + HOUR_MS }),
          HOUR_MS,
        ),
      ).toBe('gone');
      expect(await store.load(late, HOUR_MS)).toBeUndefined();
    },
  ),

  storeCheck('basic', 'touch keeps a live session and its data', async (store) => {
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), HOUR_MS);
    expect(await store.touch(id, HOUR_MS)).toBe('ok');
    expect((await store.load(id, HOUR_MS))?.data).toEqual({ a: '1' });
  }),
  storeCheck(
    'basic',
    'create over an id that holds a session replaces it whole: no key, user or deadline of the old one is merged in',
    async (store) => {
      const id = newId();
      const createdAt = Date.now();
      await store.create(id, storedSession({ old: '1', both: '"old"' }, { createdAt, userId: 'u-old' }), HOUR_MS);
      const replacement = storedSession(
        { both: '"new"', fresh: '2' },
        { createdAt: createdAt + 1, absoluteMs: 2 * HOUR_MS },
      );
      expect(await store.create(id, replacement, HOUR_MS)).toBe('ok');
      expect(await store.load(id, HOUR_MS)).toEqual(replacement);
    },
  ),
];
