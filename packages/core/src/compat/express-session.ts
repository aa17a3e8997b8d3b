/**
 * A view of a sessionkit `Session` shaped like express-session's `req.session`: data keys are
 * properties (`req.session.passport`, `req.session.flash`, `req.session.csrfToken`), beside
 * express-session's members (`id`, `cookie`, `regenerate(cb)`, `save(cb)`, `destroy(cb)`,
 * `reload(cb)`, `touch()`, `resetMaxAge()`). That is what Passport, connect-flash, csrf-sync and
 * other middleware written for express-session use.
 *
 * The view is a Proxy over the session's own `data` object, never a copy: what the app writes
 * through it is what the commit diffs, so only the changed keys are written, concurrent requests
 * writing different keys all survive, and a write after a logout is dropped, never resurrecting
 * the session. `@sessionkit/express` builds it with `session(options, { compat: 'express-session' })`.
 *
 * @module
 */
import { SessionArgumentError } from '../errors.js';
import type { ResolvedSessionOptions } from '../options.js';
import type { Session } from '../session-types.js';
import type { DefaultSessionData } from '../types.js';
import { dataTraps, INSPECT, visibleKeys } from './data-view.js';
import { callbackOrPromise, type CompletionCallback, regenerateEmpty, VIEW_SESSION } from './passport-support.js';

export { sessionOf } from './passport-support.js';
export type { CompletionCallback } from './passport-support.js';

/**
 * The names the express-session view answers itself: express-session's own `Session` members, and
 * no others, so an app that ran on express-session meets no new collision. Data stored under one
 * of them is not visible through the view (nor in `Object.keys` or JSON); assigning or deleting
 * one through the view throws. Reach such data with `sessionOf(req.session).data`.
 */
export type ExpressSessionMember =
  | 'id'
  | 'cookie'
  | 'regenerate'
  | 'destroy'
  | 'reload'
  | 'resetMaxAge'
  | 'save'
  | 'touch';

const MEMBERS: ReadonlySet<string> = new Set<ExpressSessionMember>([
  'id',
  'cookie',
  'regenerate',
  'destroy',
  'reload',
  'resetMaxAge',
  'save',
  'touch',
]);

/**
 * `req.session.cookie`: the session cookie as express-session describes it. The attributes are
 * the session options' (`cookie.*`), the same for every session. The lifetime is sessionkit's: a
 * browser-session cookie, or a persistent one whose Max-Age is the idle timeout capped by the
 * absolute deadline, renewed on every request. Setting `maxAge` or `expires` chooses between the
 * two (`session.persist()`); the value itself does not set the lifetime, the server's timeouts do,
 * so that the cookie never outlives the session it names.
 */
export interface ExpressSessionCookie {
  /**
   * Ms the persistent cookie has left (the idle timeout, capped by the absolute deadline); `null`
   * for a browser-session cookie.
   */
  get maxAge(): number | null;
  /**
   * A positive number makes the cookie persistent ("remember me"); `null`, `undefined` or `false`
   * a browser-session cookie. A `Date` is taken as `expires`.
   * @throws {SessionArgumentError} 0, a negative number or anything else: call `req.session.destroy()` to end a session
   */
  set maxAge(value: number | Date | null | undefined | false);
  /** When the persistent cookie expires if no request renews it; `null` for a browser-session cookie. */
  get expires(): Date | null;
  /**
   * A future `Date` makes the cookie persistent; `null`, `undefined` or `false` a browser-session cookie.
   * @throws {SessionArgumentError} a past date or anything else
   */
  set expires(value: Date | null | undefined | false);
  /** The lifetime a persistent cookie gets at each request (`idleTimeoutMs`); `null` for a browser-session cookie. */
  readonly originalMaxAge: number | null;
  /** `cookie.httpOnly` of the session options. */
  readonly httpOnly: boolean;
  /** Whether the cookie is sent with `Secure`: `cookie.secure`, with `'auto'` resolved for this request. */
  readonly secure: boolean;
  /** `cookie.path` of the session options. */
  readonly path: string;
  /** `cookie.domain` of the session options. */
  readonly domain: string | undefined;
  /** `cookie.sameSite` of the session options. */
  readonly sameSite: 'lax' | 'strict' | 'none';
  /** `cookie.partitioned` of the session options. */
  readonly partitioned: boolean;
  /** `cookie.priority` of the session options. */
  readonly priority: 'low' | 'medium' | 'high' | undefined;
  /** The fields above as a plain object, as express-session's `cookie.toJSON()`. */
  toJSON(): Record<string, unknown>;
}

