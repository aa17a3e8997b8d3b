/**
 * `@sessionkit/core/redis`: RedisStore on ioredis (5 or 6; standalone, Sentinel or Cluster) and
 * the client settings a session store relies on. Only this entry imports ioredis, an optional peer
 * dependency of `@sessionkit/core`.
 *
 * @module @sessionkit/core/redis
 */
export { type AuditableClient, auditRedisClient } from './audit-client.js';
export type { RedisClientLike } from './client-types.js';
export {
  type ClientSettingAdvice,
  REDIS_CLIENT_SETTINGS,
  sessionClusterOptions,
  sessionRedisOptions,
} from './client-settings.js';
export { createRedisClient, type RedisClientOverrides } from './create-client.js';
export { RedisStore, type RedisStoreOptions, slideToleranceMs } from './redis-store.js';
