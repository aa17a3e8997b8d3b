import { setTimeout as delay } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { newId, storedSession } from './helpers.js';
import type { StoreGetter } from './store-suite.js';

// Real time: a store's expiry (Redis PEXPIRE, a Map's deadline) has no event to wait for. The
// margins are hundreds of milliseconds so a busy machine does not flip the result.
const TTL_MS = 600;

/** @internal Idle expiry, its slide on read, and the absolute cap. */
export function registerExpiryTests(store: StoreGetter): void {
  it('expires a session that is not read within its TTL', async () => {
    const id = newId();
    await store().create(id, storedSession({ a: '1' }), TTL_MS);
    await delay(TTL_MS + 300);
    expect(await store().load(id, TTL_MS)).toBeUndefined();
  });

  it('slides the idle expiry on every read', async () => {
    const id = newId();
    const start = Date.now();
    await store().create(id, storedSession({ a: '1' }), TTL_MS);
    await delay(300);
    expect(await store().load(id, TTL_MS)).toBeDefined();
    // Past the first deadline (start + TTL), before the slid one (read time + TTL).
    await delay(Math.max(0, start + TTL_MS + 100 - Date.now()));
    expect(await store().load(id, TTL_MS)).toBeDefined();
    await delay(TTL_MS + 300);
    expect(await store().load(id, TTL_MS)).toBeUndefined();
  });

  it('slides the expiry on patch, increment and touch too', async () => {
    const ids = [newId(), newId(), newId()] as const;
    const start = Date.now();
    for (const id of ids) await store().create(id, storedSession({ n: '1' }), TTL_MS);
    await delay(300);
    expect(await store().patch(ids[0], { set: { n: '2' }, remove: [] }, TTL_MS)).toBe('ok');
    expect(await store().increment(ids[1], 'n', 1, TTL_MS)).toBe(2);
    expect(await store().touch(ids[2], TTL_MS)).toBe('ok');
    await delay(Math.max(0, start + TTL_MS + 100 - Date.now()));
    for (const id of ids) expect(await store().load(id, TTL_MS)).toBeDefined();
  });

  it('never keeps a session past its absolute deadline, however often it is read', async () => {
    const id = newId();
    const createdAt = Date.now();
    await store().create(id, storedSession({ a: '1' }, { createdAt, absoluteDeadlineMs: createdAt + TTL_MS }), 60_000);
    await delay(300);
    expect(await store().load(id, 60_000)).toBeDefined();
    expect(await store().touch(id, 60_000)).toBe('ok');
    await delay(TTL_MS);
    expect(await store().load(id, 60_000)).toBeUndefined();
  });
}
