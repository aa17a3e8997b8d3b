/**
 * The cookie bridge over a Node `ServerResponse`, for any framework whose response is one (Express,
 * Connect, a plain `node:http` handler).
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CookieJar } from '../types.js';

/**
 * A {@link CookieJar} over a Node request and response. A class rather than closures: a session
 * created on first read keeps its jar for the whole request, and four retained closures per
 * request measurably cost GC time (bench).
 */
export class NodeResponseJar implements CookieJar {
  /** The request's `Cookie` header. */
  readonly cookieHeader: string | undefined;
  /** Whether the request arrived over HTTPS, as the framework judged it (trust proxy included). */
  readonly secure: boolean;
  readonly #res: ServerResponse;

  /**
   * @param req - the request (only its `Cookie` header is read)
   * @param res - the response the session's headers go on
   * @param secure - whether the request arrived over HTTPS (Express: `req.secure`)
   */
  constructor(req: IncomingMessage, res: ServerResponse, secure: boolean) {
    this.cookieHeader = req.headers.cookie;
    this.secure = secure;
    this.#res = res;
  }

  appendSetCookie(line: string): void {
    this.#res.appendHeader('Set-Cookie', line);
  }

  getHeader(name: string): ReturnType<ServerResponse['getHeader']> {
    return this.#res.getHeader(name);
  }

  setHeader(name: string, value: string): void {
    this.#res.setHeader(name, value);
  }

  headersSent(): boolean {
    return this.#res.headersSent;
  }
}
