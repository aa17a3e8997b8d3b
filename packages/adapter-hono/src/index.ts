/**
 * sessionkit for Hono 4: `app.use(session(options))` puts a typed session at `c.get('session')`
 * (and `c.var.session`) on every request, loaded before the next handler runs and committed when it
 * returns, onto `c.res`, before the response leaves. Runs wherever Hono runs on a `Request` and a
 * `Response`; on Node, serve the app with `@hono/node-server`.
 *
 * @module @sessionkit/hono
 */
import {
  type DefaultSessionData,
  isSessionError,
  type Session,
  type SessionManager,
  type SessionOptions,
  startCommit,
  toSessionManager,
} from '@sessionkit/core';
import { FetchCookieJar } from '@sessionkit/core/fetch';
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The sessionkit session of this request, typed by `SessionData` augmentation of `@sessionkit/core`. */
    session: Session<DefaultSessionData>;
  }
}

/** Options of {@link session} beyond the session options. */
export interface HonoSessionOptions {
  /**
   * Whether the request arrived over HTTPS, which decides `Secure` on the cookie when
   * `cookie.secure` is `'auto'`. Default: the request URL's scheme. Behind a proxy that terminates
   * TLS the URL says `http:`: read the proxy's header here (only if the proxy always sets it), e.g.
   * `(c) => c.req.header('x-forwarded-proto') === 'https'`, or set `cookie.secure: true`.
   */
  readonly secure?: (c: Context) => boolean;
}

/** The environment type of an app whose every context has the session, for `new Hono<SessionEnv>()` and typed middleware. */
export interface SessionEnv {
  /** `c.get('session')` and `c.var.session`. */
  Variables: { session: Session<DefaultSessionData> };
}

/** The parts of a Node `ServerResponse` the adapter reads, when `@hono/node-server` passes one as `c.env.outgoing`. */
interface NodeOutgoing {
  readonly headersSent: boolean;
  readonly writableEnded: boolean;
  destroy(): void;
}

/** The Node response under `@hono/node-server` (`c.env.outgoing`), if there is one. */
function nodeOutgoing(env: unknown): NodeOutgoing | undefined {
  const outgoing = (env as { outgoing?: Partial<NodeOutgoing> } | undefined)?.outgoing;
  return typeof outgoing?.headersSent === 'boolean' && typeof outgoing.destroy === 'function'
    ? (outgoing as NodeOutgoing)
    : undefined;
}

/**
 * The session middleware. Pass options (a manager is created once) or a manager shared with other
 * apps. Mount it before the routes and middleware that use `c.get('session')`.
 *
 * The session is committed after `await next()` returns, onto `c.res` (re-created when its headers
 * are immutable, as a `fetch()` result's are), so the write is saved before the response leaves:
 * - when the handler threw, Hono's `onError` answered already: the session is committed onto that
 *   error response, and what the handler wrote before the error is saved;
 * - when a middleware answered without calling `next()` (a guard's redirect), the rest of the chain
 *   does not run and what that middleware wrote is committed the same way;
 * - a streamed body (`c.stream()`, `streamSSE`) goes on after the commit: write the session before
 *   returning the stream (inside the callback, only an already stored session can still change,
 *   with `await session.commit()`).
 *
 * When the store fails or does not answer in time, in the middleware or in a session method the
 * handler awaits, the `SessionStoreUnavailableError` (status 503) goes to Hono's error handling:
 * `app.onError` sees it, and Hono's default handler answers 503, through the `getResponse()` every
 * `SessionError` has. No session cookie is sent with it.
 *
 * @param input - session options, or a manager from `createSessionManager`
 * @param options - how to tell an HTTPS request, see {@link HonoSessionOptions}
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.use(session({ secrets: [process.env.SESSION_SECRET!] }));
 * app.get('/', async (c) => c.text(`Visits: ${await c.get('session').increment('visits')}`));
 * ```
 */
export function session(
  input: SessionOptions | SessionManager<object>,
  options: HonoSessionOptions = {},
): MiddlewareHandler<SessionEnv> {
  const manager = toSessionManager(input);
  const { secure } = options;
  return async (c, next) => {
    const outgoing = nodeOutgoing(c.env);
    const jar = new FetchCookieJar(c.req.raw, {
      ...(secure === undefined ? {} : { secure: secure(c) }),
      // A response written straight to the Node response (c.env.outgoing) has sent its headers.
      ...(outgoing === undefined ? {} : { headersSent: () => outgoing.headersSent }),
    });
    // No cookie of ours: the new session at once, without a store call or a promise to wait for.
    // A store failure is thrown to Hono's error handling as it is.
    const loaded: Session<DefaultSessionData> = manager.needsLoad(jar)
      ? await manager.load(jar)
      : manager.createNew(jar);
    c.set('session', loaded);
    await next();
    let failure: unknown;
    try {
      // Synchronous when the commit needs no store call (an untouched or unchanged session).
      const committing = startCommit(loaded);
      if (committing !== undefined) await committing;
    } catch (error) {
      failure = error;
      // Headers already sent through the Node response: end it as a failure rather than leave it open.
      if (outgoing?.headersSent === true && !outgoing.writableEnded) outgoing.destroy();
    }
    // What the session wrote goes on c.res (nothing is touched when it wrote nothing). A failed
    // commit wrote nothing; a commit of the handler's own before it may have set the cookie of a
    // session it created, which must reach the client whatever answers the request.
    const response = c.res;
    const answer = jar.applyTo(response);
    if (answer !== response) {
      // A copy, for immutable headers. The setter copies the old response's headers onto the new
      // one; unset first, so the session's Vary (merged with the app's) is not overwritten.
      c.res = undefined;
      c.res = answer;
    }
    jar.markSent();
    if (failure === undefined) return;
    // The handler met this failure already (a store down for its increment, a commit of its own
    // after streaming) and onError answered it: the same failure again is no news.
    if (isSessionError(failure) && isSessionError(c.error, failure.code)) return;
    throw failure;
  };
}
