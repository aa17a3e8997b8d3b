/**
 * The contract between the session manager and a store. A store implements session verbs, not a
 * key-value API, so that each verb can keep its guarantee in one atomic step: a write never
 * recreates a destroyed session, a counter is exact under any concurrency, a regenerated id
 * takes the data with it.
 *
 * The whole contract (what "live" means, the clock, the increment grammar, what "log out
 * everywhere" must guarantee under concurrency, error mapping, SQL pitfalls) is written down in
 * docs/store-contract.md. Run `describeSessionStore` from `@sessionkit/core/testing` to prove a
 * store keeps it.
 *
 * @module
 */

/** Metadata a store keeps beside the data. App data can never overwrite it. */
export interface SessionMeta {
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
  /** The absolute deadline, ms since the epoch: past it the session is gone, however active. */
  readonly absoluteDeadlineMs: number;
  /** The user this session belongs to, for "log out everywhere"; absent for anonymous sessions. */
  readonly userId?: string | undefined;
}

/** A session as a store keeps it: serialized values by top-level key, plus metadata. */
export interface StoredSession {
  /** One serialized value per top-level key of the session data. */
  readonly data: Readonly<Record<string, string>>;
  /** Creation time, absolute deadline and user. */
  readonly meta: SessionMeta;
}

/** The changes of one request: only what changed is sent. */
export interface SessionPatch {
  /** Keys whose serialized value changed, with the new value. */
  readonly set: Readonly<Record<string, string>>;
  /** Keys that were deleted. */
  readonly remove: readonly string[];
  /** A new user id (`null` clears it); absent when unchanged. */
  readonly userId?: string | null;
}

/** What a store answers when the session it was asked to change no longer exists. */
export type Gone = 'gone';

/**
 * Storage for sessions; the full contract is docs/store-contract.md. Values arrive already
 * serialized.
 *
 * A session is live while `now < min(expiry, meta.absoluteDeadlineMs)`. The expiry is `now + ttlMs`
 * as of the last successful write or slide; `absoluteDeadlineMs` is on the app's clock (ms since the
 * epoch), and the store enforces it itself whatever `ttlMs` it is given. Every write (patch,
 * increment, touch, regenerate) first checks that the session is live, in the same atomic step, and
 * answers `'gone'` without writing (never inserting, never reviving an expired row) otherwise.
 *
 * Errors: a rejection with a sessionkit error (`SessionError`, e.g. the `SessionArgumentError` of
 * `increment`) reaches the app unchanged, with its own status; any other rejection or throw, and a
 * call that does not settle within `storeTimeoutMs`, becomes a `SessionStoreUnavailableError` (503).
 */
export interface SessionStore {
  /**
   * Stores a new session under a fresh id. Resolves `'gone'` when nothing was stored: a "log out
   * everywhere" of the session's user (`destroyUserSessions`) raced this create and ended it, or the
   * absolute deadline had already passed. The manager then treats the session as ended.
   */
  create(id: string, session: StoredSession, ttlMs: number): Promise<'ok' | Gone>;
  /**
   * Reads a session and slides its expiry to `ttlMs` from now (the idle timeout). Resolves
   * `undefined` when it does not exist or has expired. A store may skip a slide that would move the
   * expiry only slightly, so that reads need not write: RedisStore slides when the move exceeds 5%
   * of `ttlMs` (at most a minute), so a session ends at most that much before its idle timeout.
   */
  load(id: string, ttlMs: number): Promise<StoredSession | undefined>;
  /**
   * Applies only the changed keys, atomically, and resets the expiry. Never recreates a session
   * that no longer exists: resolves `'gone'` instead.
   */
  patch(id: string, patch: SessionPatch, ttlMs: number): Promise<'ok' | Gone>;
  /**
   * Adds `by` to the integer under `key` (absent counts as 0) atomically and resolves the new
   * value; `'gone'` when the session no longer exists. Rejects with a `SessionArgumentError`, writing
   * nothing, when the stored value is not a decimal integer as Redis's HINCRBY reads it (`0` or
   * `-?[1-9][0-9]*`: not `"1.5"`, `"007"`, `"+1"`, `" 1"`) or the result would leave ±(2^53 − 1).
   */
  increment(id: string, key: string, by: number, ttlMs: number): Promise<number | Gone>;
  /**
   * Moves the live session (data and metadata) from `oldId` to `newId` and slides its expiry; `oldId`
   * no longer exists afterwards. Of concurrent regenerates of one id exactly one answers `'ok'`.
   */
  regenerate(oldId: string, newId: string, ttlMs: number): Promise<'ok' | Gone>;
  /** Resets the expiry without changing data. */
  touch(id: string, ttlMs: number): Promise<'ok' | Gone>;
  /** Deletes the session; deleting a missing session is not an error. */
  destroy(id: string): Promise<void>;
  /**
   * Optional capability: the ids of the live sessions of a user. A session whose create, regenerate
   * or login patch has completed is listed for as long as it lives and stays the user's, whatever
   * listings ran meanwhile.
   */
  listUserSessions?(userId: string): Promise<string[]>;
  /**
   * Optional capability: "log out everywhere". Destroys every session of a user and resolves how
   * many live ones it ended (expired rows it cleans up on the way do not count).
   *
   * The guarantee: once it resolves, none of these sessions is live, and no later regenerate,
   * patch, increment or touch of them succeeds:
   * - every session the user had when it was called, and every session regenerated from one;
   * - every session being created with the user, or given the user by a patch (a login), when it
   *   was called: that create or patch answers `'gone'`, or its session is deleted before this resolves.
   *
   * A create or login that begins after it was called is a new login and is kept. (On RedisStore,
   * "when it was called" means Redis's order of the commands on the user's index: a create's first
   * command, a login patch's read of the user's logout generation.)
   */
  destroyUserSessions?(userId: string): Promise<number>;
}
