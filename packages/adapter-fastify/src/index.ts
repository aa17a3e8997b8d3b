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
  // A failed commit turns the reply into an error reply, whose onSend must not retry the failed write.
  const committing = new WeakSet<FastifyRequest>();
  // null until onRequest loads it; Fastify 5 refuses object defaults on request decorators.
  app.decorateRequest('session', null as unknown as Session<DefaultSessionData>);
  app.addHook('onRequest', async (request, reply) => {
    request.session = (await manager.load(createJar(request, reply))) as Session<DefaultSessionData>;
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    // No session when loading it failed: that error is the reply being sent.
    if (request.session !== null && !committing.has(request)) {
      committing.add(request);
      await request.session.commit();
    }
    return payload;
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
