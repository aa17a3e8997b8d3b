/**
 * The session cookie: its attributes (validated once, at start-up), reading it from a `Cookie`
 * header, and the `Set-Cookie` lines that set, refresh or clear it.
 *
 * @module
 */
import { serialize } from 'cookie';
import { SessionConfigError } from './errors.js';

/** Attributes of the session cookie. */
export interface CookieOptions {
  /**
   * Cookie name. A `__Host-` name forces Secure, Path=/ and no Domain; `__Secure-` forces Secure.
   * The prefixes are recognized in any letter case, as browsers do (`__HOST-sid` is a `__Host-` name).
   *
   * In production over HTTPS, use `'__Host-sid'`: browsers then accept the cookie only from this
   * exact host, over HTTPS, with Path=/ and no Domain, so a sibling subdomain or a man in the middle
   * on plain HTTP cannot plant a session cookie of its own next to the user's ("cookie tossing"),
   * which with a plain name can fix the user into the attacker's session or deny them theirs.
   * Browsers refuse a prefixed cookie set over plain HTTP (Chrome and Firefox except `localhost`,
   * Safari does not), so development over HTTP may need a plain name such as `sid`.
   * @default 'sid'
   */
  readonly name?: string;
  /** @default '/' */
  readonly path?: string;
  /** Leave unset to keep the cookie on the exact host (safer); set to share it with subdomains. */
  readonly domain?: string;
  /** @default 'lax' */
  readonly sameSite?: 'lax' | 'strict' | 'none';
  /**
   * `'auto'` marks the cookie Secure when the request arrived over HTTPS (as the adapter reports
   * it: behind a proxy, configure your framework's trust-proxy setting).
   * @default 'auto'
   */
  readonly secure?: boolean | 'auto';
  /** Keep it on: scripts never need the session cookie. @default true */
  readonly httpOnly?: boolean;
  /** CHIPS partitioned cookie (requires Secure). @default false */
  readonly partitioned?: boolean;
  /** @default undefined (browser default) */
  readonly priority?: 'low' | 'medium' | 'high';
  /**
   * Persistent cookies ("remember me") carry Max-Age (the idle timeout, capped by the absolute
   * deadline, refreshed on every request); otherwise the cookie ends with the browser session.
   * Per session, `session.persist()` overrides this.
   * @default false
   */
  readonly persistent?: boolean;
}

/** @internal Cookie options after validation. */
export interface ResolvedCookieOptions {
  readonly name: string;
  readonly path: string;
  readonly domain: string | undefined;
  readonly sameSite: 'lax' | 'strict' | 'none';
  readonly secure: boolean | 'auto';
  readonly httpOnly: boolean;
  readonly partitioned: boolean;
  readonly priority: 'low' | 'medium' | 'high' | undefined;
  readonly persistent: boolean;
}

// RFC 6265 token: no separators, no controls, no spaces. Stops `a=b; Domain=evil` style injection.
const NAME_PATTERN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Any printable ASCII but `;` (RFC 6265 av-octet), starting with `/`.
const PATH_PATTERN = /^\/[\u0020-\u003A\u003C-\u007E]*$/;
const DOMAIN_PATTERN = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function fail(message: string): never {
  throw new SessionConfigError(`sessionkit: ${message}`);
}

/** @internal Validates cookie options; throws a SessionConfigError that says what to fix. */
export function resolveCookieOptions(options: CookieOptions = {}): ResolvedCookieOptions {
  const name = options.name ?? 'sid';
  const path = options.path ?? '/';
  const sameSite = options.sameSite ?? 'lax';
  let secure = options.secure ?? 'auto';
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    fail(
      `cookie.name ${JSON.stringify(name)} is not a valid cookie name: ` +
        "use letters, digits and !#$%&'*+-.^_`|~ only (no spaces, ';', '=' or quotes).",
    );
  }
  if (typeof path !== 'string' || !PATH_PATTERN.test(path)) {
    fail(
      `cookie.path ${JSON.stringify(path)} is invalid: it must start with '/' and contain no ';' or control characters.`,
    );
  }
  if (options.domain !== undefined && (typeof options.domain !== 'string' || !DOMAIN_PATTERN.test(options.domain))) {
    fail(
      `cookie.domain ${JSON.stringify(options.domain)} is not a host name: use something like 'example.com', with no ';', '=' or spaces.`,
    );
  }
  if (!['lax', 'strict', 'none'].includes(sameSite)) {
    fail(`cookie.sameSite must be 'lax', 'strict' or 'none'; got ${JSON.stringify(sameSite)}.`);
  }
  if (secure !== true && secure !== false && secure !== 'auto') {
    fail(`cookie.secure must be true, false or 'auto'; got ${JSON.stringify(secure)}.`);
  }
  // Browsers match the prefixes in any letter case (RFC 6265bis), so `__HOST-sid` gets the same rules.
  const lowerName = name.toLowerCase();
  const hostPrefixed = lowerName.startsWith('__host-');
  if (hostPrefixed || lowerName.startsWith('__secure-')) {
    if (secure === false)
      fail(`cookie.name ${name} requires Secure: remove cookie.secure: false (browsers reject such a cookie).`);
    secure = true;
  }
  if (hostPrefixed) {
    if (options.domain !== undefined)
      fail(
        `a __Host- cookie must not have a Domain: remove cookie.domain or rename the cookie to __Secure-${name.slice(7)}.`,
      );
    if (path !== '/') fail(`a __Host- cookie must have Path=/: remove cookie.path or rename the cookie.`);
  }
  if (sameSite === 'none' && secure !== true) {
    fail(`cookie.sameSite 'none' requires cookie.secure: true (browsers reject SameSite=None without Secure).`);
  }
  if (options.partitioned === true && secure !== true) {
    fail(`cookie.partitioned requires cookie.secure: true.`);
  }
  if (options.priority !== undefined && !['low', 'medium', 'high'].includes(options.priority)) {
    fail(`cookie.priority must be 'low', 'medium' or 'high'; got ${JSON.stringify(options.priority)}.`);
  }
  return {
    name,
    path,
    domain: options.domain,
    sameSite,
    secure,
    httpOnly: options.httpOnly ?? true,
    partitioned: options.partitioned ?? false,
    priority: options.priority,
    persistent: options.persistent ?? false,
  };
}

