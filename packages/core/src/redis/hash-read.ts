/**
 * A session load as one plain `HGETALL`: no script, no write. The expiry slide a read owes is
 * decided from the hash itself (see `slideDue` in redis-store.ts), so most reads cost Redis one
 * read command.
 *
 * @module
 */
import type { RedisClientLike } from './client-types.js';
import { whenConnected } from './connection-wait.js';
import { isRedisError, storeUnavailable } from './lua-script.js';

/**
 * The fields of the hash at `key`, as the client answers them, or `undefined` when the key holds
 * another type (a foreign key is "no session", not an outage). Any other failure rejects with a
 * `SessionStoreUnavailableError`.
 *
 * @param client - the ioredis client
 * @param key - the session key
 */
export async function readSessionHash(client: RedisClientLike, key: string): Promise<unknown> {
  await whenConnected(client);
  try {
    return await client.hgetall(key);
  } catch (error) {
    // WRONGTYPE: the key holds another type, which is "no session".
    if (isRedisError(error, 'WRONGTYPE')) return undefined;
    throw storeUnavailable('load', error);
  }
}
