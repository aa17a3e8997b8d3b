/**
 * A store shaped like a SQL store, for proving that the conformance suite catches the defects SQL
 * stores really have (broken-stores.test.ts). It keeps rows in a Map, expires them lazily (a row
 * outlives its expiry until something deletes it), and runs each verb as a "statement": what it
 * reads of other rows (the user's log-out generation) is read when the statement starts, as a
 * PostgreSQL snapshot would, and its row work happens atomically after one to three event-loop
 * turns of "server time". Without defects it keeps the whole contract (it passes the suite, which
 * the test checks too), the way examples/pg-store does: regenerate and create carry the log-out
 * generation they started with, and a session whose generation is older than its user's is not live.
 *
 * Each {@link Defect} switches in one realistic mistake.
 */
import { SessionArgumentError } from '../src/errors.js';
import type { Gone, SessionPatch, SessionStore, StoredSession } from '../src/store.js';

/** One realistic mistake of a SQL store. */
export type Defect =
  // Lazy expiry: a write that checks `WHERE id = $1` only, and so revives an expired row.
  | 'patch-revives'
  | 'increment-revives'
  | 'touch-revives'
  | 'regenerate-revives'
  | 'load-ignores-idle-expiry'
  // The absolute deadline: ignored (expiry = now + ttl, trusting the manager's cap), or checked on load only.
  | 'ignores-deadline'
  | 'deadline-only-on-load'
  | 'regenerate-keeps-expiry'
  // create: `INSERT … ON CONFLICT DO NOTHING` answering ok, an upsert that merges, no deadline check.
  | 'create-keeps-leftover'
  | 'create-merges'
  | 'create-past-deadline'
  // increment: a cast that takes "1.5", a pattern that takes "007", Number() that takes "+1" and " 1", no bound.
  | 'increment-accepts-decimals'
  | 'increment-accepts-leading-zeros'
  | 'increment-casts-with-number'
  | 'increment-unbounded'
  | 'increment-read-then-write'
  // Two statements where one is needed.
  | 'patch-read-then-upsert'
  | 'patch-rewrites-whole-data'
  // The user index.
  | 'regenerate-unfenced'
  | 'create-unfenced'
  | 'login-unfenced'
  | 'logout-one-by-one'
  | 'logout-counts-expired'
  | 'list-includes-expired'
  // The clock: the store's own `Date.now()` instead of the app's `nowMs`.
  | 'ignores-app-clock';

interface Row {
  data: Map<string, string>;
  createdAt: number;
  deadline: number;
  expiresAt: number;
  userId: string | undefined;
  /** The user's log-out generation when the session became the user's. */
  gen: number;
}

const INTEGER_TEXT = /^(?:0|-?[1-9][0-9]*)$/;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A lazily expiring, statement-at-a-time store; see the module comment. */
export class SqlLikeStore implements SessionStore {
  readonly #rows = new Map<string, Row>();
  readonly #generations = new Map<string, number>();
  readonly #defects: ReadonlySet<Defect>;
  #statements = 0;

  constructor(defects: Iterable<Defect> = []) {
    this.#defects = new Set(defects);
  }

