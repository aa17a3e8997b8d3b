/**
 * sessionkit for Koa 3 (and 2): `app.use(session(options))` puts a typed `ctx.session` on every
 * request, loaded before the downstream middleware runs and committed after it returns, before Koa
 * writes the response.
 *
 * @module @sessionkit/koa
 */
import {
  type CookieJar,
  type DefaultSessionData,
  destroyAtCommit,
  type Session,
  SessionConfigError,
  type SessionManager,
  type SessionOptions,
  toSessionManager,
} from '@sessionkit/core';
import {
  bindKoaSession,
  type KoaSessionBinding,
  type KoaSessionInput,
  type KoaSessionView,
} from '@sessionkit/core/compat';
import type { Context, DefaultState, Middleware } from 'koa';

/**
 * Says which `ctx.session` the app's contexts have. Empty: the sessionkit `Session`. An app mounted
 * with `session(options, { compat: 'koa-session' })` augments it once, so that every context
 * (Koa's `DefaultContext`, hence routers and middleware typed with it, koa-passport's included)
 * has the koa-session view:
 *
 * ```ts
 * declare module '@sessionkit/koa' {
 *   interface KoaSessionTypes { compat: 'koa-session' }
 * }
 * ```
 */
export interface KoaSessionTypes {}

/** The type of `ctx.session`, as {@link KoaSessionTypes} decides. */
export type ContextSession = KoaSessionTypes extends { compat: 'koa-session' }
  ? KoaSessionView<DefaultSessionData>
  : Session<DefaultSessionData>;

/** What `ctx.session = value` accepts, as {@link KoaSessionTypes} decides. */
export type ContextSessionInput = KoaSessionTypes extends { compat: 'koa-session' }
  ? KoaSessionView<DefaultSessionData> | KoaSessionInput<DefaultSessionData> | null
  : Session<DefaultSessionData>;

declare module 'koa' {
  interface DefaultContext {
    /**
     * The sessionkit session of this request, typed by `SessionData` augmentation. Assigning `null`
     * logs out, as with koa-session: the session is destroyed and its cookie cleared. With the
     * koa-session view declared in {@link KoaSessionTypes}, that view.
     */
    get session(): ContextSession;
    set session(value: ContextSessionInput);
  }
}

/**
 * `ctx.session` of an app mounted with `session(options, { compat: 'koa-session' })`: the
 * koa-session-shaped view, for typing an app through Koa's type parameters instead of
 * {@link KoaSessionTypes}: `new Koa<DefaultState, KoaSessionContext>()`,
 * `new Router<DefaultState, KoaSessionContext>()`. Middleware typed with Koa's default context
 * mounts on such an app, but calling it by hand with such a `ctx` (koa-passport's custom callback,
 * `passport.authenticate(...)(ctx, next)`) needs {@link KoaSessionTypes}.
 */
export interface KoaSessionContext<T extends object = DefaultSessionData> {
  /** The koa-session view of the request's session (data keys as properties, `save()`, `regenerate()`, ...). */
  get session(): KoaSessionView<T>;
  /** `null` logs out; an object replaces the data (keys it lacks are deleted), as with koa-session. */
  set session(value: KoaSessionView<T> | KoaSessionInput<T> | null);
}

/** Options of {@link session} beyond the session options. */
export interface KoaAdapterOptions {
  /**
   * `'koa-session'`: `ctx.session` is a view shaped like koa-session's (see {@link KoaSessionContext}),
   * for koa-passport and other middleware written for koa-session. Without it, `ctx.session` is the
   * sessionkit `Session`.
   */
  readonly compat?: 'koa-session';
}

const SESSION = Symbol('sessionkit.session');
const VIEW = Symbol('sessionkit.koaSessionView');

interface Slot {
  [SESSION]: Session<DefaultSessionData> | undefined;
  /** Set only in apps that opted into the koa-session view. */
  [VIEW]?: KoaSessionBinding;
}

/**
 * `ctx.session` as an accessor on the app's context prototype, defined once per app: reading it
 * costs a property load, and `ctx.session = null` reaches the session instead of hiding it.
 */
const accessor: PropertyDescriptor = {
  get(this: Slot) {
    const binding = this[VIEW];
    return binding === undefined ? this[SESSION] : binding.view;
  },
  set(this: Slot, value: Session<DefaultSessionData> | null | undefined) {
    const binding = this[VIEW];
    if (binding !== undefined) return binding.assign(value as KoaSessionInput | null | undefined);
    const loaded = this[SESSION];
    if ((value === null || value === undefined) && loaded !== undefined) destroyAtCommit(loaded);
    else if (value !== null && value !== undefined) this[SESSION] = value;
  },
  configurable: true,
  enumerable: true,
};
const prepared = new WeakSet<object>();

/** The headers the session wrote, kept so they can be put back on an error response. */
interface Written {
  readonly setCookies: string[];
  readonly headers: Map<string, string>;
}

