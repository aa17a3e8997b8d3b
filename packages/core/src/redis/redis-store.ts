/**
 * RedisStore: sessions in Redis through ioredis, one hash per session, one Lua script per
 * operation. The production store of sessionkit.
 *
 * @module
 */
import { SessionArgumentError, SessionConfigError } from '../errors.js';
import { isValidSessionId } from '../id.js';
import type { Gone, ReadSession, SessionPatch, SessionStore, StoredSession } from '../store.js';
import { loadByReading, slideToleranceMs } from '../store-slide.js';
import type { RedisClientLike } from './client-types.js';
import { decodeSession, encodeSessionFields, replyStatus } from './hash-codec.js';
import { readSessionHash } from './hash-read.js';
import { dataField, META_FIELDS, sessionKey } from './keys.js';
import { runScript } from './lua-script.js';
import {
  CLAIM_SCRIPT,
  CREATE_SCRIPT,
  DEADLINE_SCRIPT,
  DESTROY_SCRIPT,
  INCREMENT_SCRIPT,
  PATCH_SCRIPT,
  TOUCH_SCRIPT,
} from './session-scripts.js';
import {
  addToUserIndex,
  destroyUserSessionIds,
  listUserSessionIds,
  readUserGeneration,
  removeFromUserIndex,
  type UserIndexContext,
} from './user-index.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * An ioredis client: `Redis` (standalone, or Sentinel with `sentinels` and `name`) or `Cluster`,
   * ioredis 5 or 6, RESP2 or RESP3. Build it with `createRedisClient`, or see
   * `REDIS_CLIENT_SETTINGS` for the options a session store relies on. The store never closes it.
   */
  readonly client: RedisClientLike;
  /**
   * Prefix of every key the store writes: sessions at `<prefix><id>`, user indexes at
   * `<prefix>user:<userId>`. Stores with different prefixes never see each other's sessions.
   * @default 'session:'
   */
  readonly prefix?: string;
}

/**
 * How far a read must move the expiry before it is worth a write: the core's one tolerance for
 * every store (5% of the idle TTL, at most a minute), re-exported here where docs/redis-store.md
 * names it. A read is one `HGETALL` and writes nothing (no PEXPIRE per request to replicate and
 * append to the AOF) unless a slide is due.
 */
export { slideToleranceMs };

/**
 * Sessions in Redis. Every write is one Lua script on one key, so it is atomic on a standalone
 * server, behind Sentinel and on a Cluster (where no command ever spans two slots):
 * - `read` is one `HGETALL` and never writes; the manager (or `load`, through `loadByReading`)
 *   slides the expiry with the touch script, capped by the absolute deadline, only when that would
 *   move it by more than {@link slideToleranceMs}, i.e. about once per 5% of the idle timeout per
 *   session;
 * - every script gets the app's clock (`nowMs`, which the manager passes) for the absolute deadline;
 *   the idle expiry is Redis's own `PEXPIRE`, relative, so app-to-Redis skew never changes it;
 * - `patch` writes only changed and removed fields, and never on a session that is gone;
 * - `increment` is HINCRBY, exact under any concurrency;
 * - writes (patch, increment, touch) slide the expiry by the same rule as reads, decided in their
 *   script: only when due, so a write a moment after the last slide is one HMGET and one HSET or
 *   HINCRBY inside its script, with no PEXPIRE;
 * - failures reject with `SessionStoreUnavailableError`; corrupt or foreign keys mean "no session".
 *
 * Ids are checked with `isValidSessionId` before any command: an invalid id reads as an unknown
 * session (`undefined`, `'gone'`, a no-op destroy), except as the id of a new session (`create`,
 * the new id of `regenerate`), where it is a bug and throws a `SessionArgumentError`.
 *
 * @example
 * ```ts
 * import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
 * const store = new RedisStore({ client: createRedisClient(process.env.REDIS_URL!) });
 * ```
 */
export class RedisStore implements SessionStore {
  /** The ioredis client given at construction. */
  readonly client: RedisClientLike;
  /** The key prefix in force. */
  readonly prefix: string;
  readonly #index: UserIndexContext;

  /** @param options - the client and the key prefix */
  constructor(options: RedisStoreOptions) {
    const client = options?.client as Partial<RedisClientLike> | undefined;
    if (
      typeof client?.evalsha !== 'function' ||
      typeof client.eval !== 'function' ||
      typeof client.hgetall !== 'function'
    ) {
      throw new SessionConfigError(
        'sessionkit: RedisStore needs an ioredis client, e.g. `new RedisStore({ client: createRedisClient(process.env.REDIS_URL) })`.',
      );
    }
    const prefix = options.prefix ?? 'session:';
    if (typeof prefix !== 'string') throw new SessionConfigError('sessionkit: the RedisStore prefix must be a string.');
    this.client = options.client;
    this.prefix = prefix;
    this.#index = { client: this.client, prefix };
  }

