/**
 * sessionkit for Express 4 and 5: `app.use(session(options))` puts a typed `req.session` on every
 * request and commits it before the response headers leave.
 *
 * @module
 */
import {
  type DefaultSessionData,
  destroyAtCommit,
  type Session,
  type SessionManager,
  type SessionOptions,
  toSessionManager,
} from '@sessionkit/core';
import { holdUntilCommitted, NodeResponseJar } from '@sessionkit/core/node';
import type { Request, RequestHandler } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /**
       * The sessionkit session of this request, typed by `SessionData` augmentation. Assigning
       * `null` logs out: the session is destroyed and its cookie cleared with the response.
       */
      session: Session<DefaultSessionData>;
    }
  }
}

const SESSION = Symbol('sessionkit.session');

/** Where a request keeps its session: the session, or (no cookie, not read yet) how to create it. */
interface Slot {
  [SESSION]: Session<DefaultSessionData> | (() => Session<DefaultSessionData>);
}

function current(req: Slot): Session<DefaultSessionData> {
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
  set(this: Slot, value: Session<DefaultSessionData> | null | undefined) {
    // null logs out, as with express-session; any other value replaces what req.session returns.
    if (value === null || value === undefined) destroyAtCommit(current(this));
    else this[SESSION] = value;
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
 * @param input - session options, or a manager from `createSessionManager`
 *
 * @example
 * ```ts
 * app.use(session({ secrets: [process.env.SESSION_SECRET!], store: new RedisStore({ client }) }));
 * app.get('/', async (req, res) => {
 *   res.send(`Visits: ${await req.session.increment('visits')}`);
 * });
 * ```
 */
export function session(input: SessionOptions | SessionManager<object>): RequestHandler {
  const manager = toSessionManager(input);
  return (req, res, next) => {
    const slot = req as Request & Slot;
    const opened = manager.open(new NodeResponseJar(req, res, req.secure));
    if (typeof opened === 'function') {
      slot[SESSION] = () => holdUntilCommitted(res, opened() as Session<DefaultSessionData>, next);
      Object.defineProperty(req, 'session', accessor);
      return next();
    }
    opened.then((loaded) => {
      slot[SESSION] = holdUntilCommitted(res, loaded as Session<DefaultSessionData>, next);
      Object.defineProperty(req, 'session', accessor);
      next();
    }, next);
  };
}
