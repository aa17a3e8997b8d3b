/**
 * The Redis key and field layout of RedisStore. Everything that names a key or a hash field lives
 * here, so the data model can be read in one place (see docs/redis-store.md).
 *
 * @module
 */

/**
 * Prefix of every hash field that holds session data: the session key `cart` is stored in the
 * field `d:cart`. App data therefore can never collide with a metadata field, whatever its name.
 */
export const DATA_FIELD_PREFIX = 'd:';

/**
 * The metadata fields of a session hash. They start with `m:`, a namespace data fields (which
 * start with {@link DATA_FIELD_PREFIX}) can never enter.
 */
export const META_FIELDS = {
  /** Creation time, ms since the epoch, as a decimal string. */
  createdAt: 'm:created',
  /** Absolute deadline, ms since the epoch, as a decimal string; no expiry ever slides past it. */
  absoluteDeadlineMs: 'm:deadline',
  /** The user id of the session, absent for anonymous sessions. */
  userId: 'm:user',
  /**
   * When the key expires, ms since the epoch on the app's clock, written with every PEXPIRE: a load
   * reads it with the data and slides the expiry only when that moves it noticeably.
   */
  expiresAt: 'm:expires',
  /**
   * The logout generation of the user's index when the session joined it (see
   * {@link USER_INDEX_GENERATION_MEMBER}); absent on anonymous sessions and on sessions written
   * before generations existed, which counts as 0. A regenerate carries it: if a "log out
   * everywhere" of the user ran since, the user's generation has moved past it and the regenerate
   * is refused.
   */
  generation: 'm:gen',
  /**
   * The one field of a tombstone: a hash that "log out everywhere" leaves at the key of an indexed
   * session that was not written yet (a create or regenerate between its two steps). Its value is
   * the generation of that log-out; the key expires at the member's absolute deadline. A create
   * refuses to write over it, so the pending session is never stored. Without `m:created` it is
   * "no session" for every other script.
   */
  loggedOut: 'm:logout',
} as const;

/**
 * Prefix of a fence field, `m:fence:<userId>`, which "log out everywhere" writes into a live session
 * that is listed in the user's index but does not belong to the user (yet): a login patch between
 * its two steps. Its value is the generation of that log-out; a patch that sets this user and
 * joined the index at an older generation deletes the session and answers `'gone'` instead.
 */
export const FENCE_FIELD_PREFIX = 'm:fence:';

/**
 * The member of a user index that holds the user's logout generation: its score is minus the
 * generation, which is 0 (no member) until the first "log out everywhere" and then grows with each
 * one (the time it ran, in ms, or one more than before). It can never be a session id (those are 43
 * base64url characters), and its score is negative, outside the range of deadlines that every
 * write prunes (`ZREMRANGEBYSCORE key 0 now`).
 */
export const USER_INDEX_GENERATION_MEMBER = '#gen';

/**
 * The infix of user-index keys: `<prefix>user:<userId>`. It contains a `:`, a character session ids
 * (base64url) never contain, so a user-index key can never be mistaken for a session key of the
 * same prefix.
 */
export const USER_INDEX_INFIX = 'user:';

/**
 * The hash field of a session key.
 *
 * @param key - a top-level key of the session data
 */
export function dataField(key: string): string {
  return DATA_FIELD_PREFIX + key;
}

/**
 * The key of the hash that holds one session: `<prefix><id>`.
 *
 * No hash tag is added on purpose: every Lua script RedisStore runs touches exactly one key, so
 * sessions may land in any slot and spread evenly over a Cluster. The id must already be validated
 * (43 base64url characters), so it contains no `{`/`}` that could change the slot.
 *
 * @param prefix - the store's key prefix
 * @param id - a session id that passed `isValidSessionId`
 */
export function sessionKey(prefix: string, id: string): string {
  return prefix + id;
}

/**
 * The key of the sorted set that indexes the sessions of one user: `<prefix>user:<userId>`.
 * Members are session ids, scores their absolute deadlines (ms since the epoch), so entries past
 * their deadline can be dropped by score without looking at the sessions; plus the generation
 * member {@link USER_INDEX_GENERATION_MEMBER} once a "log out everywhere" ran.
 *
 * It lives in its own slot, apart from the sessions it lists (those slots follow the session ids);
 * see user-index.ts for how updates stay safe without a multi-key command.
 *
 * @param prefix - the store's key prefix
 * @param userId - the user id (1 to 256 characters, checked by the manager)
 */
export function userIndexKey(prefix: string, userId: string): string {
  return prefix + USER_INDEX_INFIX + userId;
}
