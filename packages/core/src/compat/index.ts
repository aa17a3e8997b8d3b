/**
 * `@sessionkit/core/compat`: opt-in views of a sessionkit session shaped like the sessions of
 * express-session, koa-session and @fastify/session, so that middleware written for those
 * (Passport, flash messages, CSRF protection) works unchanged. Each view is a thin layer over the
 * same `Session`: writes still go through its per-key diff, `increment` stays atomic, and a write
 * after logout still never resurrects the session. Adapters only choose which view to expose.
 *
 * @module @sessionkit/core/compat
 */
export * from './express-session.js';
export * from './fastify-session.js';
export * from './koa-session.js';
