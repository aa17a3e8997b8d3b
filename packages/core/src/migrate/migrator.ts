/**
 * The import itself, run by the session manager for a request that carries no valid sessionkit
 * cookie but a verified cookie of an old library.
 *
 * The protocol, for one old session (`key` in the old store):
 * 1. read the old record (one script: missing, wrong type or too large means nothing to import);
 *    if it is a forwarding record, load the session it names and stop;
 * 2. build the sessionkit session from its data and create it in the store under a fresh id;
 * 3. claim the old record: one compare-and-set script replaces it with a forwarding record naming
 *    the new id, kept `forwardTtlMs`, only if the key still holds what step 1 read.
 *
 * Two requests carrying the same old cookie at the same moment both read the record and both
 * create a session, but only one claim succeeds: the other request deletes the session it created
 * and loads the winner's through the forwarding record. So one sessionkit session remains, both
 * requests are logged in, and the old record is imported once. Creating before claiming means the
 * forwarding record always names a session that exists, so the loser never waits or polls; and a
 * failure before the claim (sessionkit's store down) leaves the old record untouched, so the user's
 * retry imports it. The forwarding record is the only copy of the new id outside the new cookie,
 * lives at the old key (which already names the old session: no secret reaches a key name), and
 * expires after `forwardTtlMs`; after that the old cookie is worth nothing.
 *
 * @module
 */
import { readStoredData, serializeData, type Snapshot } from '../data-diff.js';
import { generateSessionId } from '../id.js';
import type { ResolvedSessionOptions } from '../options.js';
import { jsonSerializer } from '../serializer.js';
import type { LoadedState } from '../session-types.js';
import type { StoredSession } from '../store.js';
import { callStore } from '../store-guard.js';
import type { CookieJar } from '../types.js';
import type { Importer } from './importer.js';
import { carriesCookie } from './old-cookie.js';
import { claimOldRecord, forwardRecord, readForward, readOldRecord } from './old-store.js';
import { isRecord } from './records.js';

/** The user ids sessionkit accepts (the rule of `session.setUserId`). */
const USER_ID_PATTERN = /^[^\u0000-\u001f\u007f]{1,256}$/;

/**
 * Rounds of read, create and claim for one request. A claim fails only when the record changed
 * between the read and the claim; the next read then finds the winner's forwarding record. A
 * third failure means the old library (still running somewhere) keeps rewriting the record.
 */
const MAX_ATTEMPTS = 3;

const EMPTY: Snapshot = new Map();

/** @internal An old cookie that verified, and the importer it belongs to. */
export interface VerifiedOldCookie {
  readonly importer: Importer;
  readonly oldId: string;
}

/** What the new session is made of once mapped and serialized. */
interface Prepared {
  readonly record: StoredSession;
  readonly persistent: boolean;
}

/**
 * A jar that sends the old library's clearing cookies along with the first cookie line of the
 * session (its new cookie, or the clearing one if the request logged out): the old cookie goes
 * away in the same response that gives the client the sessionkit cookie, never in one that does not.
 */
function clearingAlong(jar: CookieJar, importer: Importer): CookieJar {
  let pending = true;
  return {
    get cookieHeader() {
      return jar.cookieHeader;
    },
    get secure() {
      return jar.secure;
    },
    appendSetCookie(line) {
      jar.appendSetCookie(line);
      if (!pending) return;
      pending = false;
      for (const clearing of importer.clearCookies(jar.secure)) jar.appendSetCookie(clearing);
    },
    getHeader: (name) => jar.getHeader(name),
    setHeader: (name, value) => jar.setHeader(name, value),
    headersSent: () => jar.headersSent(),
  };
}

/** @internal Runs the importers of one manager. */
export class Migrator {
  readonly #importers: readonly Importer[];
  readonly #options: ResolvedSessionOptions;

  constructor(importers: readonly Importer[], options: ResolvedSessionOptions) {
    this.#importers = importers;
    this.#options = options;
  }

  /**
   * The old cookies of a request that verify. Costs a scan of the header per importer; crypto only
   * for the importers whose cookie name the header carries; never a store call.
   */
  verify(cookieHeader: string | undefined): VerifiedOldCookie[] {
    const found: VerifiedOldCookie[] = [];
    if (cookieHeader === undefined) return found;
    for (const importer of this.#importers) {
      if (!carriesCookie(cookieHeader, importer.cookieName)) continue;
      let oldId: string | undefined;
      try {
        oldId = importer.verify(cookieHeader);
      } catch {
        oldId = undefined;
      }
      if (oldId !== undefined) found.push({ importer, oldId });
    }
    return found;
  }

