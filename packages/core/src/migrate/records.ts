/**
 * Small readers of old records shared by the importers.
 *
 * @module
 */

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
