/**
 * The session manager: created once from options, it loads the session of each request from the
 * cookie bridge an adapter builds, and offers the per-user operations ("log out everywhere").
 *
 * @module
 */
import { readCookieValues } from './cookie.js';
import { readStoredData } from './data-diff.js';
import { SessionArgumentError, SessionConfigError } from './errors.js';
import { Migrator, type VerifiedOldCookie } from './migrate/migrator.js';
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
   * expired or unknown cookie gives a new, empty session, never an error. When the header carries
   * the cookie name several times, values that are not our valid seals are ignored, and two
   * different valid sessions give no session. With `migrateFrom`, a request with no live session
   * of ours and a verified cookie of the old library gets that library's session, imported.
   * @throws {SessionStoreUnavailableError} the store failed or timed out (503)
   */
  load(jar: CookieJar): Promise<Session<T>>;
  /**
   * Whether {@link load} has anything to read for this request: a value shaped like one of our
   * seals (a valid seal of a session that is gone still loads, so its commit can clear it), or,
   * with `migrateFrom`, a verified cookie of the old library. Values of any other shape are not
   * ours and count as no cookie. When false, {@link createNew} gives the session `load` would, at
   * once and with no store call, so an adapter can put off creating the session, and the work of
   * committing it, until the app first touches it (never, for assets, health checks and bots).
   */
  needsLoad(jar: CookieJar): boolean;
  /**
   * The new, empty session of a request for which {@link needsLoad} is false: synchronous, no
   * store call. It is stored (and its cookie set) only once it holds data.
   */
  createNew(jar: CookieJar): Session<T>;
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
 * At most this many values that look like our seals ({@link CookieSealer.isWellFormed}) are
 * verified for one request. A browser holds our cookie under a path or two, a domain or two; more
 * candidates than this are planted values, and the request gets no session (and no clearing
 * cookie) without any crypto at all.
 *
 * @internal
 */
export const MAX_SEALS_PER_REQUEST = 4;

/**
 * What the session cookie values of a request come to: the one session they name, `'expired'`
 * when the only seals of ours in them are past their absolute deadline (ours, so worth clearing),
 * or `'none'`: nothing of ours, which includes values that fail the MAC or name a secret we do not
 * have, too many candidates, and two different live sessions (see {@link pickCookie}).
 */
type Picked = { readonly value: string; readonly unsealed: UnsealedCookie } | 'expired' | 'none';

/**
 * Picks the session of a request from its well-formed candidate values, in any order and number.
 * Values that do not verify are not ours and count for nothing: a sibling subdomain can plant any
 * number of them ("cookie tossing"). Exactly one live session must remain: two different valid
 * sessions (the client's own and a planted one, or stale cookies on two paths) mean no session,
 * and no clearing cookie either, since it would delete the cookie on our own path and domain,
 * which is the victim's, and leave the planted one. Two seals of the same session (an old-secret
 * one and its re-seal) are that session, preferring the current-secret seal.
 */
