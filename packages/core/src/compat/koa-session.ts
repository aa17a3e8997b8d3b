/**
 * A view of a sessionkit `Session` shaped like koa-session's `ctx.session`: data keys are
 * properties (`ctx.session.views++`, `ctx.session.passport`), beside koa-session's members
 * (`isNew`, `maxAge`, `length`, `populated`, `save()`, `regenerate()`, `manuallyCommit()`, ...).
 * That is what koa-passport and middleware written for koa-session use.
 *
 * The view is a Proxy over the session's own `data` object, never a copy: what the app writes
 * through it is what the commit diffs, so only the changed keys are written, concurrent requests
 * writing different keys all survive, and a write after a logout is dropped, never resurrecting
 * the session. `@sessionkit/koa` builds it with `session(options, { compat: 'koa-session' })`.
 *
 * @module
 */
import { SessionArgumentError } from '../errors.js';
import { destroyAtCommit } from '../session.js';
import type { Session } from '../session-types.js';
import type { DefaultSessionData, NumericKeys } from '../types.js';
import { dataTraps, INSPECT, visibleKeys } from './data-view.js';
import { callbackOrPromise, type CompletionCallback, regenerateEmpty, VIEW_SESSION } from './passport-support.js';

export { sessionOf } from './passport-support.js';
export type { CompletionCallback } from './passport-support.js';

/**
 * The names the koa-session view answers itself. Data stored under one of them is not visible
 * through the view (nor in `toJSON()`, `Object.keys` or `length`), and assigning one through the
 * view throws, except `maxAge`, which is koa-session's setter; reach such data with
 * `sessionOf(ctx.session).data`.
 */
export type KoaSessionMember =
  | 'isNew'
  | 'maxAge'
  | 'externalKey'
  | 'length'
  | 'populated'
  | 'save'
  | 'regenerate'
  | 'manuallyCommit'
  | 'toJSON'
  | 'increment';

const MEMBERS: ReadonlySet<string> = new Set<KoaSessionMember>([
  'isNew',
  'maxAge',
  'externalKey',
  'length',
  'populated',
  'save',
  'regenerate',
  'manuallyCommit',
  'toJSON',
  'increment',
]);

/** koa-session's members, as the view implements them on a sessionkit session. */
export interface KoaSessionMembers<T extends object = DefaultSessionData> {
  /** True when the request came without a live session (koa-session: no session data was loaded). */
  readonly isNew: boolean;
  /**
   * `'session'` for a browser-session cookie, else the persistent cookie's lifetime from now in ms:
   * the idle timeout, capped by the absolute deadline.
   */
  get maxAge(): number | 'session';
  /**
   * A positive number makes the cookie persistent (`session.persist(true)`, "remember me");
   * `'session'`, `null` or `undefined` make it a browser-session cookie. The number itself is not
   * the lifetime: the server's `idleTimeoutMs` and `absoluteTimeoutMs` are, so that the cookie
   * never outlives the session it names.
   * @throws {SessionArgumentError} any other value (0 and negative numbers included)
   */
  set maxAge(value: number | 'session' | null | undefined);
  /** The session id (koa-session: the store key). */
  readonly externalKey: string;
  /** How many data keys the session holds. */
  readonly length: number;
  /** Whether the session holds any data. */
  readonly populated: boolean;
  /**
   * Saves now (koa-session: "no matter whether it is populated"): writes what changed, slides the
   * expiry and sets the cookie. A new session with no data is still not stored: there is nothing to
   * keep. With a callback, returns nothing and calls it when done, as Passport expects.
   * @throws {SessionStoreUnavailableError} the store failed (503)
   */
  save(): Promise<void>;
  save(callback: CompletionCallback): void;
  /**
   * A new id and EMPTY data, as Passport expects at login and logout (express-session's meaning;
   * koa-session's own `regenerate` kept the data). Afterwards `ctx.session` is a new view object;
   * one taken before keeps showing the old data (Passport's `keepSessionInfo` merges it back), and
   * writing to it throws, since the write would be lost. To keep the data under the new id, use
   * `sessionOf(ctx.session).regenerate()`. A session logged out meanwhile stays logged out: the
   * new id starts empty all the same, and the old view is emptied too, so nothing is merged back.
   * @throws {SessionStoreUnavailableError} the store failed (503); the session is unchanged
   */
  regenerate(): Promise<void>;
  regenerate(callback: CompletionCallback): void;
  /**
   * Commits now (`session.commit()`). The adapter always commits before the response; call this
   * before streaming a response, as with koa-session's `autoCommit: false`.
   */
  manuallyCommit(): Promise<void>;
  /** A shallow copy of the data. */
  toJSON(): Record<string, unknown>;
  /**
   * Adds `by` (default 1) to a numeric key atomically in the store (`session.increment`): exact
   * under any number of concurrent requests, which `ctx.session.views++` is not.
   * @throws {SessionGoneError} the session was logged out meanwhile (409)
   * @throws {SessionStoreUnavailableError} the store failed (503)
   */
  increment(key: NumericKeys<T>, by?: number): Promise<number>;
}

