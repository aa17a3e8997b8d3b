/**
 * Shapes shared by the core and the adapters: the session data type and the bridge an adapter
 * builds between its framework's request/response and the core.
 *
 * @module
 */

/**
 * Augment this interface once to type session data in every framework:
 *
 * @example
 * ```ts
 * declare module '@sessionkit/core' {
 *   interface SessionData { username: string; visits: number }
 * }
 * ```
 */
export interface SessionData {}

/** The data type sessions have when no generic is given: {@link SessionData}, or any keys when it is not augmented. */
export type DefaultSessionData = keyof SessionData extends never ? Record<string, unknown> : SessionData;

/** The keys of `T` that hold numbers (any key when `T` is an open record). */
export type NumericKeys<T> = string extends keyof T
  ? string
  : { [K in keyof T]-?: NonNullable<T[K]> extends number ? K : never }[keyof T] & string;

/**
 * What an adapter builds from its framework's request and response: the one header the core
 * reads and the few header operations it needs. The core decides everything else.
 */
export interface CookieJar {
  /** The request's raw `Cookie` header. */
  readonly cookieHeader: string | undefined;
  /** Whether the request arrived over HTTPS (after the framework's trust-proxy rules). */
  readonly secure: boolean;
  /** Appends one `Set-Cookie` line; must never replace cookies set by the app. */
  appendSetCookie(line: string): void;
  /** Reads a response header as the framework holds it (Node's `getHeader` shape); the core joins lists. */
  getHeader(name: string): string | number | readonly string[] | undefined;
  /** Sets a response header. */
  setHeader(name: string, value: string): void;
  /** Whether the response headers are already on their way to the client. */
  headersSent(): boolean;
}
