/**
 * `@sessionkit/core/migrate`: switch to sessionkit without logging anyone out. Importers read the
 * live sessions of express-session, koa-session and @fastify/session (with a Redis store) and
 * take each over on its user's first request after the switch:
 *
 * ```ts
 * createSessionManager({
 *   secrets: [process.env.SESSION_SECRET!],
 *   store: new RedisStore({ client }),
 *   migrateFrom: [expressSessionImporter({ secrets: [process.env.OLD_SESSION_SECRET!], client: oldRedis })],
 * });
 * ```
 *
 * The old cookie is verified with the old library's own signing rules, the old record becomes a
 * sessionkit session (once, whatever the concurrency), and the old cookie is expired. Requests
 * without an old cookie pay nothing. See docs/switch-without-logout.md.
 *
 * @module @sessionkit/core/migrate
 */
export { type ExpressSessionImporterOptions, expressSessionImporter } from './express-session.js';
export { type FastifySessionImporterOptions, fastifySessionImporter } from './fastify-session.js';
export type { ImportedSession, Importer, ImporterOptions, MapOldSession, OldSessionRecord } from './importer.js';
export { type KoaSessionImporterOptions, koaSessionImporter } from './koa-session.js';
export type { IoredisLikeClient, NodeRedisLikeClient, OldStoreClient, OldStoreClientInput } from './old-store.js';