/** express-session's members, as the view implements them on a sessionkit session. */
export interface ExpressSessionMembers {
  /**
   * The session id (also `req.sessionID`). A view replaced by `regenerate()` keeps the id it had.
   */
  readonly id: string;
  /** The session cookie: attributes to read, `maxAge`/`expires` to choose a persistent cookie. */
  readonly cookie: ExpressSessionCookie;
  /**
   * A new id and EMPTY data, as express-session does and Passport expects at login and logout.
   * Afterwards `req.session` is a new view object; one taken before keeps showing the old data
   * (Passport's `keepSessionInfo` merges it back), and writing to it throws, since the write would
   * be lost. To keep the data under the new id, use `sessionOf(req.session).regenerate()`.
   * A session logged out meanwhile stays logged out: the new id starts empty all the same.
   * @throws {SessionStoreUnavailableError} the store failed (503); the session is unchanged
   */
  regenerate(): Promise<void>;
  regenerate(callback: CompletionCallback): this;
  /**
   * Writes what changed now and sets the cookie (`session.commit()`). The adapter commits before
   * the response anyway; Passport calls this before its redirect. Unlike express-session, an
   * unchanged session is not written again.
   * @throws {SessionStoreUnavailableError} the store failed (503)
   */
  save(): Promise<void>;
  save(callback: CompletionCallback): this;
  /**
   * Deletes the session in the store now; the response clears the cookie. The data is gone and
   * later writes in this request are dropped (express-session removed `req.session` instead).
   * @throws {SessionStoreUnavailableError} the store failed (503)
   */
  destroy(): Promise<void>;
  destroy(callback: CompletionCallback): this;
  /**
   * Reads the session again from the store, dropping this request's unsaved changes.
   * @throws {SessionGoneError} the session ended meanwhile (409)
   * @throws {SessionStoreUnavailableError} the store failed (503)
   */
  reload(): Promise<void>;
  reload(callback: CompletionCallback): this;
  /** Slides the expiry and re-sends a persistent cookie, even if nothing changed (`session.touch()`). */
  touch(): this;
  /** The same as {@link ExpressSessionMembers.touch}: the persistent cookie's lifetime starts again. */
  resetMaxAge(): this;
}

/**
 * The view when the session data is not typed (`SessionData` not augmented): any key reads and
 * writes `any`, so `req.session.passport.user` and `req.session.views++` compile as they did with
 * untyped express-session code.
 */
export interface OpenExpressSessionView extends ExpressSessionMembers {
  // biome-ignore lint/suspicious/noExplicitAny: untyped data, as express-session typed it
  [key: string]: any;
}

/**
 * `req.session` of an app that opted into the express-session view: express-session's members,
 * and the data keys of `T` as optional properties, minus the names the view answers itself
 * ({@link ExpressSessionMember}). With `SessionData` not augmented, {@link OpenExpressSessionView}.
 */
export type ExpressSessionView<T extends object = DefaultSessionData> = string extends keyof T
  ? OpenExpressSessionView
  : ExpressSessionMembers & Omit<Partial<T>, ExpressSessionMember>;

/** What the view needs from the session options: pass the manager's `options`. */
export type ExpressSessionViewOptions = Pick<ResolvedSessionOptions, 'idleTimeoutMs' | 'now' | 'cookie'>;

/**
 * The object the view lives on (Express: `req`). `regenerate()` puts its new view in `session`,
 * as express-session's regenerate replaces `req.session`; `secure` resolves `cookie.secure: 'auto'`.
 */
export interface ExpressSessionHost {
  /** Where the current view is read from; `regenerate()` assigns its replacement here. */
  session: unknown;
  /** Whether the request arrived over HTTPS (after trust proxy), for `cookie.secure: 'auto'`. */
  readonly secure: boolean;
}

/** What one view object shows: the session's data while current, a copy once `regenerate()` replaced it. */
interface ViewState {
  data: Record<string, unknown>;
  /** The id the view had when `regenerate()` replaced it; undefined while current. */
  replacedId: string | undefined;
}

function memberError(key: string): SessionArgumentError {
  return new SessionArgumentError(
    `sessionkit: "${key}" is a member of the express-session view (req.session.${key}), not a data key; data ` +
      `under that name is reached with sessionOf(req.session).data["${key}"].`,
  );
}

/** A copy of the data the view shows, for `console.log`. */
function plainCopy(data: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of visibleKeys(data, MEMBERS)) copy[key] = data[key];
  return copy;
}

