/**
 * The idle slide of a read, decided once for every store: a read writes only when sliding would
 * move the expiry by more than {@link slideToleranceMs}. Stores with a read-only `read` get this
 * from the manager; their `load` is {@link loadByReading}.
 *
 * @module
 */
import type { SessionStore, StoredSession } from './store.js';

/**
 * How far a read must move the expiry before it is worth a write: 5% of the idle TTL, at most a
 * minute. A session therefore never lives longer than its idle timeout after the last request, and
 * at worst this much less; in exchange most reads write nothing.
 *
 * @param ttlMs - the idle TTL of the read, in ms
 */
export function slideToleranceMs(ttlMs: number): number {
  return Math.min(ttlMs / 20, 60_000);
}

/**
 * Whether a read owes a slide: the expiry it would set, `min(now + ttl, deadline)`, differs from the
 * recorded one by more than {@link slideToleranceMs}. An unknown expiry always slides.
 *
 * RedisStore's write scripts (patch, increment, touch) decide their own slide with the same rule in
 * Lua, `slide_due` in redis/session-scripts.ts: this function, {@link slideToleranceMs} and that
 * Lua must agree, so change them together (test/redis/data-model.test.ts checks them on one table
 * of cases).
 *
 * @param expiresAtMs - the expiry the store recorded, app clock; `undefined` when unknown
 * @param nowMs - the app's clock
 * @param ttlMs - the idle TTL of the read
 * @param deadlineMs - the session's absolute deadline
 */
export function slideDue(expiresAtMs: number | undefined, nowMs: number, ttlMs: number, deadlineMs: number): boolean {
  if (expiresAtMs === undefined) return true;
  const wanted = Math.min(nowMs + ttlMs, deadlineMs);
  return Math.abs(wanted - expiresAtMs) > slideToleranceMs(ttlMs);
}

/**
 * A sliding load made of a store's read-only `read` and, when {@link slideDue}, its `touch`: what
 * the manager does for a store with `read`, and how such a store implements `load`
 * (`load(id, ttlMs, nowMs) { return loadByReading(this, id, ttlMs, nowMs); }`). A session destroyed
 * between the read and the slide reads as no session.
 *
 * @param store - a store with `read`
 * @param id - the session id
 * @param ttlMs - the idle TTL
 * @param nowMs - the app's clock @default Date.now()
 */
export async function loadByReading(
  store: Pick<SessionStore, 'read' | 'load' | 'touch'>,
  id: string,
  ttlMs: number,
  nowMs: number = Date.now(),
): Promise<StoredSession | undefined> {
  if (typeof store.read !== 'function') return store.load(id, ttlMs, nowMs);
  const read = await store.read(id, nowMs);
  if (read === undefined) return undefined;
  if (slideDue(read.expiresAtMs, nowMs, ttlMs, read.meta.absoluteDeadlineMs)) {
    if ((await store.touch(id, ttlMs, nowMs)) === 'gone') return undefined;
  }
  return { data: read.data, meta: read.meta };
}