/**
 * Every value the `Cookie` header carries under `name`, distinct, in order. The `cookie` package
 * keeps only the first of duplicate names; a session library must see all of them to refuse a
 * header that names two different sessions. There is no window of the first few values: values
 * planted ahead of the real one (cookie tossing) would push it out. The work is linear in the
 * header, whose size the HTTP server bounds; the caller bounds the crypto (see manager.ts).
 *
 * @internal
 */
export function readCookieValues(header: string | undefined, name: string): string[] {
  if (header === undefined || header.length === 0) return [];
  let first: string | undefined;
  let others: Set<string> | undefined;
  let start = 0;
  // The first '=' at or after `start` (header.length when none), kept across segments without one,
  // so a header of many '='-less segments is not scanned to its end once per segment.
  let eq = -1;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    if (eq < start) {
      eq = header.indexOf('=', start);
      if (eq === -1) eq = header.length;
    }
    if (eq < end && header.slice(start, eq).trim() === name) {
      const value = header.slice(eq + 1, end).trim();
      if (value.length > 0 && value !== first) {
        if (first === undefined) first = value;
        else (others ??= new Set()).add(value);
      }
    }
    start = end + 1;
  }
  if (first === undefined) return [];
  return others === undefined ? [first] : [first, ...others];
}

const identity = (value: string): string => value;

/** Characters of a seal (base64url, `*`, and the `.` of `Fe26.2`): safe in a cookie value as is. */
const SEAL_CHARACTERS = /^[A-Za-z0-9_*.-]+$/;

/** The attributes after `name=value`, without and with Secure, built once per options object. */
const suffixCache = new WeakMap<ResolvedCookieOptions, { readonly plain: string; readonly secure: string }>();

function attributes(
  options: ResolvedCookieOptions,
  secure: boolean,
  maxAgeMs: number | undefined,
): Parameters<typeof serialize>[2] {
  return {
    // Seals are base64url and `*`, already cookie-safe: no percent-encoding round trip.
    encode: identity,
    path: options.path,
    ...(options.domain === undefined ? {} : { domain: options.domain }),
    sameSite: options.sameSite,
    secure,
    httpOnly: options.httpOnly,
    ...(options.partitioned ? { partitioned: true } : {}),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    ...(maxAgeMs === undefined
      ? {}
      : maxAgeMs <= 0
        ? { maxAge: 0, expires: new Date(0) }
        : { maxAge: Math.floor(maxAgeMs / 1000) }),
  };
}

/**
 * A `Set-Cookie` line for the session cookie. `maxAgeMs` undefined makes a browser-session cookie;
 * 0 clears it. The common line (a seal, no Max-Age) is the value plus attributes serialized once:
 * the `cookie` package took about 7 µs per new session (measured by the bench).
 *
 * @internal
 */
export function serializeSessionCookie(
  options: ResolvedCookieOptions,
  value: string,
  requestIsSecure: boolean,
  maxAgeMs: number | undefined,
): string {
  const secure = options.secure === 'auto' ? requestIsSecure : options.secure;
  if (maxAgeMs !== undefined || !SEAL_CHARACTERS.test(value)) {
    return serialize(options.name, value, attributes(options, secure, maxAgeMs));
  }
  let suffixes = suffixCache.get(options);
  if (suffixes === undefined) {
    const prefixLength = options.name.length + 2; // `name=` plus the one-character probe value
    suffixes = {
      plain: serialize(options.name, 'v', attributes(options, false, undefined)).slice(prefixLength),
      secure: serialize(options.name, 'v', attributes(options, true, undefined)).slice(prefixLength),
    };
    suffixCache.set(options, suffixes);
  }
  return `${options.name}=${value}${secure ? suffixes.secure : suffixes.plain}`;
}