/**
 * The promise of a call made without a callback, marked as handled: code that never awaits it (a
 * bare `req.session.save()`, common with express-session) must not crash the process on a store
 * failure. The failure is not lost: the session remembers it and the commit before the response
 * reports it (a 503). A caller that awaits still gets the rejection.
 */
function handled(promise: Promise<void>): Promise<void> {
  promise.catch(() => undefined);
  return promise;
}

/**
 * Builds the express-session view of a session. Adapters call it once per request of an app that
 * opted in and make `host.session` return it; `regenerate()` assigns its replacement there.
 *
 * @param session - the request's session
 * @param options - the manager's options (`manager.options`)
 * @param host - the request: where `regenerate()` puts the new view, and whether it came over HTTPS
 */
export function createExpressSessionView<T extends object = DefaultSessionData>(
  session: Session<T>,
  options: ExpressSessionViewOptions,
  host: ExpressSessionHost,
): ExpressSessionView<T> {
  // The one data object the session commits from; current views read and write it, never a copy.
  const live = session.data as Record<string, unknown>;
  let current: ViewState = { data: live, replacedId: undefined };
  let view: ExpressSessionView<T>;
  let cookie: ExpressSessionCookie | undefined;

  const assertCurrent = (state: ViewState, key: string): void => {
    if (state.replacedId === undefined) return;
    throw new SessionArgumentError(
      `sessionkit: this req.session was replaced by regenerate(), so writing "${key}" to it would be lost; ` +
        'read req.session again after regenerate().',
    );
  };
  const write = (state: ViewState, key: string, value: unknown): void => {
    if (MEMBERS.has(key)) throw memberError(key);
    if (key === '__proto__') throw new SessionArgumentError('sessionkit: "__proto__" cannot be a session key.');
    assertCurrent(state, key);
    state.data[key] = value;
  };

  // Members act on the session, whichever view they are called on (a replaced one included), and
  // return the current view where express-session returns `this`.
  const settle = (start: () => Promise<void>, callback: CompletionCallback | undefined | null) => {
    // null too: express-session took any falsy value for "no callback".
    const withCallback = callback !== undefined && callback !== null;
    if (withCallback && typeof callback !== 'function') {
      throw new SessionArgumentError('sessionkit: the callback of a req.session method must be a function.');
    }
    const promise = start();
    if (!withCallback) return handled(promise);
    callbackOrPromise(promise, callback);
    return view;
  };
  const replace = async (): Promise<void> => {
    const replaced = current;
    const id = session.id;
    // On failure (the store failed: 503) nothing is replaced and the session is unchanged.
    replaced.data = await regenerateEmpty(session as Session<object>);
    replaced.replacedId = id;
    current = { data: live, replacedId: undefined };
    view = createView(current);
    host.session = view;
  };
  const members = {
    regenerate: (callback?: CompletionCallback) => settle(replace, callback),
    save: (callback?: CompletionCallback) => settle(() => session.commit(), callback),
    destroy: (callback?: CompletionCallback) => settle(() => session.destroy(), callback),
    reload: (callback?: CompletionCallback) => settle(() => session.reload(), callback),
    touch: () => {
      session.touch();
      return view;
    },
    resetMaxAge: () => members.touch(),
  };

  function createView(state: ViewState): ExpressSessionView<T> {
    // The target only holds symbol-keyed properties other libraries may set; data never goes there.
    const handler: ProxyHandler<object> = {
      get(target, key, receiver) {
        if (typeof key === 'symbol') {
          if (key === VIEW_SESSION) return session;
          if (key === INSPECT) return () => plainCopy(state.data);
          return Reflect.get(target, key, receiver);
        }
        switch (key) {
          case 'id':
            return state.replacedId ?? session.id;
          case 'cookie':
            return (cookie ??= createCookie(session, options, host));
          case 'regenerate':
          case 'save':
          case 'destroy':
          case 'reload':
          case 'touch':
          case 'resetMaxAge':
            return members[key];
        }
        if (Object.hasOwn(state.data, key)) return state.data[key];
        // hasOwnProperty, toString, ...: code written for express-session's plain object calls them.
        return Reflect.get(Object.prototype, key, receiver);
      },
      // Data keys are own, enumerable properties, so for...in, Object.keys, spread, JSON and
      // Passport's merge(req.session, prevSession) see the data, and only the data.
      ...dataTraps(
        state,
        MEMBERS,
        memberError,
        (key) => assertCurrent(state, key),
        (key, value) => write(state, key, value),
      ),
      // Data keys are reported as own properties of an extensible target; a frozen one could not.
      preventExtensions: () => false,
      setPrototypeOf: () => false,
    };
    return new Proxy({}, handler) as ExpressSessionView<T>;
  }

  view = createView(current);
  return view;
}

