import type { SessionStore } from '../store.js';

/** The groups of the store conformance suite, in the order they run. */
export type StoreCheckGroup = 'basic' | 'expiry' | 'atomic' | 'increment' | 'user index' | 'user index races';

/**
 * One test of the store conformance suite, as a plain function: `describeSessionStore` registers
 * each as a vitest test, and {@link runStoreChecks} runs them without a test runner (to prove that
 * a deliberately broken store fails, say). A check throws (an assertion error) on a violation.
 */
export interface StoreCheck {
  /** The group, which is also the `describe` block it is registered in. */
  readonly group: StoreCheckGroup;
  /** The test's name. */
  readonly name: string;
  /** Needs the user-index capability (`listUserSessions` and `destroyUserSessions`). */
  readonly needsUserIndex: boolean;
  /** Runs the check against a fresh, empty store. */
  readonly run: (store: SessionStore) => Promise<void>;
}

/** @internal Declares a check. */
export function storeCheck(
  group: StoreCheckGroup,
  name: string,
  run: (store: SessionStore) => Promise<void>,
): StoreCheck {
  return { group, name, needsUserIndex: group === 'user index' || group === 'user index races', run };
}

/** What {@link runStoreChecks} reports for one check. */
export interface StoreCheckResult {
  /** The check's group. */
  readonly group: StoreCheckGroup;
  /** The check's name. */
  readonly name: string;
  /** Whether the store passed it. */
  readonly passed: boolean;
  /** The first line of the failure, when it failed. */
  readonly failure?: string;
}
