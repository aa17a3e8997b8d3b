/**
 * sessionkit for Fastify 5: `app.register(session, options)` puts a typed `request.session` on
 * every request, loaded in `onRequest` and committed in `onSend`, the last hook in which the
 * response headers can still change (it runs for error replies too).
 *
 * @module
 */
import {
  type CookieJar,
  type DefaultSessionData,
  type Session,
  type SessionManager,
  type SessionOptions,
  startCommit,
  toSessionManager,
} from '@sessionkit/core';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The sessionkit session of this request, typed by `SessionData` augmentation. */
    session: Session<DefaultSessionData>;
  }
}

/** Options of the plugin: session options (a manager is created once), or a manager shared with other apps. */
export type FastifySessionOptions = SessionOptions | { readonly manager: SessionManager<object> };

function createJar(request: FastifyRequest, reply: FastifyReply): CookieJar {
  return {
    cookieHeader: request.headers.cookie,
    secure: request.protocol === 'https',
    // reply.header appends to set-cookie (Fastify special-cases it), beside @fastify/cookie's cookies.
    appendSetCookie: (line) => void reply.header('set-cookie', line),
    getHeader: (name) => reply.getHeader(name),
    setHeader: (name, value) => void reply.header(name, value),
    headersSent: () => reply.raw.headersSent,
  };
}

const plugin: FastifyPluginAsync<FastifySessionOptions> = async (app, options) => {
  const manager = 'manager' in options ? options.manager : toSessionManager(options);
  // The commit a request started: a second onSend (the error reply of a failed commit) waits for it
  // instead of starting another, and never retries a write that failed.
  const commits = new WeakMap<FastifyRequest, Promise<void> | undefined>();
  const commitOnce = (request: FastifyRequest): Promise<void> | undefined => {
    // No session when loading it failed: that error is the reply being sent.
    if (request.session === null) return undefined;
    if (commits.has(request)) {
      return commits.get(request)?.then(
        () => undefined,
        () => undefined,
      );
    }
    const committing = startCommit(request.session);
    commits.set(request, committing);
    return committing;
  };
  // null until onRequest loads it; Fastify 5 refuses object defaults on request decorators.
  app.decorateRequest('session', null as unknown as Session<DefaultSessionData>);
  app.addHook('onRequest', async (request, reply) => {
    request.session = (await manager.load(createJar(request, reply))) as Session<DefaultSessionData>;
  });
  // Synchronous whenever the commit needs no store call: a reply sent from an async hook without
  // `return reply` only stops the route if onSend finishes before the hook's promise settles (Fastify
  // then sees the response ended and skips the handler). A commit that needs the store returns its
  // promise instead, which Fastify awaits and whose failure it routes to the error handler.
  app.addHook('onSend', (request, _reply, payload, done) => {
    const pending = commitOnce(request);
    if (pending === undefined) return done(null, payload);
    return pending.then(() => payload) as unknown as void;
  });
};

/**
 * The session plugin, wrapped with `fastify-plugin` so `request.session` exists in every
 * encapsulated context. Store failures reach Fastify's error handler as a
 * `SessionStoreUnavailableError` with `statusCode` 503. After `reply.hijack()` or a write straight
 * to `reply.raw`, call `await request.session.commit()` first: `onSend` does not run then.
 *
 * @example
 * ```ts
 * const app = Fastify();
 * await app.register(session, { secrets: [process.env.SESSION_SECRET!] });
 * app.get('/', async (request) => `Visits: ${await request.session.increment('visits')}`);
 * ```
 */
export const session = fp(plugin, { name: '@sessionkit/fastify', fastify: '5.x' });
