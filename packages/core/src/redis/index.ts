/**
 * `@sessionkit/core/redis`: RedisStore on ioredis (5 or 6; standalone, Sentinel or Cluster) and
 * the client settings a session store relies on. Only this entry imports ioredis, an optional peer
 * dependency of `@sessionkit/core`.
 *
 * @module
 */
export { type AuditableClient, auditRedisClient } from './audit-client.js';
export type { RedisClientLike } from './client-types.js';
export {
  cappedBackoff,
  type ClientSettingAdvice,
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  MAX_RECONNECT_DELAY_MS,
  REDIS_CLIENT_SETTINGS,
  reconnectOnReadOnly,
  sessionClusterOptions,
  sessionRedisOptions,
} from './client-settings.js';
export { createRedisClient, type RedisClientOverrides } from './create-client.js';
export { DATA_FIELD_PREFIX, FENCE_FIELD_PREFIX, META_FIELDS, USER_INDEX_GENERATION_MEMBER, USER_INDEX_INFIX } from './keys.js';
export { RedisStore, type RedisStoreOptions, slideToleranceMs } from './redis-store.js';
