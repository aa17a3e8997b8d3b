/**
 * What Passport (0.6 and 0.7, through `lib/sessionmanager.js`) needs from any session view, shared
 * by the express-session and koa-session views:
 *
 * - `req.session.regenerate(cb)` and `req.session.save(cb)` in callback style, while apps call the
 *   same methods promise-style: {@link callbackOrPromise};
 * - `regenerate` with express-session's meaning, a new id and EMPTY data, while the object Passport
 *   kept (`prevSession = req.session`) still shows the data as it was, because `keepSessionInfo`
 *   merges it back (`merge(req.session, prevSession)`): {@link regenerateEmpty} returns that data.
 *
 * Internal to `@sessionkit/core/compat`: not re-exported from its index.
 *
 * @module
 */
import type { Session } from '../session-types.js';

/** A Node-style completion callback, as Passport passes to `regenerate` and `save`. */
export type CompletionCallback = (error?: unknown) => void;

/**
 * Runs `promise` in the caller's style: with a callback, calls it once with the error (or none) and
 * returns `undefined`, as express-session and koa-session do; without one, returns the promise.
 *
 * @param promise - the operation, already started
 * @param callback - Passport's callback, if any
 * @internal
 */
export function callbackOrPromise(promise: Promise<void>, callback: CompletionCallback | undefined): Promise<void> | undefined {
  if (callback === undefined) return promise;
  // Two handlers, not then(ok).catch(fail): an exception thrown by the callback itself must not call
  // it a second time (it surfaces as an unhandled rejection instead, as a throw in a callback would).
  void promise.then(
    () => callback(),
    (error: unknown) => callback(error),
  );
  return undefined;
}

/**
 * Regenerates as Passport expects of express-session: a new id and empty data (and no user id),
 * so nothing planted in a pre-login session survives the login. Resolves a shallow copy of the data
 * as it was before, for the view object Passport kept to go on showing (`keepSessionInfo`).
 *
 * The copy is taken before the store call; the session's own `data` object is emptied in place (it
 * stays the object the commit diffs), so the view that replaces the old one reads the same object.
 *
 * @param session - the request's session
 * @throws {SessionGoneError} the session ended meanwhile (logged out elsewhere): nothing was created
 * @throws {SessionStoreUnavailableError} the store failed; the data is untouched
 * @internal
 */
export async function regenerateEmpty(session: Session<object>): Promise<Record<string, unknown>> {
  const before: Record<string, unknown> = { ...(session.data as Record<string, unknown>) };
  await session.regenerate({ keepData: false });
  return before;
}
