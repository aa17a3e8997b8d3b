/**
 * sessionkit core: server-side sessions with a sealed session-id cookie, per-key writes, atomic
 * counters, idle and absolute expiry. Framework adapters (`@sessionkit/express`,
 * `@sessionkit/koa`, `@sessionkit/fastify`) build on it.
 *
 * @module @sessionkit/core
 */
export type { CookieOptions } from './cookie.js';
export {
  isSessionError,
  SessionArgumentError,
  SessionConfigError,
  SessionDataTooLargeError,
  SessionError,
  type SessionErrorCode,
  SessionGoneError,
  SessionHeadersSentError,
  SessionSerializationError,
  SessionStoreUnavailableError,
} from './errors.js';
export { generateSessionId, isValidSessionId } from './id.js';
export { createSessionManager, isSessionManager, type SessionManager, toSessionManager } from './manager.js';
export { MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { ResolvedSessionOptions, SessionOptions } from './options.js';
export type { SecretInput, SecretWithId } from './secrets.js';
export { jsonSerializer, type Serializer } from './serializer.js';
export {
  destroyAtCommit,
  type RegenerateOptions,
  type RegenerateOutcome,
  type Session,
  startCommit,
} from './session.js';
export type { Gone, ReadSession, SessionMeta, SessionPatch, SessionStore, StoredSession } from './store.js';
export { loadByReading, slideDue, slideToleranceMs } from './store-slide.js';
export type { CookieJar, DefaultSessionData, NumericKeys, SessionData } from './types.js';
