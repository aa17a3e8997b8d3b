/**
 * The Session handed to request handlers: plain `data` plus verbs. Writes to `data` are buffered
 * and committed as a delta; `increment`, `regenerate` and `destroy` act on the store at once.
 *
 * @module
 */
import { type CommitPlan, planCommit, type SessionState } from './commit-plan.js';
import { diffData, isEmptyPatch, readStoredData, type Snapshot, serializeData } from './data-diff.js';
import {
  SessionArgumentError,
  SessionGoneError,
  SessionHeadersSentError,
  SessionStoreUnavailableError,
} from './errors.js';
import { serializeSessionCookie } from './cookie.js';
import { generateSessionId } from './id.js';
import type { ResolvedSessionOptions } from './options.js';
import type { CookiePayload, CookieSealer } from './seal.js';
import { callStore } from './store-guard.js';
import type { LoadedState, RegenerateOptions, RegenerateOutcome, Session, SessionContext } from './session-types.js';
import type { SessionPatch, SessionStore } from './store.js';
import type { CookieJar, NumericKeys } from './types.js';
import { writeSessionHeaders } from './session-headers.js';

export type { LoadedState, RegenerateOptions, RegenerateOutcome, Session, SessionContext } from './session-types.js';

const USER_ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,256}$/;

const EMPTY: Snapshot = new Map();

/** @internal The key of the method behind {@link startCommit}. */
const START_COMMIT = Symbol('sessionkit.startCommit');
/** @internal The key of the method behind {@link destroyAtCommit}. */
const DESTROY_AT_COMMIT = Symbol('sessionkit.destroyAtCommit');

/** What the executor needs beside the plan: the data as it will be stored, and the patch. */
interface Prepared {
  readonly plan: CommitPlan;
  readonly current: Snapshot;
  readonly patch: SessionPatch | undefined;
}

/**
 * @internal The session handle for one request. A class with private fields, not closures: a
 * request allocates one object instead of some 25 functions (the bench measured the closures at
 * 2.5 KB and part of the GC time per request).
 *
 * Its state is explicit ({@link SessionState}); a commit asks {@link planCommit} what to do and
 * carries the plan out, synchronously when the plan needs no store call.
 */
class SessionHandle<T extends object> implements Session<T> {
  readonly #options: ResolvedSessionOptions;
  readonly #sealer: CookieSealer;
  readonly #jar: CookieJar;
  readonly #data: Record<string, unknown>;
  readonly #isNew: boolean;
  #state: SessionState;
  /** What the store holds, by key, as last read or written. */
  #snapshot: Snapshot;
  /** The cookie payload of the stored session (undefined unless `stored`). */
  #payload: CookiePayload | undefined;
  /** The id a new session will be created under, fixed once read or regenerated. */
  #pendingId: string | undefined;
  #cookieValue: string | undefined;
  #cookieNeedsSend: boolean;
  // Two facts: does the client hold any cookie of ours (then a clearing cookie is worth sending), and
  // does it hold the current one (if not, failing to send it would lose the session)?
  #clientHoldsCookie: boolean;
  #clientHoldsCurrent: boolean;
  #userId: string | undefined;
  #userIdChanged = false;
  #persistent: boolean;
  #touchRequested = false;
  #commitChain: Promise<void> | undefined;
  #storeFailure: SessionStoreUnavailableError | undefined;
  /** A destroy started by `req.session = null`, which the next commit waits for (and reports). */
  #pendingDestroy: Promise<void> | undefined;

  constructor(context: SessionContext, jar: CookieJar, loaded: LoadedState) {
    this.#options = context.options;
    this.#sealer = context.sealer;
    this.#jar = jar;
    this.#data = loaded.data;
    this.#isNew = loaded.payload === undefined;
    this.#state = loaded.payload === undefined ? 'new' : 'stored';
    this.#snapshot = loaded.snapshot;
    this.#payload = loaded.payload;
    this.#cookieValue = loaded.cookieValue;
    this.#cookieNeedsSend = loaded.cookieNeedsResend;
    this.#clientHoldsCookie = loaded.requestHadCookie;
    this.#clientHoldsCurrent = loaded.payload !== undefined;
    this.#userId = loaded.userId;
    this.#persistent = loaded.payload?.persistent ?? context.options.cookie.persistent;
  }

