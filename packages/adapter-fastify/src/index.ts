/**
 * sessionkit for Fastify 5: `app.register(session, options)` puts a typed `request.session` on
 * every request, loaded in `onRequest` and committed in `onSend`, the last hook in which the
 * response headers can still change (it runs for error replies too).
 *
 * @module @sessionkit/fastify
 */
import {
  type CookieJar,
  type DefaultSessionData,
  type Session,
  SessionConfigError,
  type SessionManager,
  type SessionOptions,
  startCommit,
  toSessionManager,
} from '@sessionkit/core';
import { createFastifySessionView, type FastifySessionView } from '@sessionkit/core/compat';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Augment once when the plugin is registered with `compat: 'fastify-session'`, so that
 * `request.session` is typed as the view:
 *
 * @example
 * ```ts
 * declare module '@sessionkit/fastify' {
 *   interface SessionPluginTypes { compat: 'fastify-session' }
 * }
 * ```
 */
export interface SessionPluginTypes {}

/**
 * The type of `request.session`: the sessionkit `Session`, or with `compat: 'fastify-session'` in
 * {@link SessionPluginTypes}, the @fastify/session-shaped view. Data is typed by `SessionData` either way.
 */
export type RequestSession<Types = SessionPluginTypes> = Types extends { compat: 'fastify-session' }
  ? FastifySessionView<DefaultSessionData>
  : Session<DefaultSessionData>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The session of this request: see {@link RequestSession}. */
    session: RequestSession;
  }
}

/** Options of the plugin: session options (a manager is created once), or a manager shared with other apps. */
export type FastifySessionOptions = (SessionOptions | { readonly manager: SessionManager<object> }) & {
  /**
   * `'fastify-session'` puts a view shaped like @fastify/session's `request.session` on requests
   * (`get`, `set`, `regenerate(fields)`, data keys as properties...), for @fastify/passport,
   * @fastify/flash and @fastify/csrf-protection; see docs/migrating-from-fastify-session.md. Left
   * out, `request.session` is the sessionkit `Session`.
   */
  readonly compat?: 'fastify-session';
};

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

const plugin: FastifyPluginAsync<FastifySessionOptions> = async (app, { compat, ...options }) => {
  if (compat !== undefined && compat !== 'fastify-session') {
    throw new SessionConfigError(
      `sessionkit: compat must be 'fastify-session' or left out; got ${JSON.stringify(compat)}.`,
    );
  }
  const manager = 'manager' in options ? options.manager : toSessionManager(options);
  // With a view on request.session, the session it wraps, kept here so the commit never depends on
  // what the app does with request.session.
  const viewed = compat === undefined ? undefined : new WeakMap<FastifyRequest, Session<object>>();
  // The commit a request started: a second onSend (the error reply of a failed commit) waits for it
  // instead of starting another, and never retries a write that failed.
  const commits = new WeakMap<FastifyRequest, Promise<void> | undefined>();
  const commitOnce = (request: FastifyRequest): Promise<void> | undefined => {
    const session: Session<object> | undefined | null = viewed ? viewed.get(request) : request.session;
    // No session when loading it failed: that error is the reply being sent.
    if (session == null) return undefined;
    if (commits.has(request)) {
      return commits.get(request)?.then(
        () => undefined,
        () => undefined,
      );
    }
    const committing = startCommit(session);
    commits.set(request, committing);
    return committing;
  };
  // null until onRequest loads it; Fastify 5 refuses object defaults on request decorators.
  app.decorateRequest('session', null as unknown as RequestSession);
  app.addHook('onRequest', async (request, reply) => {
    const session = await manager.load(createJar(request, reply));
    viewed?.set(request, session);
    // The cast: RequestSession is what the app declared in SessionPluginTypes; the option decides what is here.
    request.session = (viewed ? createFastifySessionView(session, manager.options) : session) as RequestSession;
  });
  // Synchronous whenever the commit needs no store call: a reply sent from an async hook without
  // `return reply` only stops the route if onSend finishes before the hook's promise settles (Fastify
  // then sees the response ended and skips the handler). A commit that needs the store returns its
  // promise instead, which Fastify awaits and whose failure it routes to the error handler.
  app.addHook('onSend', (request, _reply, payload, done) => {
    const pending = commitOnce(request);
    if (pending === undefined) return done(null, payload);
    // Fastify awaits a promise returned from a hook declared with `done`; its types only say void.
    // biome-ignore lint/suspicious/noConfusingVoidType: the cast only satisfies Fastify's hook type
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
