/**
 * sessionkit for Express 4 and 5: `app.use(session(options))` puts a typed `req.session` on every
 * request and commits it before the response headers leave.
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { CookieJar, DefaultSessionData, Session, SessionManager, SessionOptions } from '@sessionkit/core';
import { toSessionManager } from '@sessionkit/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The sessionkit session of this request, typed by `SessionData` augmentation. */
      session: Session<DefaultSessionData>;
    }
  }
}

type Args = unknown[];
type HeaderList = ReadonlyArray<string | number | readonly string[]>;

/** The cookie bridge, as a class: a lazy session keeps it for the whole request, and four retained closures measurably cost GC time. */
class ExpressJar implements CookieJar {
  constructor(readonly cookieHeader: string | undefined, readonly secure: boolean, private readonly res: Response) {}
  appendSetCookie(line: string): void { this.res.appendHeader('Set-Cookie', line); }
  getHeader(name: string): ReturnType<Response['getHeader']> { return this.res.getHeader(name); }
  setHeader(name: string, value: string): void { this.res.setHeader(name, value); }
  headersSent(): boolean { return this.res.headersSent; }
}

/**
 * Puts `writeHead`'s headers on the response the way Node itself would (an array replaces each
 * named header, then appends every pair), so the session's Set-Cookie, appended later, sits beside
 * the app's instead of being dropped (the on-headers CVE-2025-7339 class of bug).
 */
function applyHeaders(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    const flat = (headers as HeaderList).flat() as Array<string | number>;
    for (let i = 0; i < flat.length; i += 2) res.removeHeader(String(flat[i]));
    for (let i = 0; i < flat.length; i += 2) res.appendHeader(String(flat[i]), String(flat[i + 1]));
  } else if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value as string);
  }
}

/**
 * Holds `writeHead`, `write` and `end` until `session.commit()` settles, so the store write is done
 * and the cookie is on the response before any byte leaves (Express has no "before headers" hook;
 * express-session wraps `res.end` the same way). A failed commit goes to `next(err)` instead.
 */
function holdUntilCommitted<S extends Session<object>>(res: Response, session: S, next: NextFunction): S {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  let head: { status: number; reason: string | undefined } | undefined;
  const queued: Args[] = [];
  let flushing: Promise<void> | undefined;
  let ended = false;

  const restoreStreaming = (): void => {
    res.writeHead = original.writeHead;
    res.write = original.write;
  };
  const fail = (error: unknown): void => {
    Object.assign(res, original);
    queued.length = 0;
    if (!res.headersSent) {
      res.removeHeader('Set-Cookie');
      head = undefined;
    }
    next(error);
  };
  // Commit, then let the held head and writes through: from here on headers are the app's again.
  const flush = (): Promise<void> =>
    (flushing ??= session.commit().then(() => {
      restoreStreaming();
      if (head !== undefined && !res.headersSent) {
        const replay = original.writeHead as (status: number, reason?: string) => unknown;
        if (head.reason === undefined) replay.call(res, head.status);
        else replay.call(res, head.status, head.reason);
      }
      for (const args of queued.splice(0)) (original.write as (...a: Args) => boolean).apply(res, args);
    }));

  res.writeHead = function writeHead(this: Response, status: number, ...rest: Args) {
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
    applyHeaders(res, typeof rest[0] === 'string' ? rest[1] : rest[0]);
    head = { status, reason };
    res.statusCode = status;
    return this;
  } as Response['writeHead'];

  res.write = function write(this: Response, ...args: Args) {
    queued.push(args);
    flush().catch(fail);
    return true;
  } as Response['write'];

  res.end = function end(this: Response, ...args: Args) {
    if (ended) return (original.end as (...a: Args) => Response).apply(res, args);
    ended = true;
    // After streamed writes, a second commit saves what changed since (a new cookie is too late then).
    const committed = flushing === undefined ? flush() : flush().then(() => session.commit());
    committed
      .then(() => {
        res.end = original.end;
        (original.end as (...a: Args) => Response).apply(res, args);
      })
      .catch(fail);
    return this;
  } as Response['end'];
  return session;
}

const SESSION = Symbol('sessionkit.session');
type Slot = { [SESSION]: () => unknown };
// A cookieless request's req.session. One accessor for every request, kept to the end (measured: an accessor pair per
// request, or a WeakMap, cost more GC time; swapping in a data property once read made req a slow V8 dictionary).
const lazy = { get(this: Slot) { return this[SESSION](); }, set(this: Slot, value: unknown) { this[SESSION] = () => value; }, configurable: true, enumerable: true };

/**
 * The session middleware. Pass options (a manager is created once) or a manager shared with other
 * apps. Store failures reach your error handler as a `SessionStoreUnavailableError` with
 * `status` 503.
 *
 * @example
 * ```ts
 * app.use(session({ secrets: [process.env.SESSION_SECRET!], store: new RedisStore({ client }) }));
 * app.get('/', (req, res) => res.send(`Visits: ${await req.session.increment('visits')}`));
 * ```
 */
export function session(input: SessionOptions | SessionManager<object>): RequestHandler {
  const manager = toSessionManager(input);
  return (req, res, next) => {
    const opened = manager.open(new ExpressJar(req.headers.cookie, req.secure, res));
    if (typeof opened === 'function') {
      // No session cookie: the first read creates the session and holds the response; one never read commits nothing.
      (req as Request & Slot)[SESSION] = () => (req.session = holdUntilCommitted(res, opened() as Session<DefaultSessionData>, next));
      Object.defineProperty(req, 'session', lazy);
      return next();
    }
    opened.then((loaded) => {
      req.session = holdUntilCommitted(res, loaded as Session<DefaultSessionData>, next);
      next();
    }, next);
  };
}
