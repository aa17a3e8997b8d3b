/**
 * A view of a sessionkit session shaped like `request.session` of @fastify/session and
 * @fastify/secure-session, for the Fastify plugins written against them: @fastify/passport
 * (`get`, `set`, `regenerate(fields)`, `data()`), @fastify/flash (`get`, `set`) and
 * @fastify/csrf-protection (data keys as properties with `sessionPlugin: '@fastify/session'`;
 * `get`, `set`, `options` with `'@fastify/secure-session'`).
 *
 * The view holds no data of its own: every read and write goes to the very `session.data` object of
 * the sessionkit session, so the commit still writes only the keys that changed, `increment` stays
 * atomic, and a write after a logout (here or in a concurrent request) is still never stored.
 *
 * @module
 */
import { isSessionError, SessionArgumentError } from '../errors.js';
import type { ResolvedSessionOptions } from '../options.js';
import { destroyAtCommit, type Session } from '../session.js';
import type { DefaultSessionData, NumericKeys } from '../types.js';
import { callbackOrPromise, type CompletionCallback, VIEW_SESSION } from './passport-support.js';

// The same bindings as the other views re-export, so `export *` of all of them is not ambiguous.
export { sessionOf } from './passport-support.js';
export type { CompletionCallback } from './passport-support.js';

/**
 * The names the view keeps for its own members. A data key with one of these names is not a
 * property of the view: reach it with `get(key)` and `set(key, value)`, which take any key.
 */
export const FASTIFY_SESSION_VIEW_MEMBERS = [
  'cookie',
  'data',
  'delete',
  'deleted',
  'destroy',
  'get',
  'increment',
  'options',
  'regenerate',
  'reload',
  'save',
  'sessionId',
  'set',
  'touch',
] as const;

/** One of {@link FASTIFY_SESSION_VIEW_MEMBERS}. */
export type FastifySessionViewMember = (typeof FASTIFY_SESSION_VIEW_MEMBERS)[number];

/**
 * `view.cookie`: what @fastify/session code reads and writes on the session cookie. Only the
 * lifetime is per session: setting `maxAge`, `originalMaxAge` or `expires` makes the cookie
 * persistent (`session.persist(true)`) and `null` makes it a browser-session cookie. The value
 * given is not the lifetime: a persistent cookie lives for the server's idle timeout, capped by the
 * absolute deadline, and is renewed on every request, so cookie and server-side expiry always agree.
 * The other attributes come from the session options and are read-only here.
 */
export interface FastifySessionCookie {
  /** Milliseconds until a persistent cookie expires, `null` for a browser-session cookie. */
  get maxAge(): number | null;
  set maxAge(value: number | null | undefined);
  /** The idle timeout for a persistent cookie, `null` for a browser-session cookie. */
  get originalMaxAge(): number | null;
  set originalMaxAge(value: number | null | undefined);
  /** When a persistent cookie expires, `null` for a browser-session cookie. */
  get expires(): Date | null;
  set expires(value: Date | null | undefined);
  readonly path: string;
  readonly domain: string | undefined;
  readonly secure: boolean | 'auto';
  readonly httpOnly: boolean;
  readonly sameSite: 'lax' | 'strict' | 'none';
}

/**
 * What `view.options(...)` reads: `maxAge` and `expires`, as on {@link FastifySessionCookie}.
 * Other cookie attributes are accepted and ignored (they are fixed by the session options), so
 * @fastify/csrf-protection, which passes `generateCsrf`'s options along, keeps working.
 */
export interface FastifySessionCookieOptions {
  readonly maxAge?: number | null | undefined;
  readonly expires?: Date | null | undefined;
  readonly [attribute: string]: unknown;
}

