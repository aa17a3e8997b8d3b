import type { CookieJar } from '../types.js';

/** A {@link CookieJar} over plain objects, with what the core wrote, for tests without HTTP. */
export interface TestJar {
  readonly jar: CookieJar;
  /** Every Set-Cookie line appended, in order. */
  readonly setCookies: string[];
  /** Other response headers set, by lower-case name. */
  readonly headers: Map<string, string>;
  /** Makes `headersSent()` answer true from now on, as after a streamed first chunk. */
  sendHeaders(): void;
}

/**
 * A cookie jar for driving a session manager directly in tests.
 *
 * @param cookieHeader - the request's `Cookie` header
 * @param secure - whether the request counts as HTTPS
 */
export function createTestJar(cookieHeader?: string, secure = false): TestJar {
  const setCookies: string[] = [];
  const headers = new Map<string, string>();
  let sent = false;
  return {
    setCookies,
    headers,
    sendHeaders: () => {
      sent = true;
    },
    jar: {
      cookieHeader,
      secure,
      appendSetCookie: (line) => {
        if (sent) throw new Error('test jar: Set-Cookie appended after headers were sent');
        setCookies.push(line);
      },
      getHeader: (name) => headers.get(name.toLowerCase()),
      setHeader: (name, value) => {
        if (sent) throw new Error(`test jar: ${name} set after headers were sent`);
        headers.set(name.toLowerCase(), value);
      },
      headersSent: () => sent,
    },
  };
}

/** The value of the session cookie in a Set-Cookie line, or undefined when the line clears it. */
export function cookieValueOf(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  const pair = line.split(';', 1)[0] ?? '';
  const value = pair.slice(pair.indexOf('=') + 1);
  return value === '' ? undefined : value;
}
