/**
 * MemoryStore: sessions in this process's memory. The reference implementation of
 * {@link SessionStore} and the zero-setup default; for tests and single-process apps only.
 *
 * @module
 */
import { SessionArgumentError } from './errors.js';
import type { Gone, ReadSession, SessionMeta, SessionPatch, SessionStore, StoredSession } from './store.js';
import { loadByReading } from './store-slide.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most sessions kept; past it the least recently used session is dropped. @default 100_000 */
  readonly maxEntries?: number;
  /** How often expired sessions are swept (the timer never keeps the process alive). @default 60_000 */
  readonly sweepIntervalMs?: number;
  /**
   * The clock, in ms since the epoch, for calls that do not pass `nowMs` (the manager always
   * passes its own). @default Date.now
   */
  readonly now?: () => number;
}

/** A decimal integer as Redis's HINCRBY reads it: `0`, or an optional `-` and no leading zero. */
const INTEGER_TEXT = /^(?:0|-?[1-9][0-9]*)$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

interface Entry {
  data: Map<string, string>;
  meta: SessionMeta;
  expiresAt: number;
}

/** Sessions in a Map, with expiry checked on read, a periodic sweep and an entry bound. */
export class MemoryStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #users = new Map<string, Set<string>>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;

  /** @param options - bounds and clock */
  constructor(options: MemoryStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  /** How many sessions are held, expired ones not yet swept included. */
  get size(): number {
    return this.#entries.size;
  }

  /** Removes every expired session now and tells how many (the timer does this periodically). */
  sweep(nowMs: number = this.#now()): number {
    let swept = 0;
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt <= nowMs) {
        this.#delete(id);
        swept++;
      }
    }
    return swept;
  }

  /** Stops the sweep timer. The store stays usable. */
  close(): void {
    clearInterval(this.#sweeper);
  }

  /**
   * Stores a new session. Every method runs to completion without awaiting, so nothing can race a
   * create: it answers `'gone'` only when the absolute deadline has already passed (nothing stored).
   */
  async create(id: string, session: StoredSession, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    this.#delete(id);
    if (session.meta.absoluteDeadlineMs <= nowMs) return 'gone';
    if (this.#entries.size >= this.#maxEntries) this.sweep(nowMs);
    while (this.#entries.size >= this.#maxEntries) {
      // Map iteration order is insertion order and reads re-insert, so the first key is the least recently used.
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#delete(oldest.value);
    }
    this.#entries.set(id, {
      data: new Map(Object.entries(session.data)),
      meta: { ...session.meta },
      expiresAt: expiry(session.meta, ttlMs, nowMs),
    });
    this.#index(id, session.meta.userId);
    return 'ok';
  }

  /** Reads without sliding (the LRU order is bookkeeping, not a write); the manager decides the slide. */
  async read(id: string, nowMs: number = this.#now()): Promise<ReadSession | undefined> {
    const entry = this.#live(id, nowMs);
    if (entry === undefined) return undefined;
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return { data: Object.fromEntries(entry.data), meta: { ...entry.meta }, expiresAtMs: entry.expiresAt };
  }

  load(id: string, ttlMs: number, nowMs: number = this.#now()): Promise<StoredSession | undefined> {
    return loadByReading(this, id, ttlMs, nowMs);
  }

  async patch(id: string, patch: SessionPatch, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    const entry = this.#live(id, nowMs);
    if (entry === undefined) return 'gone';
    for (const [key, value] of Object.entries(patch.set)) entry.data.set(key, value);
    for (const key of patch.remove) entry.data.delete(key);
    if (patch.userId !== undefined) {
      this.#unindex(id, entry.meta.userId);
      entry.meta = { ...entry.meta, userId: patch.userId ?? undefined };
      this.#index(id, entry.meta.userId);
    }
    entry.expiresAt = expiry(entry.meta, ttlMs, nowMs);
    return 'ok';
  }

  async increment(
    id: string,
    key: string,
    by: number,
    ttlMs: number,
    nowMs: number = this.#now(),
  ): Promise<number | Gone> {
    if (!Number.isSafeInteger(by)) throw new SessionArgumentError('sessionkit: increment takes a whole number.');
    const entry = this.#live(id, nowMs);
    if (entry === undefined) return 'gone';
    const current = entry.data.get(key);
    // The grammar of Redis's HINCRBY (docs/store-contract.md): "007", "+1", " 1" and "1.5" are not integers.
    if (current !== undefined && !INTEGER_TEXT.test(current)) {
      throw new SessionArgumentError(
        `sessionkit: session key "${key}" holds a value that is not an integer; it cannot be incremented.`,
      );
    }
    // Exact in BigInt, so a stored value past 2^53 cannot round its way into range.
    const next = (current === undefined ? 0n : BigInt(current)) + BigInt(by);
    if (next > MAX_SAFE || next < -MAX_SAFE) {
      throw new SessionArgumentError(
        `sessionkit: incrementing session key "${key}" would leave ±(2^53 − 1); it was not changed.`,
      );
    }
    entry.data.set(key, String(next));
    entry.expiresAt = expiry(entry.meta, ttlMs, nowMs);
    return Number(next);
  }

  async regenerate(oldId: string, newId: string, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    const entry = this.#live(oldId, nowMs);
    if (entry === undefined) return 'gone';
    this.#delete(oldId);
    entry.expiresAt = expiry(entry.meta, ttlMs, nowMs);
    this.#entries.set(newId, entry);
    this.#index(newId, entry.meta.userId);
    return 'ok';
  }

  async touch(id: string, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    const entry = this.#live(id, nowMs);
    if (entry === undefined) return 'gone';
    entry.expiresAt = expiry(entry.meta, ttlMs, nowMs);
    return 'ok';
  }

  async destroy(id: string): Promise<void> {
    this.#delete(id);
  }

  async listUserSessions(userId: string, nowMs: number = this.#now()): Promise<string[]> {
    return this.#liveOf(userId, nowMs);
  }

  /**
   * "Log out everywhere" in one synchronous step: no other call can run between reading the user's
   * sessions and deleting them (an `await` in between would let a regenerate move a session out
   * from under it).
   */
  async destroyUserSessions(userId: string, nowMs: number = this.#now()): Promise<number> {
    const ids = this.#liveOf(userId, nowMs);
    for (const id of ids) this.#delete(id);
    this.#users.delete(userId);
    return ids.length;
  }

  #liveOf(userId: string, nowMs: number): string[] {
    const ids = this.#users.get(userId);
    if (ids === undefined) return [];
    return [...ids].filter((id) => this.#live(id, nowMs) !== undefined);
  }

  #live(id: string, nowMs: number): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.#delete(id);
      return undefined;
    }
    return entry;
  }

  #delete(id: string): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    this.#unindex(id, entry.meta.userId);
  }

  #index(id: string, userId: string | undefined): void {
    if (userId === undefined) return;
    let ids = this.#users.get(userId);
    if (ids === undefined) this.#users.set(userId, (ids = new Set()));
    ids.add(id);
  }

  #unindex(id: string, userId: string | undefined): void {
    if (userId === undefined) return;
    const ids = this.#users.get(userId);
    ids?.delete(id);
    if (ids?.size === 0) this.#users.delete(userId);
  }
}

/** The expiry a write sets: the idle TTL from now, never past the absolute deadline. */
function expiry(meta: SessionMeta, ttlMs: number, nowMs: number): number {
  return Math.min(nowMs + ttlMs, meta.absoluteDeadlineMs);
}