function createJar(ctx: Context, written: Written): CookieJar {
  return {
    cookieHeader: ctx.get('Cookie') || undefined,
    secure: ctx.secure,
    appendSetCookie: (line) => {
      ctx.append('Set-Cookie', line);
      written.setCookies.push(line);
    },
    // Through the Node response: Koa 2's ctx.response.get answers '' for a missing header, Koa 3's undefined.
    getHeader: (name) => ctx.res.getHeader(name),
    setHeader: (name, value) => {
      ctx.set(name, value);
      written.headers.set(name, value);
    },
    headersSent: () => ctx.headerSent,
  };
}

/**
 * Koa's error path (`ctx.onerror`) removes every response header, then sets those of
 * `err.headers`: the session's headers go there, or a cookie set for a session that was saved
 * would never reach the client.
 */
function carryHeaders(error: unknown, written: Written): void {
  if (typeof error !== 'object' || error === null || (written.setCookies.length === 0 && written.headers.size === 0))
    return;
  const target = error as { headers?: Record<string, string | string[]> };
  const headers: Record<string, string | string[]> = { ...target.headers };
  for (const [name, value] of written.headers) headers[name] = value;
  if (written.setCookies.length > 0) {
    const key = Object.keys(headers).find((name) => name.toLowerCase() === 'set-cookie') ?? 'Set-Cookie';
    headers[key] = [headers[key] ?? []].flat().concat(written.setCookies);
  }
  target.headers = headers;
}

/**
 * The session middleware. Pass options (a manager is created once) or a manager shared with other
 * apps. Mount it before the routes that use `ctx.session`.
 *
 * The session is committed after the downstream middleware returns, and also when it throws: what
 * the handler wrote before the error is saved and its cookie travels on Koa's error response. Store
 * failures are thrown as a `SessionStoreUnavailableError` (`status` 503), which Koa answers with a
 * 503. A response written straight to `ctx.res` must call `await ctx.session.commit()` first.
 *
 * With `{ compat: 'koa-session' }`, `ctx.session` is a koa-session-shaped view of the same
 * session instead (`ctx.session.views++`, `save()`, `regenerate()`, `maxAge`), which koa-passport
 * needs; see docs/migrating-from-koa-session.md.
 *
 * @param input - session options, or a manager from `createSessionManager`
 * @param adapterOptions - `{ compat: 'koa-session' }` to expose the koa-session view
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(session({ secrets: [process.env.SESSION_SECRET!] }));
 * app.use(async (ctx) => {
 *   ctx.body = `Visits: ${await ctx.session.increment('visits')}`;
 * });
 * ```
 *
 * @example With koa-passport
 * ```ts
 * const app = new Koa<DefaultState, KoaSessionContext>();
 * app.use(session({ secrets: [process.env.SESSION_SECRET!] }, { compat: 'koa-session' }));
 * app.use(passport.initialize());
 * app.use(passport.session());
 * ```
 */
export function session(
  input: SessionOptions | SessionManager<object>,
  adapterOptions: KoaAdapterOptions & { readonly compat: 'koa-session' },
): Middleware<DefaultState, KoaSessionContext>;
export function session(input: SessionOptions | SessionManager<object>, adapterOptions?: KoaAdapterOptions): Middleware;
export function session(
  input: SessionOptions | SessionManager<object>,
  adapterOptions: KoaAdapterOptions = {},
): Middleware | Middleware<DefaultState, KoaSessionContext> {
  const manager = toSessionManager(input);
  const compat = adapterOptions.compat;
  if (compat !== undefined && compat !== 'koa-session') {
    throw new SessionConfigError(`sessionkit: compat takes 'koa-session' (or nothing); got ${JSON.stringify(compat)}.`);
  }
  const middleware: Middleware = async (ctx, next) => {
    const written: Written = { setCookies: [], headers: new Map() };
    const loaded = await manager.load(createJar(ctx, written));
    const prototype = Object.getPrototypeOf(ctx) as object;
    if (!prepared.has(prototype)) {
      Object.defineProperty(prototype, 'session', accessor);
      prepared.add(prototype);
    }
    (ctx as Context & Slot)[SESSION] = loaded as Session<DefaultSessionData>;
    if (compat !== undefined) {
      (ctx as Context & Slot)[VIEW] = bindKoaSession(loaded as Session<DefaultSessionData>);
    }
    try {
      await next();
    } catch (error) {
      // The handler's error is the answer; a failed commit beside it is reported, not lost.
      await loaded.commit().catch((commitError: unknown) => ctx.app.emit('error', commitError, ctx));
      carryHeaders(error, written);
      throw error;
    }
    try {
      await loaded.commit();
    } catch (error) {
      // Headers already sent: Koa's error path would leave the response open forever; abort it instead.
      if (ctx.headerSent && !ctx.res.writableEnded) ctx.res.destroy();
      throw error;
    }
  };
  return middleware;
}
