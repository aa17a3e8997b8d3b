/**
 * The cookie bridge over a Web-standard `Request` and the `Headers` of the `Response` that will
 * answer it (Hono, Bun, Deno, Cloudflare Workers, any `(request: Request) => Response` handler).
 *
 * @module
 */
import type { CookieJar } from '../types.js';

/** Options of {@link FetchCookieJar}. */
export interface FetchCookieJarOptions {
  /**
   * Whether the request arrived over HTTPS. Default: the request URL's scheme is `https:`. Behind
   * a proxy that terminates TLS the URL says `http:`: decide from the proxy's header here (only if
   * the proxy sets it), or set `cookie.secure: true` in the session options.
   */
  readonly secure?: boolean;
  /**
   * For servers where the app can also answer around the `Response` (the Node response under
   * `@hono/node-server`): whether that response's headers already left. Without it, the headers
   * leave with the `Response`, after {@link FetchCookieJar.markSent}.
   */
  readonly headersSent?: () => boolean;
}

/** A name no response carries: deleting it tells whether a `Headers` object is immutable, and changes nothing. */
const PROBE = 'x-sessionkit-probe';

/**
 * Whether a response's headers can still be changed. `Response.redirect()`, `Response.error()` and
 * the responses of `fetch()` have immutable headers: writing to them throws a `TypeError`.
 *
 * @param response - any `Response`
 */
export function hasMutableHeaders(response: Response): boolean {
  try {
    response.headers.delete(PROBE);
    return true;
  } catch {
    return false;
  }
}

/**
 * `response` itself when its headers can change, else a copy with the same status, headers and
 * (unread) body whose headers can.
 *
 * @param response - the response the session's headers go on
 */
export function withMutableHeaders(response: Response): Response {
  return hasMutableHeaders(response) ? response : new Response(response.body, response);
}

/** Adds `Cookie` to a `Vary` list unless it names it (or `*`) already. */
function mergeVary(current: string | null, added: string): string {
  if (current === null || current.trim() === '') return added;
  const names = current.split(',').map((name) => name.trim().toLowerCase());
  const missing = added
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && !names.includes(name.toLowerCase()) && !names.includes('*'));
  return missing.length === 0 ? current : `${current}, ${missing.join(', ')}`;
}

/**
 * A {@link CookieJar} over a fetch `Request`. The response does not exist while the handler runs,
 * so the session's headers are held in a `Headers` object of the jar's own until
 * {@link FetchCookieJar.attach} hands it the response's headers: what was held is merged in (each
 * `Set-Cookie` appended, `Vary` merged, any other header only where the response has none, so the
 * app's own `Cache-Control` wins), and later commits write there directly.
 */
export class FetchCookieJar implements CookieJar {
  /** The request's `Cookie` header. */
  readonly cookieHeader: string | undefined;
  /** Whether the request arrived over HTTPS. */
  readonly secure: boolean;
  readonly #headersSent: (() => boolean) | undefined;
  #headers: Headers | undefined;
  #attached = false;
  #sent = false;

  /**
   * @param request - the request (its `Cookie` header and its URL's scheme are read)
   * @param options - `secure` and `headersSent`, see {@link FetchCookieJarOptions}
   */
  constructor(request: Request, options: FetchCookieJarOptions = {}) {
    this.cookieHeader = request.headers.get('cookie') ?? undefined;
    this.secure = options.secure ?? request.url.startsWith('https:');
    this.#headersSent = options.headersSent;
  }

  /** The headers the session's headers go to now: the response's once attached, the jar's own before. */
  get headers(): Headers {
    if (this.#headers === undefined) this.#headers = new Headers();
    return this.#headers;
  }

  /**
   * From now on the session's headers go to `headers` (the response's, which must be mutable: see
   * {@link withMutableHeaders}); those written before are merged in.
   *
   * @param headers - the headers of the response that answers the request
   */
  attach(headers: Headers): void {
    const held = this.#attached ? undefined : this.#headers;
    this.#headers = headers;
    this.#attached = true;
    if (held === undefined || held === headers) return;
    for (const line of held.getSetCookie()) headers.append('set-cookie', line);
    for (const [name, value] of held) {
      if (name === 'set-cookie') continue;
      if (name === 'vary') headers.set('vary', mergeVary(headers.get('vary'), value));
      else if (!headers.has(name)) headers.set(name, value);
    }
  }

  /**
   * Puts the headers the session wrote so far on `response` and returns it, or a copy when its
   * headers are immutable; later commits write to the returned response's headers directly. With
   * nothing written (an untouched session without a cookie), `response` itself, untouched: its
   * headers are not even read, which spares a runtime that keeps them unparsed.
   *
   * @param response - the response that answers the request
   */
  applyTo(response: Response): Response {
    const held = this.#attached ? undefined : this.#headers;
    if (held === undefined || held.keys().next().done === true) return response;
    const answer = withMutableHeaders(response);
    this.attach(answer.headers);
    return answer;
  }

  /** The response left with its headers: a later commit that needs to set a cookie raises `HEADERS_SENT`. */
  markSent(): void {
    this.#sent = true;
  }

  appendSetCookie(line: string): void {
    this.headers.append('set-cookie', line);
  }

  getHeader(name: string): string | readonly string[] | undefined {
    if (this.#headers === undefined) return undefined;
    if (name.toLowerCase() === 'set-cookie') {
      const lines = this.#headers.getSetCookie();
      return lines.length === 0 ? undefined : lines;
    }
    return this.#headers.get(name) ?? undefined;
  }

  setHeader(name: string, value: string): void {
    this.headers.set(name, value);
  }

  headersSent(): boolean {
    return this.#sent || (this.#headersSent?.() ?? false);
  }
}