async function pickCookie(sealer: CookieSealer, candidates: readonly string[], nowMs: number): Promise<Picked> {
  if (candidates.length > MAX_SEALS_PER_REQUEST) return 'none';
  const opened =
    candidates.length === 1
      ? [{ value: candidates[0] as string, unsealed: await sealer.unseal(candidates[0] as string) }]
      : await Promise.all(candidates.map(async (value) => ({ value, unsealed: await sealer.unseal(value) })));
  let picked: { value: string; unsealed: UnsealedCookie } | undefined;
  let expired = false;
  for (const { value, unsealed } of opened) {
    if (unsealed === undefined) continue;
    if (unsealed.payload.absoluteDeadlineMs <= nowMs) {
      expired = true;
      continue;
    }
    if (picked === undefined) picked = { value, unsealed };
    else if (picked.unsealed.payload.id !== unsealed.payload.id) return 'none';
    else if (unsealed.sealedWithCurrentSecret && !picked.unsealed.sealedWithCurrentSecret) picked = { value, unsealed };
  }
  return picked ?? (expired ? 'expired' : 'none');
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
export function createSessionManager<T extends object = DefaultSessionData>(
  options: SessionOptions,
): SessionManager<T> {
  const resolved = resolveOptions(options);
  const { store, now, cookie } = resolved;
  const sealer = new CookieSealer(resolved.secrets, resolved.cookieCacheSize);
  const context: SessionContext = { options: resolved, sealer };
  // Off unless configured: without importers no request pays anything for them.
  const migrator = resolved.migrateFrom.length > 0 ? new Migrator(resolved.migrateFrom, resolved) : undefined;

  /** The values of the session cookie that could be our seals (shape only, no crypto). */
  function candidateSeals(cookieHeader: string | undefined): string[] {
    const values = readCookieValues(cookieHeader, cookie.name);
    return values.length === 0 ? values : values.filter((value) => sealer.isWellFormed(value));
  }

  /**
   * `requestHadCookie` says whether the client holds a cookie of ours, so that a commit with no
   * session clears it: true for a valid seal whose session is gone, expired or unknown to the
   * store, false when no value verifies. A clearing cookie sent for planted values would delete
   * the victim's own cookie instead.
   */
  async function loadState(candidates: readonly string[]): Promise<LoadedState> {
    if (candidates.length === 0) return freshState(false);
    const nowMs = now();
    const picked = await pickCookie(sealer, candidates, nowMs);
    if (picked === 'none') return freshState(false);
    if (picked === 'expired') return freshState(true);
    const { payload, sealedWithCurrentSecret } = picked.unsealed;
    // Positive: pickCookie passes only seals before their deadline.
    const remainingMs = payload.absoluteDeadlineMs - nowMs;
    const ttlMs = Math.min(resolved.idleTimeoutMs, remainingMs);
    const record = await callStore('load', resolved.storeTimeoutMs, () => store.load(payload.id, ttlMs, nowMs));
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

  /** The import of a verified old cookie (or the fresh state when there is nothing to import). */
  async function importOld(
    jar: CookieJar,
    verified: readonly VerifiedOldCookie[],
    fresh: LoadedState,
  ): Promise<Session<T>> {
    const imported = await (migrator as Migrator).load(jar, verified, fresh);
    return createSession<T>(context, imported.jar, imported.loaded);
  }

  /**
   * {@link loadState} with importers configured: an old cookie is looked at only when no live
   * session of ours was found, and costs crypto only when its name is in the header.
   */
  async function loadOrImport(jar: CookieJar, candidates: readonly string[]): Promise<Session<T>> {
    const loaded = await loadState(candidates);
    const verified = loaded.payload === undefined ? (migrator as Migrator).verify(jar.cookieHeader) : [];
    return verified.length > 0 ? importOld(jar, verified, loaded) : createSession<T>(context, jar, loaded);
  }

  function userIndex(): Required<Pick<typeof store, 'listUserSessions' | 'destroyUserSessions'>> {
    if (typeof store.listUserSessions !== 'function' || typeof store.destroyUserSessions !== 'function') {
      throw new SessionConfigError(
        "sessionkit: this store keeps no user index, so it cannot list or destroy a user's sessions: " +
          'use MemoryStore, RedisStore, or add listUserSessions/destroyUserSessions to your store.',
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
      const candidates = candidateSeals(jar.cookieHeader);
      if (migrator !== undefined) return loadOrImport(jar, candidates);
      return createSession<T>(context, jar, await loadState(candidates));
    },
    needsLoad(jar) {
      if (candidateSeals(jar.cookieHeader).length > 0) return true;
      return migrator !== undefined && migrator.verify(jar.cookieHeader).length > 0;
    },
    createNew(jar) {
      return createSession<T>(context, jar, freshState(false));
    },
    listUserSessions(userId) {
      const index = userIndex();
      return callStore('listUserSessions', resolved.storeTimeoutMs, () =>
        index.listUserSessions(checkUserId(userId), now()),
      );
    },
    destroyUserSessions(userId) {
      const index = userIndex();
      return callStore('destroyUserSessions', resolved.storeTimeoutMs, () =>
        index.destroyUserSessions(checkUserId(userId), now()),
      );
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
export function toSessionManager<T extends object = DefaultSessionData>(
  input: SessionOptions | SessionManager<T>,
): SessionManager<T> {
  return isSessionManager(input) ? (input as SessionManager<T>) : createSessionManager<T>(input as SessionOptions);
}