/** The members of a {@link FastifySessionView}. */
export interface FastifySessionViewMembers<T extends object = DefaultSessionData> {
  /** Reads a data key (any key, including one named like a member). */
  get<K extends keyof T & string>(key: K): T[K] | undefined;
  /** Writes a data key (any key); `undefined` deletes it. */
  set<K extends keyof T & string>(key: K, value: T[K] | undefined): void;
  /**
   * @fastify/secure-session's `data()`: a shallow copy of the data. A copy, as there, because
   * @fastify/passport relies on it: it reads `data()`, regenerates, then writes the copy back.
   */
  data(): Partial<T>;
  /**
   * @fastify/session's `regenerate`: a new session id, the old one dead, the data emptied except
   * `ignoreFields` (@fastify/passport passes its own key at login), and no sessionkit user id (call
   * `sessionOf(view).setUserId` again). `regenerate(fields)` moves the session, so its absolute
   * deadline stays (as with `session.regenerate()`); `regenerate()` starts a new, empty session,
   * whose deadline starts when it is saved.
   *
   * If the session ended meanwhile (a logout in a concurrent request), nothing of it survives, not
   * even `ignoreFields`, and the call still resolves, with a new, empty session, as
   * `session.regenerate({ keepData: false })` does: a login racing a logout still logs in, and a
   * logout racing a logout still answers.
   */
  regenerate(ignoreFields?: readonly string[]): Promise<void>;
  regenerate(callback: CompletionCallback): void;
  regenerate(ignoreFields: readonly string[], callback: CompletionCallback): void;
  /** @fastify/session's logout: deletes the session in the store now; the commit clears the cookie. */
  destroy(): Promise<void>;
  destroy(callback: CompletionCallback): void;
  /**
   * @fastify/secure-session's logout, synchronous: the session is destroyed now and the commit
   * that goes with the response waits for it and reports its failure (`destroyAtCommit`).
   */
  delete(): void;
  /** True once `delete()` or `destroy()` was called, or the session ended meanwhile. */
  readonly deleted: boolean;
  /** Reads the session again from the store, dropping this request's unsaved changes. */
  reload(): Promise<void>;
  reload(callback: CompletionCallback): void;
  /** Commits now (what changed, and the cookie); the commit at the response writes only what changes after. */
  save(): Promise<void>;
  save(callback: CompletionCallback): void;
  /** Slides the expiry and renews a persistent cookie although nothing changed. */
  touch(): void;
  /** Sets the cookie's lifetime for this session; see {@link FastifySessionCookieOptions}. */
  options(options: FastifySessionCookieOptions): void;
  /**
   * `session.increment`: adds `by` to a numeric key atomically in the store and resolves the new
   * value. The rest of the sessionkit session (`setUserId`, `persist`, `isNew`...) is `sessionOf(view)`.
   */
  increment(key: NumericKeys<T>, by?: number): Promise<number>;
  /** The session id (`session.id`). */
  readonly sessionId: string;
  /** The session cookie's lifetime and attributes; see {@link FastifySessionCookie}. */
  readonly cookie: FastifySessionCookie;
}

/**
 * `request.session` shaped like @fastify/session's (and @fastify/secure-session's): the members,
 * and the data keys as properties (`request.session.user`), except keys named like a member, which
 * the type leaves out: use `get` and `set` for those.
 */
export type FastifySessionView<T extends object = DefaultSessionData> = FastifySessionViewMembers<T> &
  Partial<Omit<T, FastifySessionViewMember>>;

/** What the view needs from the manager: the cookie attributes and the idle timeout it reports. */
export type FastifySessionViewOptions = Pick<ResolvedSessionOptions, 'cookie' | 'idleTimeoutMs' | 'now'>;

const STATE = Symbol('sessionkit.fastifySessionView');
const MEMBERS: ReadonlySet<string> = new Set(FASTIFY_SESSION_VIEW_MEMBERS);

interface ViewState {
  readonly session: Session<Record<string, unknown>>;
  readonly options: FastifySessionViewOptions;
  cookie: FastifySessionCookie | undefined;
  /** `delete()` was called: the destroy it started may still be running. */
  deleteRequested: boolean;
}

interface Target {
  [STATE]: ViewState;
}

/** The view behind `this`; a method detached from its view (`const { get } = view`) has none. */
function stateOf(view: object): ViewState {
  const state = (view as Partial<Target>)[STATE];
  if (state === undefined) {
    throw new SessionArgumentError(
      'sessionkit: a session view method was called on something that is not a view; ' +
        'call it as request.session.method().',
    );
  }
  return state;
}

function writeKey(data: Record<string, unknown>, key: string, value: unknown): void {
  // A plain object's `__proto__` is its prototype, not a key: writing it would change what every key reads.
  if (key === '__proto__') throw new SessionArgumentError("sessionkit: '__proto__' cannot be a session key.");
  if (value === undefined) delete data[key];
  else data[key] = value;
}

