/**
 * Sessions for any fetch-style handler, `(request: Request) => Response`, in three lines.
 *
 * @module
 */
import type { SessionManager } from '../manager.js';
import type { Session } from '../session.js';
import type { DefaultSessionData } from '../types.js';
import { FetchCookieJar, type FetchCookieJarOptions } from './cookie-jar.js';

/** What {@link openSession} resolves: the request's session and how to answer with it. */
export interface OpenedSession<T extends object = DefaultSessionData> {
  /** The request's session. */
  readonly session: Session<T>;
  /** The cookie bridge the session writes its headers through. */
  readonly jar: FetchCookieJar;
  /**
   * Commits the session and resolves the response to send: `response` with the session's
   * `Set-Cookie`, `Vary: Cookie` and `Cache-Control` on it, or a copy when its headers are immutable
   * (`Response.redirect()`, a `fetch()` result). Rejects when the commit fails (a
   * `SessionStoreUnavailableError`, status 503): answer with an error response then, e.g. the
   * error's own `getResponse()`, which gets no session headers. Call it once, also for the response to an error of your handler,
   * so what the handler wrote before the error is saved.
   *
   * The headers leave with the response, so a streamed body cannot change the session any more:
   * write the session before calling `finish`.
   */
  finish(response: Response): Promise<Response>;
}

/**
 * Loads the session of a fetch `Request`. With no session cookie this makes no store call.
 *
 * @param manager - from `createSessionManager(options)`, created once for the app
 * @param request - the request being answered
 * @param options - `secure` (default: from the URL's scheme) and `headersSent`, see {@link FetchCookieJarOptions}
 * @throws {SessionStoreUnavailableError} the store failed or timed out (status 503; `error.getResponse()` answers it)
 *
 * @example
 * ```ts
 * const manager = createSessionManager({ secrets: [process.env.SESSION_SECRET!] });
 *
 * export async function handle(request: Request): Promise<Response> {
 *   const { session, finish } = await openSession(manager, request);
 *   const visits = await session.increment('visits');
 *   return finish(new Response(`Visits: ${visits}`));
 * }
 * ```
 */
export async function openSession<T extends object = DefaultSessionData>(
  manager: SessionManager<T>,
  request: Request,
  options?: FetchCookieJarOptions,
): Promise<OpenedSession<T>> {
  const jar = new FetchCookieJar(request, options);
  const session = await manager.load(jar);
  return {
    session,
    jar,
    async finish(response) {
      // Committed into the jar's own headers, then merged into the response: the same outcome as
      // writing there directly (the app's Vary is merged, its Cache-Control kept), and a response
      // the session has nothing to say to is left as it is.
      await session.commit();
      const answer = jar.applyTo(response);
      jar.markSent();
      return answer;
    },
  };
}