  /**
   * Stores a new session. With a user, it joins the user's index first: if the session write then
   * fails, the index holds an extra member (harmless), never misses a session. Resolves `'gone'`
   * with nothing stored when a "log out everywhere" of that user found the id in the index before
   * the write landed (it left a tombstone), or when the absolute deadline has already passed.
   */
  async create(id: string, session: StoredSession, ttlMs: number, nowMs: number = Date.now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(id))
      throw new SessionArgumentError('sessionkit: RedisStore.create was given an invalid session id.');
    const { userId, absoluteDeadlineMs } = session.meta;
    let generation: number | undefined;
    if (userId !== undefined) {
      // Without a required generation the join is never refused.
      const joined = await addToUserIndex(this.#index, userId, id, absoluteDeadlineMs, {}, nowMs);
      generation = joined === 'moved' ? 0 : joined;
    }
    return this.#write(id, session, ttlMs, generation, nowMs);
  }

  /** One `HGETALL`, no write: the session and its recorded expiry (`m:expires`, app clock). */
  async read(id: string, nowMs: number = Date.now()): Promise<ReadSession | undefined> {
    if (!isValidSessionId(id)) return undefined;
    const decoded = decodeSession(await readSessionHash(this.client, this.#key(id)));
    if (decoded === undefined) return undefined;
    // Every expiry is capped by the deadline, so Redis drops the key itself; this covers clock skew.
    if (decoded.session.meta.absoluteDeadlineMs <= nowMs) return undefined;
    return { ...decoded.session, expiresAtMs: decoded.expiresAtMs };
  }

  /** {@link read}, then the touch script only when a slide is due (a session destroyed in between reads as none). */
  load(id: string, ttlMs: number, nowMs: number = Date.now()): Promise<StoredSession | undefined> {
    return loadByReading(this, id, ttlMs, nowMs);
  }

  async patch(id: string, patch: SessionPatch, ttlMs: number, nowMs: number = Date.now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(id)) return 'gone';
    const { userId } = patch;
    let generation = 0;
    if (typeof userId === 'string') {
      // A login: one extra round trip, only when a user is set. The user's logout generation is
      // read first, beside the deadline (the index score): a "log out everywhere" that begins from
      // here on refuses this login, at the join below or through a fence before the write.
      const [deadline, readGeneration] = await Promise.all([
        runScript(this.client, DEADLINE_SCRIPT, this.#key(id), []),
        readUserGeneration(this.#index, userId),
      ]);
      if (!Array.isArray(deadline) || typeof deadline[0] !== 'string') return 'gone';
      const joined = await addToUserIndex(
        this.#index,
        userId,
        id,
        Number(deadline[0]),
        { requiredGeneration: readGeneration },
        nowMs,
      );
      if (joined === 'moved') {
        // Logged out everywhere while logging in: the session ends, as a fenced one does.
        await this.destroy(id);
        return 'gone';
      }
      generation = joined;
    }
    const fields: string[] = [];
    for (const key of Object.keys(patch.set)) {
      const value = patch.set[key];
      if (value !== undefined) fields.push(dataField(key), value);
    }
    const action = userId === undefined ? 'keep' : userId === null ? 'clear' : 'set';
    const reply = await runScript(this.client, PATCH_SCRIPT, this.#key(id), [
      String(nowMs),
      ttlArgument(ttlMs),
      action,
      userId ?? '',
      String(generation),
      String(fields.length),
      ...fields,
      ...patch.remove.map(dataField),
    ]);
    // A patch that clears or changes the user leaves the session's member in the previous user's
    // index: a login of that user racing on the same session may have just joined it again, and a
    // removal now would hide it. The member is skipped by listings and dropped at its deadline.
    return replyStatus(reply) === 'ok' ? 'ok' : 'gone';
  }

  async increment(
    id: string,
    key: string,
    by: number,
    ttlMs: number,
    nowMs: number = Date.now(),
  ): Promise<number | Gone> {
    if (!Number.isSafeInteger(by)) throw new SessionArgumentError('sessionkit: increment takes a whole number.');
    if (!isValidSessionId(id)) return 'gone';
    const reply = await runScript(this.client, INCREMENT_SCRIPT, this.#key(id), [
      String(nowMs),
      ttlArgument(ttlMs),
      dataField(key),
      String(by),
    ]);
    const status = replyStatus(reply);
    if (status === 'not-integer') {
      throw new SessionArgumentError(
        `sessionkit: session key "${key}" holds a value that is not an integer ` +
          '(or the result would exceed 2^53); it cannot be incremented.',
      );
    }
    if (status !== 'ok') return 'gone';
    return Number((reply as unknown[])[1]);
  }

  /**
   * Moves the session to `newId`. The two ids hash to different slots, so on a Cluster no single
   * script may touch both (CROSSSLOT). The move is therefore two steps:
   * 1. claim: one script on the OLD key reads every field and deletes the key. This atomic step
   *    decides the winner: of concurrent regenerates exactly one gets the fields, the others `gone`.
   * 2. write: the fields are stored at the NEW key, after the new id joined the user index (if the
   *    session has a user). The join passes the logout generation the session recorded when it
   *    joined: if a "log out everywhere" of the user ran since, the join is refused and so is the
   *    regenerate (`gone`, nothing stored); if one runs between the join and the write, it leaves a
   *    tombstone at the new key and the write is refused.
   *
   * Between the steps the session exists only in this process, so a request holding the old id
   * sees no session (it was being replaced anyway). If step 2 fails (Redis gone mid-way) the
   * session is lost and the call rejects: the user signs in again. The old key is deliberately not
   * restored, since that could resurrect a session destroyed meanwhile.
   */
  async regenerate(oldId: string, newId: string, ttlMs: number, nowMs: number = Date.now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(newId))
      throw new SessionArgumentError('sessionkit: RedisStore.regenerate was given an invalid new session id.');
    if (!isValidSessionId(oldId)) return 'gone';
    const claimed = decodeSession(await runScript(this.client, CLAIM_SCRIPT, this.#key(oldId), [String(nowMs)]));
    if (claimed === undefined) return 'gone';
    const { session } = claimed;
    const { userId, absoluteDeadlineMs } = session.meta;
    let generation: number | undefined;
    if (userId !== undefined) {
      const joined = await addToUserIndex(
        this.#index,
        userId,
        newId,
        absoluteDeadlineMs,
        {
          replacedId: oldId,
          requiredGeneration: claimed.generation,
        },
        nowMs,
      );
      if (joined === 'moved') return 'gone';
      generation = joined;
    }
    return this.#write(newId, session, ttlMs, generation, nowMs);
  }

  async touch(id: string, ttlMs: number, nowMs: number = Date.now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(id)) return 'gone';
    const reply = await runScript(this.client, TOUCH_SCRIPT, this.#key(id), [String(nowMs), ttlArgument(ttlMs)]);
    return replyStatus(reply) === 'ok' ? 'ok' : 'gone';
  }

  async destroy(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    const userId = await runScript(this.client, DESTROY_SCRIPT, this.#key(id), []);
    if (typeof userId === 'string' && userId !== '') await removeFromUserIndex(this.#index, userId, [id]);
  }

  /** The ids of the live sessions of a user; members of the index that ended are pruned. */
  listUserSessions(userId: string, nowMs: number = Date.now()): Promise<string[]> {
    return listUserSessionIds(this.#index, userId, nowMs);
  }

  /** Destroys every live session of a user ("log out everywhere") and resolves how many there were. */
  destroyUserSessions(userId: string, nowMs: number = Date.now()): Promise<number> {
    return destroyUserSessionIds(this.#index, userId, nowMs);
  }

  #key(id: string): string {
    return sessionKey(this.prefix, id);
  }

  /** The session's write (create, and regenerate's second step); `gone` on a tombstone or a passed deadline. */
  async #write(
    id: string,
    session: StoredSession,
    ttlMs: number,
    generation: number | undefined,
    now: number,
  ): Promise<'ok' | Gone> {
    const ttl = ttlArgument(ttlMs);
    // The expiry the script will set (its expiry_ms), recorded in the same HSET as the fields.
    const expiresAtMs = now + Math.floor(Math.min(Number(ttl), session.meta.absoluteDeadlineMs - now));
    const reply = await runScript(this.client, CREATE_SCRIPT, this.#key(id), [
      String(now),
      ttl,
      String(session.meta.absoluteDeadlineMs),
      ...encodeSessionFields(session),
      META_FIELDS.expiresAt,
      String(expiresAtMs),
      ...(generation === undefined ? [] : [META_FIELDS.generation, String(generation)]),
    ]);
    return reply === 1 ? 'ok' : 'gone';
  }
}

/** A TTL as a script argument: whole milliseconds, at least 1 (PEXPIRE refuses 0 and fractions). */
function ttlArgument(ttlMs: number): string {
  if (Number.isNaN(ttlMs)) throw new SessionArgumentError('sessionkit: a store TTL must be a number of milliseconds.');
  return String(Math.max(1, Math.ceil(Math.min(ttlMs, Number.MAX_SAFE_INTEGER))));
}
