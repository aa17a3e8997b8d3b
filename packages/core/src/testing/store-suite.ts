import { afterEach, beforeEach, describe } from 'vitest';
import type { SessionStore } from '../store.js';
import { registerAtomicTests } from './store-atomic.js';
import { registerBasicTests } from './store-basic.js';
import { registerExpiryTests } from './store-expiry.js';
import { registerUserIndexRaceTests } from './store-user-index-races.js';
import { registerUserIndexTests } from './store-user-index.js';

/** Options of {@link describeSessionStore}. */
export interface StoreSuiteOptions {
  /** A fresh, empty store for each test. */
  create: () => SessionStore | Promise<SessionStore>;
  /** Releases what `create` made (connections, timers). */
  cleanup?: (store: SessionStore) => void | Promise<void>;
  /** Optional capabilities to test; a store without them skips those groups (declared, not silent). */
  capabilities?: {
    /** The store implements listUserSessions and destroyUserSessions. */
    readonly userIndex?: boolean;
  };
}

/** @internal Gives each test group the store of the running test. */
export type StoreGetter = () => SessionStore;

/**
 * Registers the sessionkit store conformance suite with vitest: round trips, expiry (idle slide
 * and absolute cap, in real time), no resurrection after destroy, exact concurrent increments,
 * disjoint concurrent writes, regenerate and, when declared, the user index, including "log out
 * everywhere" racing regenerates, creates, logins and listings (150 trials each). Any store, ours
 * or yours, passes it before it is trusted with sessions.
 *
 * @example
 * ```ts
 * import { describeSessionStore } from '@sessionkit/core/testing';
 * describeSessionStore('my-store', { create: () => new MyStore(), capabilities: { userIndex: true } });
 * ```
 */
export function describeSessionStore(name: string, options: StoreSuiteOptions): void {
  describe(`SessionStore conformance: ${name}`, () => {
    let store: SessionStore | undefined;
    beforeEach(async () => {
      store = await options.create();
    });
    afterEach(async () => {
      if (store !== undefined) await options.cleanup?.(store);
      store = undefined;
    });
    const getStore: StoreGetter = () => {
      if (store === undefined) throw new Error('store not created');
      return store;
    };
    registerBasicTests(getStore);
    registerExpiryTests(getStore);
    registerAtomicTests(getStore);
    describe.skipIf(!options.capabilities?.userIndex)('user index', () => {
      registerUserIndexTests(getStore);
      registerUserIndexRaceTests(getStore);
    });
  });
}