  async create(id: string, session: StoredSession, ttlMs: number, nowMs?: number): Promise<'ok' | Gone> {
    const { userId } = session.meta;
    const startGeneration = this.#generation(userId);
    await this.#serverTime();
    const now = this.#clock(nowMs);
    if (session.meta.absoluteDeadlineMs <= now && !this.#has('create-past-deadline')) return 'gone';
    const existing = this.#rows.get(id);
    if (existing !== undefined && this.#has('create-keeps-leftover')) return 'ok';
    const data = new Map(existing !== undefined && this.#has('create-merges') ? existing.data : []);
    for (const [key, value] of Object.entries(session.data)) data.set(key, value);
    const row: Row = {
      data,
      createdAt: session.meta.createdAt,
      deadline: session.meta.absoluteDeadlineMs,
      expiresAt: 0,
      userId,
      gen: this.#has('create-unfenced') ? this.#generation(userId) : startGeneration,
    };
    row.expiresAt = this.#expiry(row, now, ttlMs);
    this.#rows.set(id, row);
    return 'ok';
  }

  async load(id: string, ttlMs: number, nowMs?: number): Promise<StoredSession | undefined> {
    await this.#serverTime();
    const now = this.#clock(nowMs);
    const row = this.#rows.get(id);
    if (row === undefined) return undefined;
    if (this.#has('load-ignores-idle-expiry') ? !this.#fenceAndDeadlineOk(row, now) : !this.#live(row, now))
      return undefined;
    if (this.#has('deadline-only-on-load') && row.deadline <= now) return undefined;
    row.expiresAt = this.#expiry(row, now, ttlMs);
    return this.#copy(row);
  }

  async patch(id: string, patch: SessionPatch, ttlMs: number, nowMs?: number): Promise<'ok' | Gone> {
    const startGeneration = typeof patch.userId === 'string' ? this.#generation(patch.userId) : 0;
    await this.#serverTime();
    let row = this.#rows.get(id);
    if (this.#has('patch-read-then-upsert') || this.#has('patch-rewrites-whole-data')) {
      // SELECT first, then a second statement writes what the first one read.
      if (row === undefined || !this.#live(row, this.#clock(nowMs))) return 'gone';
      const read = { ...row, data: new Map(row.data) };
      await this.#serverTime();
      const now = this.#rows.get(id);
      if (this.#has('patch-read-then-upsert')) {
        row = now ?? read;
        this.#rows.set(id, row);
      } else {
        if (now === undefined) return 'gone';
        now.data = read.data;
        row = now;
      }
    } else if (row === undefined || !(this.#has('patch-revives') || this.#live(row, this.#clock(nowMs)))) {
      return 'gone';
    }
    for (const [key, value] of Object.entries(patch.set)) row.data.set(key, value);
    for (const key of patch.remove) row.data.delete(key);
    if (patch.userId !== undefined) {
      row.userId = patch.userId ?? undefined;
      row.gen = this.#has('login-unfenced') ? this.#generation(row.userId) : startGeneration;
    }
    row.expiresAt = this.#expiry(row, this.#clock(nowMs), ttlMs);
    return 'ok';
  }

  async increment(id: string, key: string, by: number, ttlMs: number, nowMs?: number): Promise<number | Gone> {
    if (!Number.isSafeInteger(by)) throw new SessionArgumentError('increment takes a whole number');
    await this.#serverTime();
    let row = this.#rows.get(id);
    if (row === undefined || !(this.#has('increment-revives') || this.#live(row, this.#clock(nowMs)))) return 'gone';
    const current = row.data.get(key);
    if (this.#has('increment-read-then-write')) {
      await this.#serverTime();
      row = this.#rows.get(id);
      if (row === undefined) return 'gone';
    }
    const next = this.#add(key, current, by);
    row.data.set(key, String(next));
    row.expiresAt = this.#expiry(row, this.#clock(nowMs), ttlMs);
    return next;
  }

  async regenerate(oldId: string, newId: string, ttlMs: number, nowMs?: number): Promise<'ok' | Gone> {
    await this.#serverTime();
    const row = this.#rows.get(oldId);
    if (row === undefined || !(this.#has('regenerate-revives') || this.#live(row, this.#clock(nowMs)))) return 'gone';
    this.#rows.delete(oldId);
    // DELETE … RETURNING then INSERT: a log-out whose snapshot predates this commit misses the new row.
    await this.#serverTime();
    const moved: Row = { ...row, data: new Map(row.data) };
    if (!this.#has('regenerate-keeps-expiry')) moved.expiresAt = this.#expiry(row, this.#clock(nowMs), ttlMs);
    if (this.#has('regenerate-unfenced')) moved.gen = this.#generation(row.userId);
    this.#rows.set(newId, moved);
    return 'ok';
  }

  async touch(id: string, ttlMs: number, nowMs?: number): Promise<'ok' | Gone> {
    await this.#serverTime();
    const row = this.#rows.get(id);
    if (row === undefined || !(this.#has('touch-revives') || this.#live(row, this.#clock(nowMs)))) return 'gone';
    row.expiresAt = this.#expiry(row, this.#clock(nowMs), ttlMs);
    return 'ok';
  }

  async destroy(id: string): Promise<void> {
    await this.#serverTime();
    this.#rows.delete(id);
  }

  async listUserSessions(userId: string, nowMs?: number): Promise<string[]> {
    await this.#serverTime();
    const now = this.#clock(nowMs);
    return [...this.#rows]
      .filter(([, row]) => row.userId === userId && (this.#has('list-includes-expired') || this.#live(row, now)))
      .map(([id]) => id);
  }

  async destroyUserSessions(userId: string, nowMs?: number): Promise<number> {
    await this.#serverTime();
    const now = this.#clock(nowMs);
    if (this.#has('logout-one-by-one')) {
      const ids = await this.listUserSessions(userId, now);
      for (const id of ids) await this.destroy(id);
      return ids.length;
    }
    let count = 0;
    for (const [id, row] of this.#rows) {
      if (row.userId !== userId) continue;
      if (this.#has('logout-counts-expired') || this.#live(row, now)) count++;
      this.#rows.delete(id);
    }
    this.#generations.set(userId, this.#generation(userId) + 1);
    return count;
  }

  /** The app's clock the caller passed (or, with the defect, the store's own). */
  #clock(nowMs: number | undefined): number {
    return nowMs === undefined || this.#has('ignores-app-clock') ? Date.now() : nowMs;
  }

  #has(defect: Defect): boolean {
    return this.#defects.has(defect);
  }

  /** One to three event-loop turns, varying per statement, so concurrent statements interleave. */
  #serverTime(): Promise<void> {
    const turns = 1 + (this.#statements++ % 3);
    let done = tick();
    for (let i = 1; i < turns; i++) done = done.then(tick);
    return done;
  }

  #generation(userId: string | undefined): number {
    return userId === undefined ? 0 : (this.#generations.get(userId) ?? 0);
  }

  #ignoresDeadline(): boolean {
    return this.#has('ignores-deadline') || this.#has('deadline-only-on-load');
  }

  #fenceAndDeadlineOk(row: Row, now: number): boolean {
    if (!this.#ignoresDeadline() && row.deadline <= now) return false;
    return row.userId === undefined || row.gen >= this.#generation(row.userId);
  }

  #live(row: Row, now: number): boolean {
    return row.expiresAt > now && this.#fenceAndDeadlineOk(row, now);
  }

  #expiry(row: Row, now: number, ttlMs: number): number {
    return this.#ignoresDeadline() ? now + ttlMs : Math.min(now + ttlMs, row.deadline);
  }

  #add(key: string, current: string | undefined, by: number): number {
    const refuse = (): never => {
      throw new SessionArgumentError(`session key "${key}" is not an integer, or the result is out of range`);
    };
    if (current === undefined) return by;
    if (this.#has('increment-accepts-decimals')) {
      if (!/^(?:0|-?[1-9][0-9]*)(?:\.[0-9]+)?$/.test(current)) refuse();
      return Number(current) + by;
    }
    if (this.#has('increment-accepts-leading-zeros')) {
      if (!/^-?\d+$/.test(current)) refuse();
      const next = BigInt(current) + BigInt(by);
      return next > MAX_SAFE || next < -MAX_SAFE ? refuse() : Number(next);
    }
    if (this.#has('increment-casts-with-number')) {
      const base = Number(current);
      if (current.trim() === '' || !Number.isSafeInteger(base) || !Number.isSafeInteger(base + by)) refuse();
      return base + by;
    }
    if (!INTEGER_TEXT.test(current)) refuse();
    if (this.#has('increment-unbounded')) return Number(current) + by;
    const next = BigInt(current) + BigInt(by);
    return next > MAX_SAFE || next < -MAX_SAFE ? refuse() : Number(next);
  }

  #copy(row: Row): StoredSession {
    const meta = { createdAt: row.createdAt, absoluteDeadlineMs: row.deadline };
    return {
      data: Object.fromEntries(row.data),
      meta: row.userId === undefined ? meta : { ...meta, userId: row.userId },
    };
  }
}
