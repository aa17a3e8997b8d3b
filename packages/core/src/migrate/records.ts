/**
 * Small readers of old records shared by the importers.
 *
 * @module
 */
import type { OldSessionRecord } from './importer.js';

/** @internal Whether `value` is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @internal Whether an expiry the old library recorded (an ISO date string, or ms since the epoch)
 * is at or before `nowMs`. Absent or unreadable means no expiry recorded.
 */
export function expiredBefore(expires: unknown, nowMs: number): boolean {
  const at = typeof expires === 'number' ? expires : typeof expires === 'string' ? Date.parse(expires) : Number.NaN;
  return Number.isFinite(at) && at <= nowMs;
}

/**
 * @internal The keys of `record` the app wrote: the old library's bookkeeping (`drop`) and the
 * fields of sessionkit's own forwarding record (an old instance may have written over one during a
 * rollout) left out.
 */
export function withoutKeys(record: Record<string, unknown>, drop: (key: string) => boolean): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (drop(key) || key.startsWith('sessionkit:')) continue;
    data[key] = record[key];
  }
  return data;
}

/**
 * @internal A record in express-session's format (connect-redis's `JSON.stringify(req.session)`,
 * which @fastify/session writes too): the app's keys plus the library's `cookie`. Without `cookie`
 * it is no session (express-session would throw loading it); past `cookie.expires` it has expired
 * (both libraries check that on load). A cookie with `expires` was persistent.
 */
export function readCookieRecord(record: Record<string, unknown>, nowMs: number): OldSessionRecord | undefined {
  const bookkeeping = record['cookie'];
  if (!isRecord(bookkeeping)) return undefined;
  if (expiredBefore(bookkeeping['expires'], nowMs)) return undefined;
  return { data: withoutKeys(record, (key) => key === 'cookie'), persistent: bookkeeping['expires'] != null };
}
