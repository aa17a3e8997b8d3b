import { afterEach, beforeEach, describe, it } from 'vitest';
import type { SessionStore } from '../store.js';
import { atomicChecks } from './store-atomic.js';
import { basicChecks } from './store-basic.js';
import type { StoreCheck, StoreCheckGroup, StoreCheckResult } from './store-check.js';
import { expiryChecks } from './store-expiry.js';
import { incrementChecks } from './store-increment.js';
import { userIndexRaceChecks } from './store-user-index-races.js';
import { userIndexChecks } from './store-user-index.js';

/** Options of {@link describeSessionStore}. */
export interface StoreSuiteOptions {
  /** A fresh, empty store for each test. */
  create: () => SessionStore | Promise<SessionStore>;
  /** Releases what `create` made (connections, timers). @default the store's own `close()`, if it has one */
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
 * Every check of the store conformance suite, in order: what {@link describeSessionStore}
 * registers, as plain functions (see {@link runStoreChecks}).
 */
export const storeChecks: readonly StoreCheck[] = [
  ...basicChecks,
  ...expiryChecks,
  ...atomicChecks,
  ...incrementChecks,
  ...userIndexChecks,
  ...userIndexRaceChecks,
];

/**
 * Registers the sessionkit store conformance suite with vitest. It checks the contract of
 * docs/store-contract.md:
 * - round trips, metadata apart from data, `__proto__` keys, create replacing whatever an id held;
 * - expiry in real time with TTLs of 100–600 ms: the idle slide on read and on every write, writes
 *   after the idle expiry and past the absolute deadline answering `'gone'` without reviving, the
 *   absolute deadline enforced by the store whatever TTL it is given;
 * - exact concurrent increments, disjoint concurrent patches, one winner among concurrent
 *   regenerates, a destroy racing writes;
 * - the increment grammar and its ±(2^53 − 1) bounds;
 * - the app's clock: the absolute deadline compared with the `nowMs` the suite passes, and `read`
 *   (when the store has it) writing nothing;
 * - when declared, the user index: live-only listings and counts, and "log out everywhere" racing
 *   regenerates, creates, logins and listings (150 trials each).
 *
 * Any store, ours or yours, passes it before it is trusted with sessions.
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
      if (store !== undefined) await cleanUp(options, store);
      store = undefined;
    });
    const getStore: StoreGetter = () => {
      if (store === undefined) throw new Error('store not created');
      return store;
    };
    const register = (checks: readonly StoreCheck[]): void => {
      for (const check of checks) it(check.name, () => check.run(getStore()));
    };
    register([...basicChecks, ...expiryChecks, ...atomicChecks, ...incrementChecks]);
    describe.skipIf(!options.capabilities?.userIndex)('user index', () => {
      register([...userIndexChecks, ...userIndexRaceChecks]);
    });
  });
}

/** The suite's cleanup of one store: the given one, else the store's `close()`. */
async function cleanUp(options: StoreSuiteOptions, store: SessionStore): Promise<void> {
  if (options.cleanup !== undefined) await options.cleanup(store);
  else await store.close?.();
}

/** Options of {@link runStoreChecks}: the suite's, plus which checks to run. */
export interface RunStoreChecksOptions extends StoreSuiteOptions {
  /** Run only the checks with these exact names; default: every check that applies. */
  readonly only?: readonly string[];
  /** Run only the checks of these groups. */
  readonly groups?: readonly StoreCheckGroup[];
}

/**
 * Runs checks of the conformance suite outside a test runner's test registration, one after the
 * other, each on a fresh store from `options.create`, and reports which passed. A failure is
 * reported, not thrown. Used to prove that deliberately broken stores fail the suite; usable to
 * probe a store from a script too.
 *
 * @param options - the store factory, its capabilities, and which checks to run
 */
export async function runStoreChecks(options: RunStoreChecksOptions): Promise<StoreCheckResult[]> {
  const selected = storeChecks.filter(
    (check) =>
      (!check.needsUserIndex || options.capabilities?.userIndex === true) &&
      (options.only === undefined || options.only.includes(check.name)) &&
      (options.groups === undefined || options.groups.includes(check.group)),
  );
  const results: StoreCheckResult[] = [];
  for (const check of selected) {
    const store = await options.create();
    try {
      await check.run(store);
      results.push({ group: check.group, name: check.name, passed: true });
    } catch (error) {
      const failure = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
      results.push({ group: check.group, name: check.name, passed: false, failure });
    } finally {
      await cleanUp(options, store);
    }
  }
  return results;
}
