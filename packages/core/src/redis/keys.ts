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
} as const;

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
 * their deadline can be dropped by score without looking at the sessions.
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
