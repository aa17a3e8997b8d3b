/**
 * The commit as a decision: from the session's state and what the request changed, which store
 * operation runs and what happens to the cookie. A pure function, so the lifecycle rules read as
 * one table (and are tested as one, in test/commit-plan.test.ts); `session.ts` carries the plan out.
 *
 * @module
 */

/**
 * Where a session stands in this request:
 * - `new`: the store does not have it (no cookie, an invalid one, or a session that was never saved);
 * - `stored`: the store has it under the id the request knows;
 * - `gone`: it ended during this request (destroyed here, logged out or expired elsewhere).
 *
 * @internal
 */
export type SessionState = 'new' | 'stored' | 'gone';

/** @internal What a commit needs to know to decide. */
export interface CommitFacts {
  readonly state: SessionState;
  /** The data holds at least one key (for a new session: whether there is anything to save). */
  readonly hasData: boolean;
  /** The request changed stored keys or the user id (a stored session's patch is not empty). */
  readonly changed: boolean;
  /** `setUserId` was called with a new value. */
  readonly userIdChanged: boolean;
  /** `touch()` was called. */
  readonly touchRequested: boolean;
  /** The client must get a new cookie value (regenerated id, re-sealed after rotation, persistence changed). */
  readonly cookieNeedsSend: boolean;
  /** The request carried a cookie of ours, so clearing it means something. */
  readonly clientHoldsCookie: boolean;
  /** The cookie is persistent, so each response renews its Max-Age. */
  readonly persistent: boolean;
}

/** @internal The store operation of a commit. */
export type StoreStep = 'none' | 'create' | 'patch' | 'touch';

/**
 * @internal What happens to the cookie:
 * - `none`: nothing is sent;
 * - `clear`: an expired cookie is sent;
 * - `set`: the session's (new or re-sealed) value is sent;
 * - `refresh`: the same value again, with a renewed Max-Age (a persistent, rolling cookie).
 */
export type CookieStep = 'none' | 'clear' | 'set' | 'refresh';

/** @internal The decision of one commit. */
export interface CommitPlan {
  readonly store: StoreStep;
  readonly cookie: CookieStep;
  /** `Vary: Cookie` and `Cache-Control` go on the response (it depends on a session). */
  readonly sessionHeaders: boolean;
}

const NOTHING: CommitPlan = { store: 'none', cookie: 'none', sessionHeaders: false };
const CLEAR: CommitPlan = { store: 'none', cookie: 'clear', sessionHeaders: true };

/**
 * @internal Decides a commit. The rules:
 * - a gone session only clears the cookie the client holds;
 * - a new session is stored, and its cookie set, only once it holds data or a user;
 * - a stored session writes only when something changed (a patch), or slides when touched;
 * - a stored session's cookie is sent when its value changed, and renewed when it is persistent.
 */
export function planCommit(facts: CommitFacts): CommitPlan {
  if (facts.state === 'gone') return facts.clientHoldsCookie ? CLEAR : NOTHING;
  if (facts.state === 'new') {
    if (facts.hasData || facts.userIdChanged) return { store: 'create', cookie: 'set', sessionHeaders: true };
    return facts.clientHoldsCookie ? CLEAR : NOTHING;
  }
  const store: StoreStep = facts.changed ? 'patch' : facts.touchRequested ? 'touch' : 'none';
  const cookie: CookieStep = facts.cookieNeedsSend ? 'set' : facts.persistent ? 'refresh' : 'none';
  return { store, cookie, sessionHeaders: true };
}