/** Throws unless `value` equals what the session options set for every session. */
function assertUnchanged(name: string, value: unknown, fixed: unknown): void {
  if (value === fixed) return;
  throw new SessionArgumentError(
    `sessionkit: cookie.${name} is set for every session in the session options (cookie.${name}); it cannot ` +
      'change per request. Only cookie.maxAge and cookie.expires can (a persistent or a browser-session cookie).',
  );
}

/**
 * Takes a `maxAge` in ms (or an `expires` date, as `until`) and makes the cookie persistent or not.
 * Zero and negative values are refused rather than mapped: express-session would send an expired
 * cookie, which only hides a session that goes on living in the store.
 */
function choosePersistence(session: Session<object>, name: string, value: unknown, now: number): void {
  if (value === null || value === undefined || value === false) {
    session.persist(false);
    return;
  }
  const ms = value instanceof Date ? value.getTime() - now : typeof value === 'number' ? value : Number.NaN;
  if (!(ms > 0)) {
    throw new SessionArgumentError(
      `sessionkit: cookie.${name} takes ${name === 'expires' ? 'a future Date' : 'a positive number of ms'} (a ` +
        `persistent cookie) or null (a browser-session cookie); got ${String(value)}. To end the session, call ` +
        'req.session.destroy().',
    );
  }
  session.persist(true);
}

function createCookie(
  session: Session<object>,
  options: ExpressSessionViewOptions,
  host: ExpressSessionHost,
): ExpressSessionCookie {
  const attributes = options.cookie;
  const leftMs = (): number | null => session.cookieLifetimeMs ?? null;
  const secure = (): boolean => (attributes.secure === 'auto' ? host.secure : attributes.secure);
  // Declared setters of the readonly attributes throw a sentence instead of the bare TypeError of
  // a getter-only property; the literal's getters and setters differ in type, hence the one cast.
  const cookie = {
    get maxAge(): number | null {
      return leftMs();
    },
    set maxAge(value: number | Date | null | undefined | false) {
      choosePersistence(session, value instanceof Date ? 'expires' : 'maxAge', value, options.now());
    },
    get expires(): Date | null {
      const left = leftMs();
      return left === null ? null : new Date(options.now() + left);
    },
    set expires(value: Date | null | undefined | false) {
      choosePersistence(session, 'expires', value, options.now());
    },
    get originalMaxAge(): number | null {
      return session.isPersistent ? options.idleTimeoutMs : null;
    },
    get httpOnly(): boolean {
      return attributes.httpOnly;
    },
    set httpOnly(value: unknown) {
      assertUnchanged('httpOnly', value, attributes.httpOnly);
    },
    get secure(): boolean {
      return secure();
    },
    set secure(value: unknown) {
      assertUnchanged('secure', value, secure());
    },
    get path(): string {
      return attributes.path;
    },
    set path(value: unknown) {
      assertUnchanged('path', value, attributes.path);
    },
    get domain(): string | undefined {
      return attributes.domain;
    },
    set domain(value: unknown) {
      assertUnchanged('domain', value, attributes.domain);
    },
    get sameSite(): 'lax' | 'strict' | 'none' {
      return attributes.sameSite;
    },
    set sameSite(value: unknown) {
      assertUnchanged('sameSite', value, attributes.sameSite);
    },
    get partitioned(): boolean {
      return attributes.partitioned;
    },
    set partitioned(value: unknown) {
      assertUnchanged('partitioned', value, attributes.partitioned);
    },
    get priority(): 'low' | 'medium' | 'high' | undefined {
      return attributes.priority;
    },
    set priority(value: unknown) {
      assertUnchanged('priority', value, attributes.priority);
    },
    toJSON(): Record<string, unknown> {
      return {
        maxAge: leftMs(),
        expires: cookie.expires,
        originalMaxAge: cookie.originalMaxAge,
        httpOnly: attributes.httpOnly,
        secure: secure(),
        path: attributes.path,
        domain: attributes.domain,
        sameSite: attributes.sameSite,
        partitioned: attributes.partitioned,
        priority: attributes.priority,
      };
    },
  };
  return cookie as ExpressSessionCookie;
}
