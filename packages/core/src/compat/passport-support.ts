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
 * Also the one way back from any view to its sessionkit `Session`: {@link sessionOf}, which each
 * view module re-exports (the same binding, so `export *` of both is not ambiguous).
 *
 * The rest is internal to `@sessionkit/core/compat`.
 *
 * @module
 */
import { SessionArgumentError } from '../errors.js';
import type { Session } from '../session-types.js';
import type { DefaultSessionData } from '../types.js';

/**
 * @internal The key under which a view answers its sessionkit `Session` (a Proxy's `get` trap, or a
 * non-enumerable property), so that {@link sessionOf} works for every view.
 */
export const VIEW_SESSION: unique symbol = Symbol('sessionkit.viewSession');

/**
 * The sessionkit `Session` behind a compatibility view (`ctx.session` with `{ compat: 'koa-session' }`,
 * `req.session` with the express-session view): for what the view does not offer, such as
 * `setUserId` ("log out everywhere"), `persist`, `touch`, `reload`, `destroy`, `regenerate` that
 * keeps the data, and data stored under a name the view answers itself (`sessionOf(view).data.save`).
 * A view replaced by `regenerate()` still leads to the same, current session.
 *
 * @param view - a view built by `@sessionkit/core/compat`
 * @throws {SessionArgumentError} `view` is not such a view
 *
 * @example
 * ```ts
 * sessionOf(ctx.session).setUserId(user.id);
 * ```
 */
export function sessionOf<T extends object = DefaultSessionData>(view: object): Session<T> {
  const session = (view as { [VIEW_SESSION]?: Session<T> } | null)?.[VIEW_SESSION];
  if (session === undefined) {
    throw new SessionArgumentError(
      'sessionkit: sessionOf takes a session view of @sessionkit/core/compat (ctx.session or req.session of an app ' +
        'that opted into a compat view); a plain sessionkit Session is its own session.',
    );
  }
  return session;
}

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
export function callbackOrPromise(
  promise: Promise<void>,
  callback: CompletionCallback | undefined,
): Promise<void> | undefined {
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
 * If the session ended meanwhile (logged out elsewhere), it resolves `{}`: the new session starts
 * empty and there is nothing to merge back.
 * @throws {SessionStoreUnavailableError} the store failed; the data is untouched
 * @internal
 */
export async function regenerateEmpty(session: Session<object>): Promise<Record<string, unknown>> {
  const before: Record<string, unknown> = { ...(session.data as Record<string, unknown>) };
  // A session that ended meanwhile (a concurrent logout) restarts empty: then nothing of it may be
  // merged back, or keepSessionInfo would undo the logout.
  const outcome = await session.regenerate({ keepData: false });
  return outcome === 'restarted' ? {} : before;
}
