import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore, type SessionStore } from '../src/index.js';
import { describeSessionStore, newId, storedSession } from '../src/testing/index.js';

describeSessionStore('MemoryStore', {
  create: () => new MemoryStore(),
  cleanup: (store: SessionStore) => (store as MemoryStore).close(),
  capabilities: { userIndex: true },
});

describe('MemoryStore bounds', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops the least recently used session when maxEntries is reached', async () => {
    const store = new MemoryStore({ maxEntries: 3 });
    const [a, b, c, d] = [newId(), newId(), newId(), newId()];
    for (const id of [a, b, c]) await store.create(id, storedSession({ v: '1' }), 60_000);
    expect(await store.load(a, 60_000)).toBeDefined(); // a is now the most recent
    await store.create(d, storedSession({ v: '1' }), 60_000);
    expect(store.size).toBe(3);
    expect(await store.load(b, 60_000)).toBeUndefined();
    for (const id of [a, c, d]) expect(await store.load(id, 60_000)).toBeDefined();
    store.close();
  });

  it('sweeps expired sessions on its timer without a read', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore({ sweepIntervalMs: 1_000 });
    await store.create(newId(), storedSession({ v: '1' }), 500);
    await store.create(newId(), storedSession({ v: '1' }), 5_000);
    expect(store.size).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(store.size).toBe(1);
    store.close();
  });
});
