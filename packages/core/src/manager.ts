/**
 * The session manager: created once from options, it loads the session of each request from the
 * cookie bridge an adapter builds, and offers the per-user operations ("log out everywhere").
 *
 * @module
 */
import { readCookieValues } from './cookie.js';
import { readStoredData } from './data-diff.js';
import { SessionArgumentError, SessionConfigError } from './errors.js';
import { type ResolvedSessionOptions, resolveOptions, type SessionOptions } from './options.js';
import { CookieSealer, type UnsealedCookie } from './seal.js';
import { createSession, type LoadedState, type Session, type SessionContext } from './session.js';
import { callStore } from './store-guard.js';
import type { CookieJar, DefaultSessionData } from './types.js';

const MANAGER = Symbol.for('sessionkit.manager');

/** Loads sessions for requests; shared by every adapter mounted with it. */
export interface SessionManager<T extends object = DefaultSessionData> {
  /** @internal Brand that tells a manager from an options object. */
  readonly [MANAGER]: true;
  /** The validated options in force. */
  readonly options: ResolvedSessionOptions;
  /**
   * The session of one request. With no session cookie this makes no store call; with a valid one
   * it reads the session and slides its idle expiry in one store call. A tampered, forged,
   * expired or unknown cookie gives a new, empty session, never an error.
   * @throws {SessionStoreUnavailableError} the store failed or timed out (503)
   */
  load(jar: CookieJar): Promise<Session<T>>;
  /**
   * Starts the session of one request without waiting when nothing needs loading. A request with
   * no session cookie gets a function that creates its new, empty session (no store call; call it
   * when the app first touches the session, or never); a request with one gets the promise of
   * {@link load}. An adapter can then skip the session, and the work of committing it, for
   * requests that never use it (assets, health checks, bots): such a session would commit nothing.
   * A cookie that is present but invalid still loads, so its commit can send the clearing cookie.
   * @throws {SessionStoreUnavailableError} through the promise, as {@link load}
   */
  open(jar: CookieJar): (() => Session<T>) | Promise<Session<T>>;
  /** The ids of the live sessions of a user (needs a store with the user-index capability). */
  listUserSessions(userId: string): Promise<string[]>;
  /** Destroys every session of a user, "log out everywhere"; resolves how many were destroyed. */
  destroyUserSessions(userId: string): Promise<number>;
}

function freshState(requestHadCookie: boolean): LoadedState {
  return {
    payload: undefined,
    cookieValue: undefined,
    cookieNeedsResend: false,
    requestHadCookie,
    data: {},
    snapshot: new Map(),
    userId: undefined,
  };
}

/**
 * One valid cookie value, or `undefined`. When the header names the session cookie several times
 * (a stale cookie on another path, or an injected one), exactly one value must verify: two
 * different valid sessions in one request mean no session at all.
 */
async function pickCookie(sealer: CookieSealer, values: string[]): Promise<{ value: string; unsealed: UnsealedCookie } | undefined> {
  if (values.length === 1) {
    const value = values[0] as string;
    const unsealed = await sealer.unseal(value);
    return unsealed && { value, unsealed };
  }
  const opened = await Promise.all(values.map(async (value) => ({ value, unsealed: await sealer.unseal(value) })));
  const valid = opened.filter((entry): entry is { value: string; unsealed: UnsealedCookie } => entry.unsealed !== undefined);
  return valid.length === 1 ? valid[0] : undefined;
}

/**
 * Creates a session manager. Validates every option now: a misconfiguration throws a
 * {@link SessionConfigError} that says what to fix.
 *
 * @example
 * ```ts
 * const manager = createSessionManager({ secrets: [process.env.SESSION_SECRET!], idleTimeoutMs: 30 * 60_000 });
 * ```
 */
export function createSessionManager<T extends object = DefaultSessionData>(options: SessionOptions): SessionManager<T> {
  const resolved = resolveOptions(options);
  const { store, now, cookie } = resolved;
  const sealer = new CookieSealer(resolved.secrets, resolved.cookieCacheSize);
  const context: SessionContext = { options: resolved, sealer };

  async function loadState(values: string[]): Promise<LoadedState> {
    if (values.length === 0) return freshState(false);
    const picked = await pickCookie(sealer, values);
    if (picked === undefined) return freshState(true);
    const { payload, sealedWithCurrentSecret } = picked.unsealed;
    const remainingMs = payload.absoluteDeadlineMs - now();
    if (remainingMs <= 0) return freshState(true);
    const ttlMs = Math.min(resolved.idleTimeoutMs, remainingMs);
    const record = await callStore('load', resolved.storeTimeoutMs, () => store.load(payload.id, ttlMs));
    if (record === undefined) return freshState(true);
    if (record.meta.absoluteDeadlineMs <= now()) {
      await callStore('destroy', resolved.storeTimeoutMs, () => store.destroy(payload.id));
      return freshState(true);
    }
    const { data, snapshot } = readStoredData(record.data, resolved.serializer);
    return {
      payload: { ...payload, absoluteDeadlineMs: Math.min(payload.absoluteDeadlineMs, record.meta.absoluteDeadlineMs) },
      // A cookie sealed with an older secret is re-sealed with the current one.
      cookieValue: sealedWithCurrentSecret ? picked.value : undefined,
      cookieNeedsResend: !sealedWithCurrentSecret,
      requestHadCookie: true,
      data,
      snapshot,
      userId: record.meta.userId,
    };
  }

  function userIndex(): Required<Pick<typeof store, 'listUserSessions' | 'destroyUserSessions'>> {
    if (typeof store.listUserSessions !== 'function' || typeof store.destroyUserSessions !== 'function') {
      throw new SessionConfigError(
        'sessionkit: this store keeps no user index, so it cannot list or destroy a user\'s sessions: use MemoryStore, RedisStore, or add listUserSessions/destroyUserSessions to your store.',
      );
    }
    return store as Required<Pick<typeof store, 'listUserSessions' | 'destroyUserSessions'>>;
  }

  function checkUserId(userId: unknown): string {
    if (typeof userId !== 'string' || userId.length === 0 || userId.length > 256) {
      throw new SessionArgumentError('sessionkit: a user id is a string of 1 to 256 characters.');
    }
    return userId;
  }

  return {
    [MANAGER]: true,
    options: resolved,
    async load(jar) {
      return createSession<T>(context, jar, await loadState(readCookieValues(jar.cookieHeader, cookie.name)));
    },
    open(jar) {
      const values = readCookieValues(jar.cookieHeader, cookie.name);
      if (values.length > 0) return loadState(values).then((loaded) => createSession<T>(context, jar, loaded));
      // The state load() would build for this request, created only when the app asks for it.
      return () => createSession<T>(context, jar, freshState(false));
    },
    listUserSessions(userId) {
      const index = userIndex();
      return callStore('listUserSessions', resolved.storeTimeoutMs, () => index.listUserSessions(checkUserId(userId)));
    },
    destroyUserSessions(userId) {
      const index = userIndex();
      return callStore('destroyUserSessions', resolved.storeTimeoutMs, () => index.destroyUserSessions(checkUserId(userId)));
    },
  };
}

/** Tells a {@link SessionManager} from an options object. */
export function isSessionManager(value: unknown): value is SessionManager<object> {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MANAGER] === true;
}

/**
 * What adapters accept: options (a manager is created from them) or a manager created already, so
 * several apps or frameworks can share one.
 */
export function toSessionManager<T extends object = DefaultSessionData>(input: SessionOptions | SessionManager<T>): SessionManager<T> {
  return isSessionManager(input) ? (input as SessionManager<T>) : createSessionManager<T>(input as SessionOptions);
}
