import { afterEach, describe, expect, it } from 'vitest';
import { isSessionError } from '../src/errors.js';
import { callStore } from '../src/store-guard.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
afterEach(() => {
  unhandled.length = 0;
});

describe('callStore', () => {
  it('passes answers through and wraps raw failures into a 503 with the cause', async () => {
    expect(await callStore('load', 1000, async () => 42)).toBe(42);
    const cause = new Error('ECONNRESET');
    const error = await callStore('load', 1000, () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(isSessionError(error, 'STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).cause).toBe(cause);
  });

  it('fails a call that never settles at its deadline, each call on its own', async () => {
    const never = (): Promise<never> => new Promise<never>(() => {});
    const started = Date.now();
    const results = await Promise.allSettled([
      callStore('patch', 100, never),
      callStore('load', 300, never),
      callStore('touch', 300, async () => 'ok'),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/did not answer patch within 100 ms/);
    expect(results[1]).toMatchObject({ status: 'rejected' });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('drops a late failure after the deadline without an unhandled rejection', async () => {
    let failLate: (error: Error) => void = () => {};
    const late = new Promise<never>((_, reject) => (failLate = reject));
    await expect(callStore('increment', 50, () => late)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    failLate(new Error('too late'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it('turns a store that throws synchronously into the same typed error', async () => {
    const error = await callStore('create', 1000, () => {
      throw new TypeError('store bug');
    }).catch((e: unknown) => e);
    expect(isSessionError(error, 'STORE_UNAVAILABLE')).toBe(true);
  });
});
