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
  type SessionError,
  type SessionManager,
  type SessionOptions,
  toSessionManager,
} from '@sessionkit/core';
import { FetchCookieJar, hasMutableHeaders } from '@sessionkit/core/fetch';
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

const REASONS: Readonly<Record<number, string>> = { 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * Gives a session error Hono's `HTTPResponseError` shape, `getResponse()`, so that Hono's default
 * error handler (and every `onError` that answers `err.getResponse()`) answers its status, 503 for a
 * store failure, instead of a 500. The error stays the `SessionError` it is: `app.onError` can test
 * it with `isSessionError(err, 'STORE_UNAVAILABLE')` or `instanceof SessionStoreUnavailableError`.
 * Messages of 5xx errors stay on the server (`expose` is false).
 */
function withResponse(error: unknown): unknown {
  if (!isSessionError(error) || 'getResponse' in error) return error;
  const session: SessionError = error;
  Object.defineProperty(session, 'getResponse', {
    value: (): Response =>
      new Response(session.expose ? session.message : (REASONS[session.status] ?? 'Error'), {
        status: session.status,
        headers: { 'content-type': 'text/plain; charset=UTF-8' },
      }),
    configurable: true,
    writable: true,
  });
  return session;
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
 * When the store fails or does not answer in time, the `SessionStoreUnavailableError` (status 503)
 * is thrown to Hono's error handling: `app.onError` sees it, and Hono's default handler answers
 * 503 through its `getResponse()`. Either way no session cookie is sent.
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
    let loaded: Session<DefaultSessionData>;
    try {
      loaded = await manager.load(jar);
    } catch (error) {
      throw withResponse(error);
    }
    c.set('session', loaded);
    await next();
    let response = c.res;
    if (!hasMutableHeaders(response)) {
      // The setter copies the old response's headers onto the new one; unset first, so the
      // session's Vary (merged with the app's) is not overwritten by the app's alone.
      const copy = new Response(response.body, response);
      c.res = undefined;
      c.res = copy;
      response = c.res;
    }
    jar.attach(response.headers);
    try {
      await loaded.commit();
    } catch (error) {
      // Headers already sent through the Node response: end it as a failure rather than leave it open.
      if (outgoing?.headersSent === true && !outgoing.writableEnded) outgoing.destroy();
      // The handler met this failure already (a store down for its increment, a commit of its own
      // after streaming) and onError answered it: the same failure again is no news.
      if (isSessionError(error) && isSessionError(c.error, error.code)) return;
      throw withResponse(error);
    }
    jar.markSent();
  };
}
