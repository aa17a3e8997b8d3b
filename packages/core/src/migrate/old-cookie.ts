/**
 * Reading and verifying the old libraries' signed cookies with node:crypto: HMACs and timing-safe
 * comparison, no dependency on the libraries themselves.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readCookieValues } from '../cookie.js';

/**
 * At most this many values of an old cookie name are verified per request: a browser holds the
 * cookie under a path or two; more are planted values (cookie tossing), and mean no import.
 */
const MAX_VALUES = 4;

/** Old session ids become part of a Redis key: printable ASCII, 1 to 256 characters. */
const OLD_ID_PATTERN = /^[\u0020-\u007e]{1,256}$/;

/**
 * @internal The values a `Cookie` header carries under `name`, as the old library reads them:
 * surrounding double quotes dropped, and percent-decoded when `decode` (the `cookie` package's
 * parse, used by express-session and @fastify/cookie; Koa's `cookies` does not decode). An empty
 * list when there is none, or more than {@link MAX_VALUES}.
 */
export function oldCookieValues(header: string, name: string, decode: boolean): string[] {
  const values = readCookieValues(header, name);
  if (values.length > MAX_VALUES) return [];
  return values.map((raw) => {
    const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    if (!decode || !value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  });
}

/** @internal Whether the header carries `name` at all: a substring test, then the exact scan. */
export function carriesCookie(header: string | undefined, name: string): boolean {
  if (header === undefined || !header.includes(name)) return false;
  return readCookieValues(header, name).length > 0;
}

/** @internal Timing-safe equality of two strings (the length is not secret). */
export function safeEqual(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** @internal HMAC of `data` under `secret`, in `encoding` ('base64' keeps its padding; 'base64url' has none). */
export function hmac(
  algorithm: string,
  secret: string | Buffer,
  data: string,
  encoding: 'base64' | 'base64url',
): string {
  return createHmac(algorithm, secret).update(data, 'utf8').digest(encoding);
}

/**
 * @internal The one old session id the values verify to: `verify` maps a value to its id or
 * `undefined`. Two values that verify to different ids (stale cookies on two paths, or one planted
 * next to the user's) mean no import, as they do for sessionkit's own cookie.
 */
export function pickOne(values: readonly string[], verify: (value: string) => string | undefined): string | undefined {
  let picked: string | undefined;
  for (const value of values) {
    const id = verify(value);
    if (id === undefined || !OLD_ID_PATTERN.test(id)) continue;
    if (picked !== undefined && picked !== id) return undefined;
    picked = id;
  }
  return picked;
}

/** @internal Checks that an HMAC algorithm exists in this Node build. */
export function supportsHmac(algorithm: unknown): algorithm is string {
  if (typeof algorithm !== 'string') return false;
  try {
    createHmac(algorithm, 'probe');
    return true;
  } catch {
    return false;
  }
}

/**
 * @internal Whether `mac` is the MAC `macOf` computes under any of `secrets`. Every secret is
 * tried, so the time taken does not tell which one matched.
 */
export function matchesAnySecret(
  secrets: readonly (string | Buffer)[],
  mac: string,
  macOf: (secret: string | Buffer) => string,
): boolean {
  let verified = false;
  for (const secret of secrets) {
    if (safeEqual(mac, macOf(secret))) verified = true;
  }
  return verified;
}
