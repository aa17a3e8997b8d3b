/**
 * sessionkit for Express 4 and 5: `app.use(session(options))` puts a typed `req.session` on every
 * request and commits it before the response headers leave.
 *
 * @module @sessionkit/express
 */
import {
  type DefaultSessionData,
  destroyAtCommit,
  type Session,
  SessionConfigError,
  type SessionManager,
  type SessionOptions,
  toSessionManager,
} from '@sessionkit/core';
import { createExpressSessionView, type ExpressSessionView, sessionOf } from '@sessionkit/core/compat';
import { holdUntilCommitted, NodeResponseJar } from '@sessionkit/core/node';
import type { Request, RequestHandler } from 'express';

/**
 * Augment to type `req.session` as the express-session view, in an app mounted with
 * `session(options, { compat: 'express-session' })` (types cannot see that runtime option):
 *
 * ```ts
 * declare module '@sessionkit/express' {
 *   interface ExpressSessionTypes { compat: 'express-session' }
 * }
 * ```
 */
export interface ExpressSessionTypes {}

/** Whether {@link ExpressSessionTypes} selects the express-session view. */
type ViewSelected = ExpressSessionTypes extends { compat: 'express-session' } ? true : false;

/** What `req.session` is: the sessionkit `Session`, or the express-session view when selected. */
export type RequestSession = ViewSelected extends true ? ExpressSessionView : Session<DefaultSessionData>;

declare global {
  namespace Express {
    interface Request {
      /**
       * The sessionkit session of this request, typed by `SessionData` augmentation (with the
       * express-session view, that view). Assigning `null` logs out: the session is destroyed and
       * its cookie cleared with the response.
       */
      get session(): RequestSession;
      set session(value: RequestSession | null);
      /** With the express-session view, the session id (`req.session.id`); otherwise undefined. */
      readonly sessionID: ViewSelected extends true ? string : undefined;
    }
  }
}

/** Options of {@link session} beyond the session options. */
export interface ExpressAdapterOptions {
  /**
   * `'express-session'`: `req.session` is a view shaped like express-session's (data keys as
   * properties, `regenerate(cb)`, `save(cb)`, `cookie`, ...) and `req.sessionID` is set, for
   * Passport and other middleware written for express-session. Type it with
   * {@link ExpressSessionTypes}. Without it, `req.session` is the sessionkit `Session`.
   */
  readonly compat?: 'express-session';
}

const SESSION = Symbol('sessionkit.session');

/** Where a request keeps its session (or view): the value, or (no cookie, not read yet) how to create it. */
interface Slot {
  [SESSION]: object | (() => object);
}

function current(req: Slot): object {
  const slot = req[SESSION];
  if (typeof slot !== 'function') return slot;
  const created = slot();
  req[SESSION] = created;
  return created;
}

// One descriptor object shared by every request (measured: an accessor pair per request, or a
// WeakMap, cost more GC time; swapping in a data property once read made `req` a slow V8 dictionary).
const accessor: PropertyDescriptor = {
  get(this: Slot) {
    return current(this);
  },
  set(this: Slot, value: object | null | undefined) {
    // null logs out, as with express-session; any other value replaces what req.session returns.
    if (value === null || value === undefined) destroyAtCommit(current(this) as Session<object>);
    else this[SESSION] = value;
  },
  configurable: true,
  enumerable: true,
};

// The same for the express-session view; its regenerate() assigns the new view through the setter.
const viewAccessor: PropertyDescriptor = {
  ...accessor,
  set(this: Slot, value: object | null | undefined) {
    if (value === null || value === undefined) destroyAtCommit(sessionOf(current(this)));
    else this[SESSION] = value;
  },
};
const sessionIdAccessor: PropertyDescriptor = {
  get(this: Slot) {
    return (current(this) as { id?: unknown }).id;
  },
  configurable: true,
  enumerable: true,
};

/**
 * The session middleware. Pass options (a manager is created once) or a manager shared with other
 * apps. Store failures reach your error handler as a `SessionStoreUnavailableError` with
 * `status` 503.
 *
 * A request without a session cookie gets its session on the first read of `req.session`; one
 * that never reads it makes no store call and leaves the response alone. From that read (or from
 * the load, with a cookie) the response is held until the session is committed.
 *
 * With `{ compat: 'express-session' }`, `req.session` is an express-session-shaped view of the
 * same session, which Passport, connect-flash and csrf-sync need; see
 * docs/migrating-from-express-session.md.
 *
 * @param input - session options, or a manager from `createSessionManager`
 * @param adapterOptions - `{ compat: 'express-session' }` to expose the express-session view
 *
 * @example
 * ```ts
 * app.use(session({ secrets: [process.env.SESSION_SECRET!], store: new RedisStore({ client }) }));
 * app.get('/', async (req, res) => {
 *   res.send(`Visits: ${await req.session.increment('visits')}`);
 * });
 * ```
 *
 * @example With Passport
 * ```ts
 * app.use(session({ secrets: [process.env.SESSION_SECRET!] }, { compat: 'express-session' }));
 * app.use(passport.session());
 * ```
 */
export function session(
  input: SessionOptions | SessionManager<object>,
  adapterOptions: ExpressAdapterOptions = {},
): RequestHandler {
  const manager = toSessionManager(input);
  const { compat } = adapterOptions;
  if (compat !== undefined && compat !== 'express-session') {
    throw new SessionConfigError(
      `sessionkit: compat takes 'express-session' (or nothing); got ${JSON.stringify(compat)}.`,
    );
  }
  const attach = (req: Request, held: Session<object>): object =>
    compat === undefined ? held : createExpressSessionView(held, manager.options, req);
  const define = (req: Request): void => {
    Object.defineProperty(req, 'session', compat === undefined ? accessor : viewAccessor);
    if (compat !== undefined) Object.defineProperty(req, 'sessionID', sessionIdAccessor);
  };
  return (req, res, next) => {
    const slot = req as Request & Slot;
    const jar = new NodeResponseJar(req, res, req.secure);
    if (!manager.needsLoad(jar)) {
      // Nothing to load: the first read of req.session creates the session (and starts the hold).
      slot[SESSION] = () => attach(req, holdUntilCommitted(res, manager.createNew(jar), next));
      define(req);
      return next();
    }
    manager.load(jar).then((loaded) => {
      slot[SESSION] = attach(req, holdUntilCommitted(res, loaded, next));
      define(req);
      next();
    }, next);
  };
}