  /**
   * Imports the first old session that yields one: the loaded state of the new (or, for a request
   * that lost the race, the winner's) sessionkit session, with the jar that clears the old cookie at
   * commit. A verified old cookie with nothing behind it is cleared now. `fresh` is what the request
   * has without an import.
   *
   * @throws {SessionStoreUnavailableError} either store failed or timed out (503)
   */
  async load(
    jar: CookieJar,
    verified: readonly VerifiedOldCookie[],
    fresh: LoadedState,
  ): Promise<{ loaded: LoadedState; jar: CookieJar }> {
    for (const { importer, oldId } of verified) {
      const loaded = await this.#import(importer, oldId, fresh.requestHadCookie);
      if (loaded !== undefined) return { loaded, jar: clearingAlong(jar, importer) };
      // Signed by the old library but nothing to import (expired, gone, malformed): stop the browser sending it.
      if (!jar.headersSent()) for (const line of importer.clearCookies(jar.secure)) jar.appendSetCookie(line);
    }
    return { loaded: fresh, jar };
  }

  async #import(importer: Importer, oldId: string, requestHadCookie: boolean): Promise<LoadedState | undefined> {
    const { store, storeTimeoutMs, idleTimeoutMs } = this.#options;
    const key = importer.storeKey(oldId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const read = await callStore(`import read (${importer.peer})`, storeTimeoutMs, () =>
        readOldRecord(importer.client, key, importer.maxRecordBytes),
      );
      if (read.kind !== 'value') return undefined;
      const forward = readForward(read.value);
      if (forward !== undefined) return this.#follow(forward.id, forward.persistent, requestHadCookie);
      const prepared = await this.#prepare(importer, read.value);
      if (prepared === undefined) return undefined;
      const id = generateSessionId();
      const created = await callStore('create', storeTimeoutMs, () => store.create(id, prepared.record, idleTimeoutMs));
      // A "log out everywhere" of this user raced the create: nothing was stored, nothing is imported.
      if ((created as 'ok' | 'gone' | undefined) === 'gone') return undefined;
      const claim = await callStore(`import claim (${importer.peer})`, storeTimeoutMs, () =>
        claimOldRecord(importer.client, key, read.value, forwardRecord(id, prepared.persistent), importer.forwardTtlMs),
      );
      if (claim === 'claimed') return this.#stateOf(id, prepared.record, prepared.persistent, requestHadCookie);
      // Another request claimed the record first (or it vanished): this session must not exist.
      await callStore('destroy', storeTimeoutMs, () => store.destroy(id));
      if (claim === 'gone') return undefined;
    }
    return undefined;
  }

  /** The session a forwarding record names, as the request that created it left it. */
  async #follow(id: string, persistent: boolean, requestHadCookie: boolean): Promise<LoadedState | undefined> {
    const { store, storeTimeoutMs, idleTimeoutMs, now } = this.#options;
    const record = await callStore('load', storeTimeoutMs, () => store.load(id, idleTimeoutMs));
    // Gone: the winner's request logged out or regenerated it meanwhile, which this request must not undo.
    if (record === undefined || record.meta.absoluteDeadlineMs <= now()) return undefined;
    return this.#stateOf(id, record, persistent, requestHadCookie);
  }

  /**
   * The old record as a sessionkit session, or `undefined` for anything that is not a live session
   * of the old library or that `map` refuses: not JSON, not an object, expired, too large for
   * `maxDataBytes`, values that do not serialize, a user id sessionkit would refuse. Never throws.
   */
  async #prepare(importer: Importer, raw: string): Promise<Prepared | undefined> {
    const { serializer, maxDataBytes, absoluteTimeoutMs, now } = this.#options;
    try {
      // The default serializer's parse drops `__proto__`, `constructor` and `prototype` keys at any depth.
      const parsed = jsonSerializer.parse(raw);
      if (!isRecord(parsed)) return undefined;
      const old = importer.readRecord(parsed, now());
      if (old === undefined) return undefined;
      const mapped = await importer.map(old.data, { peer: importer.peer, persistent: old.persistent });
      if (!isRecord(mapped) || !isRecord(mapped.data)) return undefined;
      const { userId } = mapped;
      if (userId !== undefined && (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId))) return undefined;
      const snapshot = serializeData(mapped.data, serializer, maxDataBytes, EMPTY);
      const createdAt = now();
      return {
        record: {
          data: Object.fromEntries(snapshot),
          meta: { createdAt, absoluteDeadlineMs: createdAt + absoluteTimeoutMs, userId },
        },
        persistent: typeof mapped.persistent === 'boolean' ? mapped.persistent : old.persistent,
      };
    } catch {
      return undefined;
    }
  }

  /** The loaded state of a stored session the client has no cookie for yet. */
  #stateOf(id: string, record: StoredSession, persistent: boolean, requestHadCookie: boolean): LoadedState {
    const { data, snapshot } = readStoredData(record.data, this.#options.serializer);
    return {
      payload: { id, issuedAt: record.meta.createdAt, absoluteDeadlineMs: record.meta.absoluteDeadlineMs, persistent },
      cookieValue: undefined,
      cookieNeedsResend: true,
      requestHadCookie,
      data,
      snapshot,
      userId: record.meta.userId,
    };
  }
}
