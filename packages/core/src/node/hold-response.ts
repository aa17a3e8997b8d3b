/**
 * Holding a Node `ServerResponse` until the session is committed. Node has no "before headers"
 * hook, so the store write has to finish, and the cookie be on the response, before `writeHead`,
 * `write` or `end` let anything leave (express-session wraps `res.end` the same way).
 *
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { Session } from '../session-types.js';

type Args = unknown[];
type HeaderList = ReadonlyArray<string | number | readonly string[]>;

/**
 * Puts `writeHead`'s headers on the response the way Node itself would (an array replaces each
 * named header, then appends every pair), so the session's Set-Cookie, appended later, sits beside
 * the app's instead of being dropped (the on-headers CVE-2025-7339 class of bug).
 *
 * @param res - the response
 * @param headers - the headers argument of `writeHead`: an object, a flat or nested array, or nothing
 */
export function applyWriteHeadHeaders(res: ServerResponse, headers: unknown): void {
  if (Array.isArray(headers)) {
    const flat = (headers as HeaderList).flat() as Array<string | number>;
    for (let i = 0; i < flat.length; i += 2) res.removeHeader(String(flat[i]));
    for (let i = 0; i < flat.length; i += 2) res.appendHeader(String(flat[i]), String(flat[i + 1]));
  } else if (headers !== null && typeof headers === 'object') {
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) res.setHeader(name, value as string);
    }
  }
}

/**
 * Holds `writeHead`, `write` and `end` of `res` until `session.commit()` settles, so the store write
 * is done and the cookie is on the response before any byte leaves. The first `write` or `end`
 * starts the commit; held calls are replayed in order once it succeeds, and the response's own
 * methods are put back. If the commit fails, the held head, writes and the session's Set-Cookie are
 * dropped and `onError` gets the error (Express: `next`), which answers instead.
 *
 * After streamed writes, `end` commits again, so what the handler changed after the first chunk is
 * saved too (a new session's cookie is too late by then: that commit raises `HEADERS_SENT`).
 *
 * @param res - the response to hold
 * @param session - the request's session
 * @param onError - receives a failed commit's error
 * @returns `session`, for chaining
 */
export function holdUntilCommitted<S extends Session<object>>(
  res: ServerResponse,
  session: S,
  onError: (error: unknown) => void,
): S {
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
    onError(error);
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

  res.writeHead = function writeHead(this: ServerResponse, status: number, ...rest: Args) {
    const reason = typeof rest[0] === 'string' ? rest[0] : undefined;
    applyWriteHeadHeaders(res, typeof rest[0] === 'string' ? rest[1] : rest[0]);
    head = { status, reason };
    res.statusCode = status;
    return this;
  } as ServerResponse['writeHead'];

  res.write = function write(this: ServerResponse, ...args: Args) {
    queued.push(args);
    flush().catch(fail);
    return true;
  } as ServerResponse['write'];

  res.end = function end(this: ServerResponse, ...args: Args) {
    if (ended) return (original.end as (...a: Args) => ServerResponse).apply(res, args);
    ended = true;
    const committed = flushing === undefined ? flush() : flush().then(() => session.commit());
    committed
      .then(() => {
        res.end = original.end;
        (original.end as (...a: Args) => ServerResponse).apply(res, args);
      })
      .catch(fail);
    return this;
  } as ServerResponse['end'];
  return session;
}