/**
 * The view when the session data is not typed (`SessionData` not augmented): any key reads and
 * writes `any`, as with koa-session, so `ctx.session.views++` and `ctx.session.passport.user`
 * compile as they did.
 */
export interface OpenKoaSessionView<T extends object = DefaultSessionData> extends KoaSessionMembers<T> {
  // biome-ignore lint/suspicious/noExplicitAny: koa-session's own typing of untyped data
  [key: string]: any;
}

/**
 * `ctx.session` of an app that opted into the koa-session view: koa-session's members, and the
 * data keys of `T` as optional properties, minus the names the view answers itself
 * ({@link KoaSessionMember}).
 */
export type KoaSessionView<T extends object = DefaultSessionData> = string extends keyof T
  ? OpenKoaSessionView<T>
  : KoaSessionMembers<T> & Omit<Partial<T>, KoaSessionMember>;

/** What `ctx.session = value` accepts besides `null`: the new data. */
export type KoaSessionInput<T extends object = DefaultSessionData> = string extends keyof T
  ? Record<string, unknown>
  : Omit<Partial<T>, KoaSessionMember>;

/** The koa-session view of one request's session, as an adapter attaches it. */
export interface KoaSessionBinding<T extends object = DefaultSessionData> {
  /** What `ctx.session` returns now: a new object after each `regenerate()`. */
  readonly view: KoaSessionView<T>;
  /**
   * What `ctx.session = value` does, as with koa-session: `null` (or `undefined`) logs out (the
   * data is gone at once, the session is destroyed and the commit clears the cookie); an object
   * replaces the data: its keys are written and the keys it lacks are deleted from the store.
   * Assigning the view to itself does nothing.
   * @throws {SessionArgumentError} a value that is neither null nor an object, or a key the view answers itself
   */
  assign(value: KoaSessionView<T> | KoaSessionInput<T> | null | undefined): void;
}

/** What one view object shows: the session's data while current, a copy once `regenerate()` replaced it. */
interface ViewState {
  data: Record<string, unknown>;
  replaced: boolean;
}

function memberError(key: string): SessionArgumentError {
  return new SessionArgumentError(
    `sessionkit: "${key}" is a member of the koa-session view, not a data key; data under that name is reached ` +
      `with sessionOf(ctx.session).data["${key}"].`,
  );
}

/**
 * Builds the koa-session view of a session. Adapters call it once per request of an app that
 * opted in; `binding.view` is what `ctx.session` returns, `binding.assign` what `ctx.session = x` does.
 *
 * @param session - the request's session
 */
