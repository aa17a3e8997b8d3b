/**
 * The Session handed to request handlers: plain `data` plus verbs. Writes to `data` are buffered
 * and committed as a delta; `increment`, `regenerate` and `destroy` act on the store at once.
 *
 * @module
 */
import { diffData, isEmptyPatch, type Snapshot, serializeData } from './data-diff.js';
import { SessionArgumentError, SessionGoneError, SessionHeadersSentError, SessionStoreUnavailableError } from './errors.js';
import { serializeSessionCookie } from './cookie.js';
import { generateSessionId } from './id.js';
import type { ResolvedSessionOptions } from './options.js';
import type { CookiePayload, CookieSealer } from './seal.js';
import { callStore } from './store-guard.js';
import type { Session } from './session-types.js';
import type { CookieJar } from './types.js';
import { writeSessionHeaders } from './session-headers.js';

export type { Session } from './session-types.js';

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

const USER_ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** @internal Builds the session handle for one request. */
export function createSession<T extends object>(context: SessionContext, jar: CookieJar, loaded: LoadedState): Session<T> {
  const { options, sealer } = context;
  const { store, now } = options;
  const data = loaded.data;
  let snapshot = loaded.snapshot;
  let payload = loaded.payload;
  let stored = payload !== undefined;
  let pendingId: string | undefined;
  let cookieValue = loaded.cookieValue;
  let cookieNeedsSend = loaded.cookieNeedsResend;
  // Two facts: does the client hold any cookie of ours (then a clearing cookie is worth sending), and
  // does it hold the current one (if not, failing to send it would lose the session)?
  let clientHoldsCookie = loaded.requestHadCookie;
  let clientHoldsCurrent = loaded.payload !== undefined;
  let userId = loaded.userId;
  let userIdChanged = false;
  let persistent = payload?.persistent ?? options.cookie.persistent;
  let destroyed = false;
  let touchRequested = false;
  let commitChain: Promise<void> = Promise.resolve();

  const ttlMs = (): number => Math.min(options.idleTimeoutMs, (payload?.absoluteDeadlineMs ?? Infinity) - now());
  let storeFailure: SessionStoreUnavailableError | undefined;

  /**
   * Once the store failed in this request, later calls (the commit after an error response, above
   * all) fail at once instead of waiting out the store's deadline a second time.
   */
  async function guarded<R>(verb: string, call: () => Promise<R>): Promise<R> {
    if (storeFailure !== undefined) {
      throw new SessionStoreUnavailableError(
        `sessionkit: ${verb} skipped: the session store already failed during this request, so nothing was written.`,
        { cause: storeFailure },
      );
    }
    try {
      return await callStore(verb, options.storeTimeoutMs, call);
    } catch (error) {
      if (error instanceof SessionStoreUnavailableError) storeFailure = error;
      throw error;
    }
  }

  function clearData(): void {
    for (const key of Object.keys(data)) delete data[key];
    snapshot = new Map();
  }

  /** The store no longer has this session (logged out or expired elsewhere): end it here too. */
  function markGone(): void {
    if (cookieValue !== undefined) sealer.forget(cookieValue);
    stored = false;
    destroyed = true;
    payload = undefined;
    cookieValue = undefined;
    clearData();
  }

  function assertHeadersOpen(): void {
    if (jar.headersSent()) {
      throw new SessionHeadersSentError(
        'sessionkit: the response headers were already sent, so the new session cookie could not be set and the ' +
          'session would be lost. Call `await session.commit()` before streaming the response or calling writeHead.',
      );
    }
  }

  /** Sets (`value`) or clears (`undefined`) the cookie; `required` when losing it would lose the session. */
  function sendCookie(value: string | undefined, required: boolean): void {
    if (required) assertHeadersOpen();
    if (jar.headersSent()) return;
    const maxAgeMs = value === undefined ? 0 : persistent && payload ? Math.max(1000, ttlMs()) : undefined;
    jar.appendSetCookie(serializeSessionCookie(options.cookie, value ?? '', jar.secure, maxAgeMs));
    writeSessionHeaders(jar, options.cacheControl);
    clientHoldsCookie = value !== undefined;
    clientHoldsCurrent = value !== undefined;
  }

  async function commitOnce(): Promise<void> {
    if (destroyed) {
      if (clientHoldsCookie) sendCookie(undefined, false);
      return;
    }
    const current = serializeData(data, options.serializer, options.maxDataBytes);
    if (!stored) {
      if (current.size === 0 && !userIdChanged) {
        if (clientHoldsCookie) sendCookie(undefined, false);
        return;
      }
      // Checked before the write, so a session whose cookie cannot reach the client is never stored.
      assertHeadersOpen();
      const createdAt = now();
      const id = pendingId ?? generateSessionId();
      const meta = { createdAt, absoluteDeadlineMs: createdAt + options.absoluteTimeoutMs, userId };
      await guarded('create', () => store.create(id, { data: Object.fromEntries(current), meta }, options.idleTimeoutMs));
      payload = { id, issuedAt: createdAt, absoluteDeadlineMs: meta.absoluteDeadlineMs, persistent };
      stored = true;
      snapshot = current;
      userIdChanged = false;
      cookieValue = await sealer.seal(payload);
      sendCookie(cookieValue, true);
      cookieNeedsSend = false;
      return;
    }
    const id = (payload as CookiePayload).id;
    const patch = { ...diffData(snapshot, current), ...(userIdChanged ? { userId: userId ?? null } : {}) };
    if (!isEmptyPatch(patch)) {
      if ((await guarded('patch', () => store.patch(id, patch, ttlMs()))) === 'gone') return goneAtCommit();
      snapshot = current;
      userIdChanged = false;
    } else if (touchRequested) {
      if ((await guarded('touch', () => store.touch(id, ttlMs()))) === 'gone') return goneAtCommit();
    }
    touchRequested = false;
    if (cookieNeedsSend) {
      cookieValue ??= await sealer.seal(payload as CookiePayload);
      sendCookie(cookieValue, !clientHoldsCurrent);
      cookieNeedsSend = false;
    } else if (persistent) {
      // Rolling: the same sealed value with a fresh Max-Age, so browser and server expiry agree.
      sendCookie(cookieValue, false);
    }
    if (!jar.headersSent()) writeSessionHeaders(jar, options.cacheControl);
  }

  function goneAtCommit(): void {
    markGone();
    if (clientHoldsCookie) sendCookie(undefined, false);
  }

  const session: Session<T> = {
    get id() {
      return payload?.id ?? (pendingId ??= generateSessionId());
    },
    get isNew() {
      return loaded.payload === undefined;
    },
    get data() {
      return data as Partial<T>;
    },
    get userId() {
      return userId;
    },
    get isDestroyed() {
      return destroyed;
    },
    setUserId(next) {
      if (next !== undefined && (typeof next !== 'string' || !USER_ID_PATTERN.test(next))) {
        throw new SessionArgumentError('sessionkit: setUserId takes a string of 1 to 256 characters without control characters, or undefined.');
      }
      if (next === userId) return;
      userId = next;
      userIdChanged = true;
    },
    persist(enabled = true) {
      if (enabled === persistent) return;
      persistent = enabled;
      if (payload) payload = { ...payload, persistent };
      cookieValue = undefined;
      cookieNeedsSend = true;
    },
    async increment(key, by = 1) {
      if (!Number.isSafeInteger(by)) throw new SessionArgumentError('sessionkit: increment takes a whole number.');
      if (typeof key !== 'string' || key === '__proto__') throw new SessionArgumentError('sessionkit: increment takes a key name.');
      const local = data as Record<string, unknown>;
      if (!stored) {
        // Nobody else knows a session that is not stored yet, so a local add is exact; create() writes it.
        const base = local[key] ?? 0;
        if (typeof base !== 'number' || !Number.isSafeInteger(base)) {
          throw new SessionArgumentError(`sessionkit: session key "${key}" is not an integer; it cannot be incremented.`);
        }
        local[key] = base + by;
        return base + by;
      }
      const id = (payload as CookiePayload).id;
      const result = await guarded('increment', () => store.increment(id, key, by, ttlMs()));
      if (result === 'gone') {
        markGone();
        throw new SessionGoneError('sessionkit: the session ended (logged out or expired) while this request ran; increment was not applied.');
      }
      local[key] = result;
      snapshot.set(key, options.serializer.stringify(result));
      return result;
    },
    async regenerate() {
      const newId = generateSessionId();
      if (stored) {
        const oldId = (payload as CookiePayload).id;
        const result = await guarded('regenerate', () => store.regenerate(oldId, newId, ttlMs()));
        if (cookieValue !== undefined) sealer.forget(cookieValue);
        if (result === 'ok') {
          payload = { ...(payload as CookiePayload), id: newId };
          cookieValue = undefined;
          cookieNeedsSend = true;
          clientHoldsCurrent = false;
          return;
        }
        // Another request regenerated or destroyed it first: continue as a new session with this data.
        stored = false;
        payload = undefined;
        cookieValue = undefined;
        snapshot = new Map();
      }
      destroyed = false;
      pendingId = newId;
    },
    async destroy() {
      if (stored) await guarded('destroy', () => store.destroy((payload as CookiePayload).id));
      markGone();
    },
    touch() {
      touchRequested = true;
    },
    commit() {
      const run = commitChain.then(commitOnce);
      commitChain = run.catch(() => undefined);
      return run;
    },
  };
  return session;
}
