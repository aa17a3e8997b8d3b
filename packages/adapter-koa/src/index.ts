/**
 * sessionkit for Koa 3 (and 2): `app.use(session(options))` puts a typed `ctx.session` on every
 * request, loaded before the downstream middleware runs and committed after it returns, before Koa
 * writes the response.
 *
 * @module
 */
import {
  type CookieJar,
  type DefaultSessionData,
  destroyAtCommit,
  type Session,
  type SessionManager,
  type SessionOptions,
  toSessionManager,
} from '@sessionkit/core';
import type { Context, Middleware } from 'koa';

declare module 'koa' {
  interface DefaultContext {
    /**
     * The sessionkit session of this request, typed by `SessionData` augmentation. Assigning `null`
     * logs out, as with koa-session: the session is destroyed and its cookie cleared.
     */
    session: Session<DefaultSessionData>;
  }
}

const SESSION = Symbol('sessionkit.session');

interface Slot {
  [SESSION]: Session<DefaultSessionData> | undefined;
}

/**
 * `ctx.session` as an accessor on the app's context prototype, defined once per app: reading it
 * costs a property load, and `ctx.session = null` reaches the session instead of hiding it.
 */
const accessor: PropertyDescriptor = {
  get(this: Slot) {
    return this[SESSION];
  },
  set(this: Slot, value: Session<DefaultSessionData> | null | undefined) {
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
  if (typeof error !== 'object' || error === null || (written.setCookies.length === 0 && written.headers.size === 0)) return;
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
 * @param input - session options, or a manager from `createSessionManager`
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(session({ secrets: [process.env.SESSION_SECRET!] }));
 * app.use(async (ctx) => {
 *   ctx.body = `Visits: ${await ctx.session.increment('visits')}`;
 * });
 * ```
 */
export function session(input: SessionOptions | SessionManager<object>): Middleware {
  const manager = toSessionManager(input);
  return async (ctx, next) => {
    const written: Written = { setCookies: [], headers: new Map() };
    const loaded = await manager.load(createJar(ctx, written));
    const prototype = Object.getPrototypeOf(ctx) as object;
    if (!prepared.has(prototype)) {
      Object.defineProperty(prototype, 'session', accessor);
      prepared.add(prototype);
    }
    (ctx as Context & Slot)[SESSION] = loaded as Session<DefaultSessionData>;
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
}