/** @fastify/session's regenerate: a new id and only `fields` of the data; see {@link FastifySessionViewMembers}. */
async function regenerateKeeping(
  session: Session<Record<string, unknown>>,
  fields: readonly string[] | undefined,
): Promise<void> {
  if (fields === undefined) {
    await session.regenerate({ keepData: false });
    return;
  }
  try {
    // Moving the session (rather than copying fields into a new one) is what makes "it was still
    // alive" and "the fields come along" one atomic fact: a copy would carry data past a logout.
    await session.regenerate({ keepData: true });
  } catch (error) {
    if (!isSessionError(error, 'GONE')) throw error;
    // Ended meanwhile: its data is already dropped; a new, empty session in its place (no store call).
    await session.regenerate({ keepData: false });
    return;
  }
  const data = session.data;
  for (const key of Object.keys(data)) {
    if (!fields.includes(key)) delete data[key];
  }
  session.setUserId(undefined);
}

/** Whether a lifetime given through the cookie means persistent (true) or browser-session (false). */
function persistenceOf(name: 'maxAge' | 'originalMaxAge' | 'expires', value: unknown, nowMs: number): boolean {
  if (value === null || value === undefined) return false;
  if (name !== 'expires' && typeof value === 'number' && Number.isFinite(value) && value > 0) return true;
  if (name === 'expires' && value instanceof Date && value.getTime() > nowMs) return true;
  throw new SessionArgumentError(
    `sessionkit: cookie.${name} takes ${name === 'expires' ? 'a future Date' : 'a positive number of milliseconds'} ` +
      '(a persistent cookie, which lives for the idle timeout of the session options) or null (a browser-session ' +
      'cookie). To end the session, call destroy().',
  );
}

function fixedAttribute(name: string): never {
  throw new SessionArgumentError(
    `sessionkit: cookie.${name} is set once for all sessions, in the session options (cookie.${name}), ` +
      'not per request.',
  );
}

function createCookie({ session, options }: ViewState): FastifySessionCookie {
  return {
    get maxAge() {
      return session.cookieLifetimeMs ?? null;
    },
    set maxAge(value) {
      session.persist(persistenceOf('maxAge', value, options.now()));
    },
    get originalMaxAge() {
      return session.isPersistent ? options.idleTimeoutMs : null;
    },
    set originalMaxAge(value) {
      session.persist(persistenceOf('originalMaxAge', value, options.now()));
    },
    get expires() {
      const lifetimeMs = session.cookieLifetimeMs;
      return lifetimeMs === undefined ? null : new Date(options.now() + lifetimeMs);
    },
    set expires(value) {
      session.persist(persistenceOf('expires', value, options.now()));
    },
    get path() {
      return options.cookie.path;
    },
    set path(_value) {
      fixedAttribute('path');
    },
    get domain() {
      return options.cookie.domain;
    },
    set domain(_value) {
      fixedAttribute('domain');
    },
    get secure() {
      return options.cookie.secure;
    },
    set secure(_value) {
      fixedAttribute('secure');
    },
    get httpOnly() {
      return options.cookie.httpOnly;
    },
    set httpOnly(_value) {
      fixedAttribute('httpOnly');
    },
    get sameSite() {
      return options.cookie.sameSite;
    },
    set sameSite(_value) {
      fixedAttribute('sameSite');
    },
  };
}

/**
 * The prototype of every view's target: one set of functions for all requests (a view per request
 * costs an object and a Proxy, not a closure per method). `this` is the view.
 */
