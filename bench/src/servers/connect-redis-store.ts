/**
 * The Redis store express-session and @fastify/session users pick: connect-redis 9 on the
 * node-redis client (connect-redis 9 no longer takes ioredis).
 *
 * @module
 */
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { IDLE_TIMEOUT_S } from './shared.js';

/** A connected connect-redis store and a way to close its client. */
export interface ConnectRedis {
  readonly store: RedisStore;
  close(): Promise<unknown>;
}

/** Connects node-redis to the bench's Redis and wraps it in connect-redis with a 30 min TTL. */
export async function createConnectRedis(redisPort: number, prefix: string): Promise<ConnectRedis> {
  const client = createClient({ socket: { host: '127.0.0.1', port: redisPort } });
  await client.connect();
  return { store: new RedisStore({ client, prefix, ttl: IDLE_TIMEOUT_S }), close: () => client.quit() };
}
