/**
 * The part of an ioredis client RedisStore uses, typed structurally so that ioredis 5 and 6,
 * `Redis` (standalone or Sentinel) and `Cluster` all fit without importing ioredis's types.
 *
 * @module
 */

/**
 * What RedisStore needs from a client: `HGETALL` (a load is one plain read), and running a Lua
 * script by its SHA1, and by its source when the server does not know the SHA1 yet (`NOSCRIPT`,
 * after a restart or a failover). Every store operation is such calls on one key, so a `Cluster`
 * routes each to the slot of that key.
 *
 * An ioredis `Redis` or `Cluster` instance satisfies this interface as is.
 */
export interface RedisClientLike {
  /** `HGETALL key`; resolves the hash (ioredis answers an object; a flat array or a Map also do). */
  hgetall(key: string): Promise<unknown>;
  /** `EVALSHA sha1 numKeys ...keysAndArgs`; resolves the script's reply. */
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numKeys ...keysAndArgs`; resolves the script's reply. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}
