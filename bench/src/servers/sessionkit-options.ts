/**
 * sessionkit's options for every framework: RedisStore on a client from `createRedisClient` (the
 * settings the docs recommend), with the shared secret, cookie and idle timeout.
 *
 * @module
 */
import { once } from 'node:events';
import type { SessionOptions } from '@sessionkit/core';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
import { COOKIE, COOKIE_NAME, IDLE_TIMEOUT_MS, SECRET } from './shared.js';

/** Session options bound to a connected Redis client, and a way to close that client. */
export interface SessionkitSetup {
  readonly options: SessionOptions;
  close(): Promise<unknown>;
}

/** Connects to the bench's Redis (waiting for `ready`: the offline queue is off) and builds the options. */
export async function createSessionkitSetup(redisPort: number): Promise<SessionkitSetup> {
  const client = createRedisClient(`redis://127.0.0.1:${redisPort}`);
  await once(client, 'ready');
  return {
    options: {
      secrets: [SECRET],
      store: new RedisStore({ client, prefix: 'sk:' }),
      idleTimeoutMs: IDLE_TIMEOUT_MS,
      cookie: { name: COOKIE_NAME, ...COOKIE },
    },
    close: () => client.quit(),
  };
}