  get id(): string {
    return this.#payload?.id ?? (this.#pendingId ??= generateSessionId());
  }

  get isNew(): boolean {
    return this.#isNew;
  }

  get data(): Partial<T> {
    return this.#data as Partial<T>;
  }

  get userId(): string | undefined {
    return this.#userId;
  }

  get isDestroyed(): boolean {
    return this.#state === 'gone';
  }

  get absoluteDeadlineMs(): number | undefined {
    return this.#state === 'stored' ? this.#payload?.absoluteDeadlineMs : undefined;
  }

  get isPersistent(): boolean {
    return this.#persistent;
  }

  get cookieLifetimeMs(): number | undefined {
    return this.#persistent ? Math.max(0, this.#ttlMs()) : undefined;
  }

  setUserId(next: string | undefined): void {
    if (next !== undefined && (typeof next !== 'string' || !USER_ID_PATTERN.test(next))) {
      throw new SessionArgumentError(
        'sessionkit: setUserId takes a string of 1 to 256 characters without control characters, or undefined.',
      );
    }
    if (next === this.#userId) return;
    this.#userId = next;
    this.#userIdChanged = true;
  }

  persist(enabled = true): void {
    if (enabled === this.#persistent) return;
    this.#persistent = enabled;
    if (this.#payload) this.#payload = { ...this.#payload, persistent: enabled };
    this.#cookieValue = undefined;
    this.#cookieNeedsSend = true;
  }

  async increment(key: NumericKeys<T>, by = 1): Promise<number> {
    if (!Number.isSafeInteger(by)) throw new SessionArgumentError('sessionkit: increment takes a whole number.');
    if (typeof key !== 'string' || key === '__proto__') {
      throw new SessionArgumentError('sessionkit: increment takes a key name.');
    }
    const local = this.#data;
    const payload = this.#payload;
    if (this.#state !== 'stored' || payload === undefined) {
      // Nobody else knows a session that is not stored yet, so a local add is exact; create() writes it.
      const base = local[key] ?? 0;
      if (typeof base !== 'number' || !Number.isSafeInteger(base)) {
        throw new SessionArgumentError(`sessionkit: session key "${key}" is not an integer; it cannot be incremented.`);
      }
      // The same bound every store keeps (docs/store-contract.md): past 2^53 a number loses digits.
      if (!Number.isSafeInteger(base + by)) {
        throw new SessionArgumentError(`sessionkit: incrementing "${key}" would pass 2^53 - 1; nothing was changed.`);
      }
      local[key] = base + by;
      return base + by;
    }
    const ttlMs = this.#ttlMs();
    const nowMs = this.#options.now();
    const result = await this.#guarded('increment', (store) => store.increment(payload.id, key, by, ttlMs, nowMs));
    if (result === 'gone') {
      this.#markGone();
      throw new SessionGoneError(
        'sessionkit: the session ended (logged out or expired) while this request ran; increment was not applied.',
      );
    }
    local[key] = result;
    this.#snapshot.set(key, this.#options.serializer.stringify(result));
    return result;
  }

  async regenerate(options: RegenerateOptions = {}): Promise<RegenerateOutcome> {
    const keepData = options.keepData ?? true;
    const newId = generateSessionId();
    const payload = this.#payload;
    if (this.#state === 'stored' && payload !== undefined) {
      const ttlMs = this.#ttlMs();
      const nowMs = this.#options.now();
      const result = await this.#guarded('regenerate', (store) => store.regenerate(payload.id, newId, ttlMs, nowMs));
      if (result === 'gone') {
        // Logged out, expired or regenerated by another request first: a logout is never undone, so
        // nothing is created, and the data and user this request still held are dropped.
        this.#markGone();
        // Asked for an empty session anyway (a login): it starts fresh, with nothing of the old one.
        if (!keepData) {
          this.#startFresh(newId);
          return 'restarted';
        }
        throw new SessionGoneError(
          'sessionkit: the session ended (logged out, expired, or regenerated by a concurrent request) before ' +
            'regenerate ran; no session was created. Answer as for a logged-out user.',
        );
      }
      if (this.#cookieValue !== undefined) this.#sealer.forget(this.#cookieValue);
      this.#cookieValue = undefined;
      this.#cookieNeedsSend = true;
      this.#clientHoldsCurrent = false;
      if (keepData) {
        this.#payload = { ...payload, id: newId };
        return 'regenerated';
      }
      // An empty session in its place: the moved one is deleted, and the next commit creates the
      // new session (fresh deadline) from what the app puts in it. The regenerate above decided,
      // atomically, that this request may replace the session at all.
      await this.#guarded('destroy', (store) => store.destroy(newId));
      // Another id again: the moved one sat in the user index, where a "log out everywhere" may
      // have tombstoned it meanwhile.
      this.#startFresh(generateSessionId());
      return 'regenerated';
    }
    // Not stored (new, or ended earlier in this request): a new id for the session to come.
    const ended = this.#state === 'gone';
    if (ended || !keepData) this.#startFresh(newId);
    this.#pendingId = newId;
    return ended ? 'restarted' : 'regenerated';
  }

  async reload(): Promise<void> {
    const payload = this.#payload;
    if (this.#state === 'gone') throw this.#goneError('reload');
    if (this.#state !== 'stored' || payload === undefined) return;
    const ttlMs = this.#ttlMs();
    const nowMs = this.#options.now();
    const record = await this.#guarded('load', (store) => store.load(payload.id, ttlMs, nowMs));
    if (record === undefined || record.meta.absoluteDeadlineMs <= this.#options.now()) {
      this.#markGone();
      throw this.#goneError('reload');
    }
    const { data, snapshot } = readStoredData(record.data, this.#options.serializer);
    this.#clearData();
    Object.assign(this.#data, data);
    this.#snapshot = snapshot;
    this.#userId = record.meta.userId;
    this.#userIdChanged = false;
  }

  async destroy(): Promise<void> {
    const payload = this.#payload;
    if (this.#state === 'stored' && payload !== undefined) {
      await this.#guarded('destroy', (store) => store.destroy(payload.id));
    }
    this.#markGone();
  }

  touch(): void {
    this.#touchRequested = true;
  }

  commit(): Promise<void> {
    return this[START_COMMIT]() ?? Promise.resolve();
  }

  /**
   * @internal Starts a commit: `undefined` when it finished synchronously (no store call was
   * needed), else its promise. Commits run one after another; the common case starts at once.
   */
  [START_COMMIT](): Promise<void> | undefined {
    let run: Promise<void> | undefined;
    if (this.#commitChain !== undefined) {
      run = this.#commitChain.then(() => this.#commitOnce());
    } else {
      try {
        run = this.#commitOnce();
      } catch (error) {
        // Refused before any I/O (too large, not serializable, headers sent): a rejection, never a throw.
        return Promise.reject(error);
      }
      if (run === undefined) return undefined;
    }
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#commitChain = settled;
    void settled.then(() => {
      if (this.#commitChain === settled) this.#commitChain = undefined;
    });
    return run;
  }

  /** @internal Starts a destroy that the next commit waits for (`req.session = null`). */
  [DESTROY_AT_COMMIT](): void {
    const destroying = this.destroy();
    // The commit reports a failure; this catch only keeps the rejection from going unhandled meanwhile.
    destroying.catch(() => undefined);
    this.#pendingDestroy = destroying;
  }

  #ttlMs(): number {
    return Math.min(this.#options.idleTimeoutMs, (this.#payload?.absoluteDeadlineMs ?? Infinity) - this.#options.now());
  }

  /**
   * Once the store failed in this request, later calls (the commit after an error response, above
   * all) fail at once instead of waiting out the store's deadline a second time.
   */
  async #guarded<R>(verb: string, call: (store: SessionStore) => Promise<R>): Promise<R> {
    if (this.#storeFailure !== undefined) {
      throw new SessionStoreUnavailableError(
        `sessionkit: ${verb} skipped: the session store already failed during this request, so nothing was written.`,
        { cause: this.#storeFailure },
      );
    }
    const { store, storeTimeoutMs } = this.#options;
    try {
      return await callStore(verb, storeTimeoutMs, () => call(store));
    } catch (error) {
      if (error instanceof SessionStoreUnavailableError) this.#storeFailure = error;
      throw error;
    }
  }

  /** The store no longer has this session (logged out or expired elsewhere, or destroyed here). */
  #markGone(): void {
    if (this.#cookieValue !== undefined) this.#sealer.forget(this.#cookieValue);
    this.#state = 'gone';
    this.#payload = undefined;
    this.#cookieValue = undefined;
    this.#clearData();
    this.#userId = undefined;
    this.#userIdChanged = false;
  }

  /** An empty, unsaved session under `id`: what a regenerate without data leaves. */
  #startFresh(id: string): void {
    this.#state = 'new';
    this.#payload = undefined;
    this.#pendingId = id;
    this.#clearData();
    this.#userId = undefined;
    this.#userIdChanged = false;
  }

  #clearData(): void {
    for (const key of Object.keys(this.#data)) delete this.#data[key];
    this.#snapshot = new Map();
  }

  #assertHeadersOpen(): void {
    if (this.#jar.headersSent()) {
      throw new SessionHeadersSentError(
        'sessionkit: the response headers were already sent, so the new session cookie could not be set and the ' +
          'session would be lost. Call `await session.commit()` before streaming the response or calling writeHead.',
      );
    }
  }

  /** Sets (`value`) or clears (`undefined`) the cookie; `required` when losing it would lose the session. */
  #sendCookie(value: string | undefined, required: boolean): void {
    if (required) this.#assertHeadersOpen();
    const jar = this.#jar;
    if (jar.headersSent()) return;
    const maxAgeMs =
      value === undefined ? 0 : this.#persistent && this.#payload ? Math.max(1000, this.#ttlMs()) : undefined;
    jar.appendSetCookie(serializeSessionCookie(this.#options.cookie, value ?? '', jar.secure, maxAgeMs));
    this.#clientHoldsCookie = value !== undefined;
    this.#clientHoldsCurrent = value !== undefined;
  }

  /** Reads the session's facts and asks {@link planCommit} what this commit does. */
  #prepare(): Prepared {
    const options = this.#options;
    const state = this.#state;
    const current =
      state === 'gone' ? EMPTY : serializeData(this.#data, options.serializer, options.maxDataBytes, this.#snapshot);
    let patch: SessionPatch | undefined;
    if (state === 'stored') {
      patch = {
        ...diffData(this.#snapshot, current),
        ...(this.#userIdChanged ? { userId: this.#userId ?? null } : {}),
      };
    }
    const plan = planCommit({
      state,
      hasData: current.size > 0,
      changed: patch !== undefined && !isEmptyPatch(patch),
      userIdChanged: this.#userIdChanged,
      touchRequested: this.#touchRequested,
      cookieNeedsSend: this.#cookieNeedsSend,
      clientHoldsCookie: this.#clientHoldsCookie,
      persistent: this.#persistent,
    });
    return { plan, current, patch };
  }

  #commitOnce(): Promise<void> | undefined {
    const pendingDestroy = this.#pendingDestroy;
    if (pendingDestroy !== undefined) {
      this.#pendingDestroy = undefined;
      return pendingDestroy.then(() => this.#commitOnce());
    }
    const prepared = this.#prepare();
    const { plan } = prepared;
    if (plan.store === 'none') {
      this.#finish(plan);
      return undefined;
    }
    return this.#commitAsync(prepared);
  }

  async #commitAsync({ plan, current, patch }: Prepared): Promise<void> {
    const options = this.#options;
    if (plan.store === 'create') {
      // Checked before the write, so a session whose cookie cannot reach the client is never stored.
      this.#assertHeadersOpen();
      const createdAt = options.now();
      const id = this.#pendingId ?? generateSessionId();
      const meta = { createdAt, absoluteDeadlineMs: createdAt + options.absoluteTimeoutMs, userId: this.#userId };
      const record = { data: Object.fromEntries(current), meta };
      const created = await this.#guarded('create', (store) =>
        store.create(id, record, options.idleTimeoutMs, createdAt),
      );
      // A "log out everywhere" of this user ran while the session was being created: it never existed.
      if (created === 'gone') return this.#goneAtCommit();
      this.#state = 'stored';
      this.#payload = {
        id,
        issuedAt: createdAt,
        absoluteDeadlineMs: meta.absoluteDeadlineMs,
        persistent: this.#persistent,
      };
      this.#clientHoldsCurrent = false;
    } else if (plan.store === 'patch' || plan.store === 'touch') {
      const id = (this.#payload as CookiePayload).id;
      const ttlMs = this.#ttlMs();
      const nowMs = options.now();
      const result =
        plan.store === 'patch'
          ? await this.#guarded('patch', (store) => store.patch(id, patch as SessionPatch, ttlMs, nowMs))
          : await this.#guarded('touch', (store) => store.touch(id, ttlMs, nowMs));
      if (result === 'gone') return this.#goneAtCommit();
    }
    this.#snapshot = current;
    this.#userIdChanged = false;
    this.#finish(plan);
  }

  /** The synchronous end of every commit: the cookie and the session headers. */
  #finish(plan: CommitPlan): void {
    this.#touchRequested = false;
    switch (plan.cookie) {
      case 'clear':
        this.#sendCookie(undefined, false);
        break;
      case 'set':
        // Sealing is synchronous (node:crypto, about 12 µs), done once per session and id.
        this.#cookieValue ??= this.#sealer.seal(this.#payload as CookiePayload);
        this.#sendCookie(this.#cookieValue, !this.#clientHoldsCurrent);
        this.#cookieNeedsSend = false;
        break;
      case 'refresh':
        // Rolling: the same sealed value with a fresh Max-Age, so browser and server expiry agree.
        this.#sendCookie(this.#cookieValue, false);
        break;
      case 'none':
        break;
    }
    if (plan.sessionHeaders && !this.#jar.headersSent()) writeSessionHeaders(this.#jar, this.#options.cacheControl);
  }

  #goneError(verb: string): SessionGoneError {
    return new SessionGoneError(`sessionkit: the session ended (logged out or expired) before ${verb} ran.`);
  }

  /** The store answered `gone` at commit: the session ended elsewhere, so this response clears it. */
  #goneAtCommit(): void {
    this.#markGone();
    this.#finish(this.#prepare().plan);
  }
}

/** @internal Builds the session handle for one request. */
export function createSession<T extends object>(
  context: SessionContext,
  jar: CookieJar,
  loaded: LoadedState,
): Session<T> {
  return new SessionHandle<T>(context, jar, loaded);
}

/**
 * For adapters: starts `session.commit()` and tells whether it finished at once. `undefined` means
 * the commit needed no store call and is done (its headers are on the response), so a framework hook
 * can answer synchronously: Fastify, for one, only sees a reply sent from an async hook as sent if
 * its `onSend` hooks finish synchronously. Otherwise the commit's promise.
 *
 * @param session - the session of the request
 */
export function startCommit(session: Session<object>): Promise<void> | undefined {
  return (session as unknown as { [START_COMMIT](): Promise<void> | undefined })[START_COMMIT]();
}

/**
 * For adapters: what `req.session = null` (Express) or `ctx.session = null` (Koa) means, the logout
 * idiom of express-session, cookie-session and koa-session. The session is destroyed now (the call
 * returns at once); the commit that goes with the response waits for the destroy, reports its
 * failure (a 503 when the store is down, so a logout never silently fails), and clears the cookie.
 *
 * @param session - the session of the request
 */
export function destroyAtCommit(session: Session<object>): void {
  (session as unknown as { [DESTROY_AT_COMMIT](): void })[DESTROY_AT_COMMIT]();
}
