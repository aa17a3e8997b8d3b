/**
 * `createRedisClient`: an ioredis client from a URL with every setting a session store relies on.
 *
 * @module
 */
import { Redis, type RedisOptions } from 'ioredis';
import { sessionRedisOptions } from './client-settings.js';

/**
 * Options of {@link createRedisClient}: any ioredis option overrides ours, plus an error listener.
 * `replyMapping` stays `'legacy'` (RESP2-shaped replies), which RedisStore's scripts expect.
 */
export type RedisClientOverrides = Omit<RedisOptions, 'replyMapping'> & {
  /**
   * Called with each connection error. ioredis emits one per failed reconnect attempt; the store
   * itself reports failures per request as `SessionStoreUnavailableError`.
   * @default a listener that warns on the console once per outage (first error after being ready)
   */
  readonly onError?: ((error: Error) => void) | undefined;
};

/**
 * An `error` listener that warns once per outage: the first error after the connection was ready,
 * then silence until it is ready again. There must be a listener (ioredis prints "Unhandled error
 * event" without one), but a reconnect loop should not flood the log.
 */
function warnOncePerOutage(client: Redis): (error: Error) => void {
  let warned = false;
  client.on('ready', () => {
    warned = false;
  });
  return (error) => {
    if (warned) return;
    warned = true;
    console.warn(
      `[sessionkit] Redis connection error: ${error.message} (reconnecting; further errors are silent until it is back)`,
    );
  };
}

/**
 * Creates an ioredis client for RedisStore from a `redis://` or `rediss://` URL, with
 * `sessionRedisOptions` applied (bounded command and connect timeouts, no offline queue, no
 * automatic re-send, reconnect on READONLY, capped backoff, explicit protocol) and an `error`
 * listener attached. With the offline queue off, RedisStore makes a call that arrives while a
 * connection is being made wait for it (at most the connect timeout, see connection-wait.ts), so
 * the first requests after start are served; while Redis is down, calls fail at once with a 503.
 *
 * For Sentinel spread `sessionRedisOptions` into `new Redis({ sentinels, name, ... })`; for
 * Cluster use `new Cluster(nodes, sessionClusterOptions)`.
 *
 * @param url - the Redis URL, e.g. `redis://localhost:6379/0`
 * @param overrides - ioredis options that replace ours, and `onError`
 * @example
 * ```ts
 * const client = createRedisClient(process.env.REDIS_URL!, { commandTimeout: 500 });
 * const store = new RedisStore({ client });
 * ```
 */
export function createRedisClient(url: string, overrides: RedisClientOverrides = {}): Redis {
  const { onError, ...options } = overrides;
  const client = new Redis(url, { ...sessionRedisOptions, ...options });
  client.on('error', onError ?? warnOncePerOutage(client));
  return client;
}