export function bindKoaSession<T extends object = DefaultSessionData>(session: Session<T>): KoaSessionBinding<T> {
  // The one data object the session commits from; views read and write it, never a copy.
  const live = session.data as Record<string, unknown>;
  let current: ViewState = { data: live, replaced: false };

  const maxAge = (): number | 'session' => session.cookieLifetimeMs ?? 'session';
  const setMaxAge = (value: unknown): void => {
    if (value === 'session' || value === null || value === undefined) session.persist(false);
    else if (typeof value === 'number' && value > 0) session.persist(true);
    else {
      throw new SessionArgumentError(
        `sessionkit: maxAge takes a positive number (a persistent cookie) or 'session'; got ${String(value)}. ` +
          'To log out, assign ctx.session = null.',
      );
    }
  };
  const assertCurrent = (state: ViewState, key: string): void => {
    if (!state.replaced) return;
    throw new SessionArgumentError(
      `sessionkit: this ctx.session was replaced by regenerate(), so writing "${key}" to it would be lost; ` +
        'read ctx.session again after regenerate().',
    );
  };
  const write = (state: ViewState, key: string, value: unknown): void => {
    if (key === 'maxAge') {
      setMaxAge(value);
      return;
    }
    if (MEMBERS.has(key)) throw memberError(key);
    if (key === '__proto__') throw new SessionArgumentError('sessionkit: "__proto__" cannot be a session key.');
    assertCurrent(state, key);
    state.data[key] = value;
  };

  // Members act on the session, whichever view they are called on (a replaced one included).
  const save = (callback?: CompletionCallback): Promise<void> | undefined => {
    session.touch();
    return callbackOrPromise(session.commit(), callback);
  };
  const replace = async (): Promise<void> => {
    const replaced = current;
    // On failure nothing is replaced: the store kept the session (503), or it is gone and empty (409).
    replaced.data = await regenerateEmpty(session as Session<object>);
    replaced.replaced = true;
    current = { data: live, replaced: false };
    binding.view = createView(current);
  };
  const regenerate = (callback?: CompletionCallback): Promise<void> | undefined =>
    callbackOrPromise(replace(), callback);
  const manuallyCommit = (): Promise<void> => session.commit();
  const increment = (key: NumericKeys<T>, by?: number): Promise<number> => session.increment(key, by);

  function createView(state: ViewState): KoaSessionView<T> {
    const toJSON = (): Record<string, unknown> => {
      const copy: Record<string, unknown> = {};
      for (const key of visibleKeys(state.data, MEMBERS)) copy[key] = state.data[key];
      return copy;
    };
    // The target only holds symbol-keyed properties other libraries may set; data never goes there.
    const handler: ProxyHandler<object> = {
      get(target, key, receiver) {
        if (typeof key === 'symbol') {
          if (key === VIEW_SESSION) return session;
          if (key === INSPECT) return toJSON;
          return Reflect.get(target, key, receiver);
        }
        switch (key) {
          case 'isNew':
            return session.isNew;
          case 'maxAge':
            return maxAge();
          case 'externalKey':
            return session.id;
          case 'length':
            return visibleKeys(state.data, MEMBERS).length;
          case 'populated':
            return visibleKeys(state.data, MEMBERS).length > 0;
          case 'save':
            return save;
          case 'regenerate':
            return regenerate;
          case 'manuallyCommit':
            return manuallyCommit;
          case 'toJSON':
            return toJSON;
          case 'increment':
            return increment;
        }
        if (Object.hasOwn(state.data, key)) return state.data[key];
        // hasOwnProperty, toString, ...: code written for koa-session's plain object calls them.
        return Reflect.get(Object.prototype, key, receiver);
      },
      // Data keys are own, enumerable properties, so for...in, Object.keys, spread and Passport's
      // merge(req.session, prevSession) see the data; members are not enumerated, as on koa-session.
      ...dataTraps(
        state,
        MEMBERS,
        memberError,
        (key) => assertCurrent(state, key),
        (key, value) => write(state, key, value),
      ),
    };
    return new Proxy({}, handler) as KoaSessionView<T>;
  }

  const binding = {
    view: createView(current),
    assign(value: unknown): void {
      if (value === null || value === undefined) {
        // Gone for the rest of this request at once, as koa-session's `ctx.session = null`.
        for (const key of Object.keys(live)) delete live[key];
        destroyAtCommit(session as Session<object>);
        return;
      }
      if (value === binding.view) return;
      if (typeof value !== 'object') {
        throw new SessionArgumentError(
          'sessionkit: ctx.session can only be set to null (log out) or an object (the new data).',
        );
      }
      // Read the new data first: it may be a view over the very data about to be cleared.
      const entries = Object.entries(value);
      for (const [key] of entries) if (MEMBERS.has(key) && key !== 'maxAge') throw memberError(key);
      const next = new Set(entries.map(([key]) => key));
      for (const key of visibleKeys(live, MEMBERS)) if (!next.has(key)) delete live[key];
      for (const [key, entry] of entries) write(current, key, entry);
    },
  } satisfies { view: KoaSessionView<T>; assign(value: unknown): void };
  return binding;
}
