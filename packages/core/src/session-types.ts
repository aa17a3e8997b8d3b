/**
 * The shape of the session request handlers see; the implementation is in `session.ts`.
 *
 * @module
 */
import type { Snapshot } from './data-diff.js';
import type { ResolvedSessionOptions } from './options.js';
import type { CookiePayload, CookieSealer } from './seal.js';
import type { DefaultSessionData, NumericKeys } from './types.js';

/** A session as a request handler sees it. Method names never collide with data: data lives in `data`. */
export interface Session<T extends object = DefaultSessionData> {
  /** The session id (256 bits, base64url). For a new session it is fixed once it is first saved. */
  readonly id: string;
  /** True when the request carried no live session; false once loaded from the store. */
  readonly isNew: boolean;
  /** The session data. Mutate it freely (nested changes are detected); only changed keys are written. */
  readonly data: Partial<T>;
  /** The user this session belongs to, as set with {@link Session.setUserId}. */
  readonly userId: string | undefined;
  /** True after {@link Session.destroy}, or when the session vanished (logged out elsewhere) mid-request. */
  readonly isDestroyed: boolean;
  /**
   * Marks the session as belonging to a user, so `manager.listUserSessions` and
   * `manager.destroyUserSessions` ("log out everywhere") find it. Pass `undefined` to clear.
   */
  setUserId(userId: string | undefined): void;
  /** Makes the cookie persistent ("remember me", sent with Max-Age) or a browser-session cookie. */
  persist(enabled?: boolean): void;
  /**
   * Adds `by` (default 1) to a numeric key atomically in the store and resolves the new value:
   * exact under any number of concurrent requests.
   * @throws {SessionStoreUnavailableError} the store failed (503)
   * @throws {SessionError} code `GONE` when the session was destroyed meanwhile
   */
  increment(key: NumericKeys<T>, by?: number): Promise<number>;
  /** Gives the session a new id, keeping its data; the old id is destroyed. Call it at login. */
  regenerate(): Promise<void>;
  /** Deletes the session in the store now and clears the cookie at commit. */
  destroy(): Promise<void>;
  /** Slides the expiry and re-sends a persistent cookie even though nothing changed. */
  touch(): void;
  /**
   * Writes what changed and sets the cookie. Adapters call it before the response headers are
   * sent; call it yourself before streaming a response. Safe to call more than once.
   */
  commit(): Promise<void>;
}

/** @internal What a session needs from its manager. */
export interface SessionContext {
  readonly options: ResolvedSessionOptions;
  readonly sealer: CookieSealer;
}

/** @internal How the request arrived: the loaded session, if any, and the cookie it came with. */
export interface LoadedState {
  readonly payload: CookiePayload | undefined;
  readonly cookieValue: string | undefined;
  readonly cookieNeedsResend: boolean;
  readonly requestHadCookie: boolean;
  readonly data: Record<string, unknown>;
  readonly snapshot: Snapshot;
  readonly userId: string | undefined;
}
