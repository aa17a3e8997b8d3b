/**
 * The part of an ioredis client RedisStore uses, typed structurally so that ioredis 5 and 6,
 * `Redis` (standalone or Sentinel) and `Cluster` all fit without importing ioredis's types.
 *
 * @module
 */

/**
 * What RedisStore needs from a client: running a Lua script by its SHA1, and by its source when
 * the server does not know the SHA1 yet (`NOSCRIPT`, after a restart or a failover). Every store
 * operation is one such call on one key, so a `Cluster` routes it to the slot of that key.
 *
 * An ioredis `Redis` or `Cluster` instance satisfies this interface as is.
 */
export interface RedisClientLike {
  /** `EVALSHA sha1 numKeys ...keysAndArgs`; resolves the script's reply. */
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  /** `EVAL script numKeys ...keysAndArgs`; resolves the script's reply. */
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}