const members = {
  get(key: string): unknown {
    const data = stateOf(this).session.data;
    return Object.hasOwn(data, key) ? data[key] : undefined;
  },
  set(key: string, value: unknown): void {
    writeKey(stateOf(this).session.data, key, value);
  },
  data(): Record<string, unknown> {
    return { ...stateOf(this).session.data };
  },
  regenerate(
    fieldsOrCallback?: readonly string[] | CompletionCallback,
    callback?: CompletionCallback,
  ): Promise<void> | undefined {
    const { session } = stateOf(this);
    if (typeof fieldsOrCallback === 'function') {
      return callbackOrPromise(regenerateKeeping(session, undefined), fieldsOrCallback);
    }
    return callbackOrPromise(regenerateKeeping(session, fieldsOrCallback), callback);
  },
  destroy(callback?: CompletionCallback): Promise<void> | undefined {
    return callbackOrPromise(stateOf(this).session.destroy(), callback);
  },
  delete(): void {
    const state = stateOf(this);
    state.deleteRequested = true;
    destroyAtCommit(state.session);
  },
  get deleted(): boolean {
    const state = stateOf(this);
    return state.deleteRequested || state.session.isDestroyed;
  },
  reload(callback?: CompletionCallback): Promise<void> | undefined {
    return callbackOrPromise(stateOf(this).session.reload(), callback);
  },
  save(callback?: CompletionCallback): Promise<void> | undefined {
    return callbackOrPromise(stateOf(this).session.commit(), callback);
  },
  touch(): void {
    stateOf(this).session.touch();
  },
  options(options: FastifySessionCookieOptions): void {
    const cookie = cookieOf(stateOf(this));
    if ('maxAge' in options) cookie.maxAge = options.maxAge;
    if ('expires' in options) cookie.expires = options.expires;
  },
  increment(key: string, by?: number): Promise<number> {
    return stateOf(this).session.increment(key, by);
  },
  get sessionId(): string {
    return stateOf(this).session.id;
  },
  get cookie(): FastifySessionCookie {
    return cookieOf(stateOf(this));
  },
  // What sessionOf(view) reads, for every view of @sessionkit/core/compat.
  get [VIEW_SESSION](): Session<object> {
    return stateOf(this).session;
  },
  // console.log(request.session) shows the data (Node inspects a Proxy's target, which holds none).
  [Symbol.for('nodejs.util.inspect.custom')](): Record<string, unknown> {
    return { ...stateOf(this).session.data };
  },
};

function cookieOf(state: ViewState): FastifySessionCookie {
  return (state.cookie ??= createCookie(state));
}

const isDataKey = (key: string | symbol): key is string => typeof key === 'string' && !MEMBERS.has(key);

/** Data keys read and write `session.data`; members and symbols go to the target (whose prototype is `members`). */
const handler: ProxyHandler<Target> = {
  get(target, key, receiver) {
    if (isDataKey(key)) {
      const data = target[STATE].session.data;
      if (Object.hasOwn(data, key)) return data[key];
    }
    return Reflect.get(target, key, receiver);
  },
  set(target, key, value) {
    if (typeof key === 'symbol') return false;
    if (MEMBERS.has(key)) {
      throw new SessionArgumentError(
        `sessionkit: '${key}' is a member of the session view, not a data key; use ` +
          `request.session.set('${key}', value) and request.session.get('${key}') to keep data under that name.`,
      );
    }
    writeKey(target[STATE].session.data, key, value);
    return true;
  },
  deleteProperty(target, key) {
    if (!isDataKey(key)) return false;
    delete target[STATE].session.data[key];
    return true;
  },
  has(target, key) {
    return (isDataKey(key) && Object.hasOwn(target[STATE].session.data, key)) || Reflect.has(target, key);
  },
  ownKeys(target) {
    return Object.keys(target[STATE].session.data).filter((key) => !MEMBERS.has(key));
  },
  getOwnPropertyDescriptor(target, key) {
    const data = target[STATE].session.data;
    if (!isDataKey(key) || !Object.hasOwn(data, key)) return undefined;
    return { value: data[key], writable: true, enumerable: true, configurable: true };
  },
  defineProperty(target, key, descriptor) {
    if (!isDataKey(key) || !('value' in descriptor) || descriptor.configurable === false) return false;
    writeKey(target[STATE].session.data, key, descriptor.value);
    return true;
  },
  setPrototypeOf: () => false,
  preventExtensions: () => false,
};

/**
 * Wraps a sessionkit session in a view shaped like @fastify/session's `request.session`. Adapters
 * call it once per request when the app opts in (`compat: 'fastify-session'` in @sessionkit/fastify).
 *
 * @param session - the session of the request
 * @param options - the manager's options (`manager.options`), for the cookie the view reports
 */
export function createFastifySessionView<T extends object = DefaultSessionData>(
  session: Session<T>,
  options: FastifySessionViewOptions,
): FastifySessionView<T> {
  const target = Object.create(members) as Target;
  target[STATE] = {
    session: session as Session<Record<string, unknown>>,
    options,
    cookie: undefined,
    deleteRequested: false,
  };
  return new Proxy(target, handler) as unknown as FastifySessionView<T>;
}
