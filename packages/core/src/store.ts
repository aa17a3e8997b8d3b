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

/** A session as {@link SessionStore.read} answers it: the session, and when its idle expiry ends. */
export interface ReadSession extends StoredSession {
  /**
   * When the session's idle expiry ends, ms since the epoch on the app's clock, as the store last
   * set it (always at most `meta.absoluteDeadlineMs`); `undefined` when the store cannot tell, in
   * which case every read slides.
   */
  readonly expiresAtMs: number | undefined;
}

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
 * The clock: every verb that compares with absolute times takes `nowMs`, the app's clock (the
 * manager's `now` option, `Date.now` by default), as its last argument. The manager always passes
 * it; a store compares `absoluteDeadlineMs` with it, never with its own or its database's clock, and
 * falls back to `Date.now()` only when a direct caller leaves it out. The idle expiry may be kept on
 * the store's own clock (RedisStore's `PEXPIRE`), since `ttlMs` is relative.
 *
 * Errors: a rejection with a sessionkit error (`SessionError`, e.g. the `SessionArgumentError` of
 * `increment`) reaches the app unchanged, with its own status; any other rejection or throw, and a
 * call that does not settle within `storeTimeoutMs`, becomes a `SessionStoreUnavailableError` (503).
 */
export interface SessionStore {
  /**
   * Stores a new session under a fresh id, replacing whatever the id held (never merging). Resolves
   * `'gone'` when nothing was stored: a "log out everywhere" of the session's user
   * (`destroyUserSessions`) raced this create and ended it, or the absolute deadline had already
   * passed. The manager then treats the session as ended.
   */
  create(id: string, session: StoredSession, ttlMs: number, nowMs?: number): Promise<'ok' | Gone>;
  /**
   * Optional capability: reads a live session without writing anything, with when its idle expiry
   * ends; `undefined` when it does not exist, has expired or is past its deadline. A read-only verb
   * can be served by a replica. A store with `read` implements {@link load} as
   * `loadByReading(this, id, ttlMs, nowMs)` (from `@sessionkit/core`), so that whether a read owes
   * a slide is decided in one place for every store (`slideDue`: when the slide would move the expiry
   * by more than 5% of the idle timeout, at most a minute), and the slide is a `touch`.
   */
  read?(id: string, nowMs?: number): Promise<ReadSession | undefined>;
  /**
   * Reads a session and slides its expiry to `ttlMs` from now (the idle timeout): the verb the
   * manager calls for each request with a session cookie. Resolves `undefined` when it does not exist
   * or has expired. It may skip a slide that would move the expiry only slightly, so that reads need
   * not write: with {@link read}, implement it as `loadByReading(this, id, ttlMs, nowMs)`, which
   * applies the core's tolerance.
   */
  load(id: string, ttlMs: number, nowMs?: number): Promise<StoredSession | undefined>;
  /**
   * Applies only the changed keys, atomically, and resets the expiry. Never recreates a session
   * that no longer exists: resolves `'gone'` instead. Like a read, a patch, increment or touch may
   * skip a slide that `slideDue` would skip (RedisStore does).
   */
  patch(id: string, patch: SessionPatch, ttlMs: number, nowMs?: number): Promise<'ok' | Gone>;
  /**
   * Adds `by` to the integer under `key` (absent counts as 0) atomically and resolves the new
   * value; `'gone'` when the session no longer exists. Rejects with a `SessionArgumentError`, writing
   * nothing, when the stored value is not a decimal integer as Redis's HINCRBY reads it (`0` or
   * `-?[1-9][0-9]*`: not `"1.5"`, `"007"`, `"+1"`, `" 1"`) or the result would leave ±(2^53 − 1).
   */
  increment(id: string, key: string, by: number, ttlMs: number, nowMs?: number): Promise<number | Gone>;
  /**
   * Moves the live session (data and metadata) from `oldId` to `newId` and slides its expiry; `oldId`
   * no longer exists afterwards. Of concurrent regenerates of one id exactly one answers `'ok'`.
   */
  regenerate(oldId: string, newId: string, ttlMs: number, nowMs?: number): Promise<'ok' | Gone>;
  /** Resets the expiry without changing data. */
  touch(id: string, ttlMs: number, nowMs?: number): Promise<'ok' | Gone>;
  /** Deletes the session; deleting a missing session is not an error. */
  destroy(id: string): Promise<void>;
  /**
   * Optional capability: the ids of the live sessions of a user. A session whose create, regenerate
   * or login patch has completed is listed for as long as it lives and stays the user's, whatever
   * listings ran meanwhile.
   */
  listUserSessions?(userId: string, nowMs?: number): Promise<string[]>;
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
  destroyUserSessions?(userId: string, nowMs?: number): Promise<number>;
  /**
   * Optional: deletes the entries of sessions that are no longer live (expired rows a SQL store
   * keeps until then, a Map's expired entries) and resolves how many. No verb ever sees them; this
   * only reclaims space. Stores whose backend expires entries itself (RedisStore) leave it out.
   */
  sweep?(nowMs?: number): Promise<number> | number;
  /**
   * Optional: stops what the store runs by itself (sweep timers). It never closes a client or pool
   * it was given: that is the app's.
   */
  close?(): void | Promise<void>;
}
