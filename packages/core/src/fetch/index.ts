/**
 * `@sessionkit/core/fetch`: sessions on Web-standard `Request` and `Response`, for any fetch-style
 * handler (Hono, Bun, Deno, a `(request: Request) => Response` function). `openSession` loads the
 * session of a request and gives back `finish(response)`, which commits it and puts its headers on
 * the response. `@sessionkit/hono` is the cookie bridge here plus Hono's typing and error path.
 *
 * @module @sessionkit/core/fetch
 */
export { FetchCookieJar, type FetchCookieJarOptions, hasMutableHeaders, withMutableHeaders } from './cookie-jar.js';
export { type OpenedSession, openSession } from './open-session.js';
