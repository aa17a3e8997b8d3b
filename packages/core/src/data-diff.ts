/**
 * Dirty tracking by serialized value: the session remembers each top-level key as the store last
 * saw it, and at commit only keys whose serialization differs are written. Comparing serialized
 * text (not references) catches nested mutation such as `session.data.cart.items.push(x)`.
 *
 * @module
 */
import { SessionDataTooLargeError, SessionSerializationError } from './errors.js';
import type { Serializer } from './serializer.js';
import type { SessionPatch } from './store.js';

/** @internal Serialized values by key. */
export type Snapshot = Map<string, string>;

/**
 * @internal Builds the data object from stored values. Values that fail to parse and a key named
 * `__proto__` are left out, and kept out of the snapshot too, so they stay untouched in the store
 * unless the app writes that key itself.
 */
export function readStoredData(
  stored: Readonly<Record<string, string>>,
  serializer: Serializer,
): { data: Record<string, unknown>; snapshot: Snapshot } {
  const data: Record<string, unknown> = {};
  const snapshot: Snapshot = new Map();
  for (const key of Object.keys(stored)) {
    const text = stored[key];
    if (key === '__proto__' || text === undefined) continue;
    let value: unknown;
    try {
      value = serializer.parse(text);
    } catch {
      continue;
    }
    data[key] = value;
    snapshot.set(key, text);
  }
  return { data, snapshot };
}

/** The bytes a snapshot holds, counted as {@link serializeData} counts them. */
function snapshotBytes(snapshot: Snapshot): number {
  let bytes = 0;
  for (const [key, text] of snapshot) bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
  return bytes;
}

/**
 * @internal Serializes every own key of `data`; `undefined` values count as absent.
 *
 * `maxBytes` refuses a request that makes the session larger than the limit. It is checked against
 * this request's view, so concurrent writers of different keys can together push a session past
 * it; a request that does not grow the data (`before` is what the store had) is therefore never
 * refused, or a session once over the limit would fail every request, reads included, until logout.
 */
export function serializeData(
  data: Record<string, unknown>,
  serializer: Serializer,
  maxBytes: number,
  before: Snapshot,
): Snapshot {
  const current: Snapshot = new Map();
  let bytes = 0;
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (key === '__proto__' || value === undefined || typeof value === 'function') continue;
    let text: string;
    try {
      text = serializer.stringify(value);
    } catch (error) {
      throw new SessionSerializationError(
        `sessionkit: session key "${key}" cannot be serialized (${(error as Error).message}); nothing was saved.`,
        { cause: error },
      );
    }
    bytes += Buffer.byteLength(key) + Buffer.byteLength(text);
    current.set(key, text);
  }
  if (bytes > maxBytes && bytes > snapshotBytes(before)) {
    throw new SessionDataTooLargeError(
      `sessionkit: the session holds ${bytes} bytes, more than maxDataBytes (${maxBytes}); nothing was saved. ` +
        'Keep large data elsewhere and store a reference in the session, or raise maxDataBytes.',
    );
  }
  return current;
}

/** @internal The keys that changed between what the store has and what the handler left. */
export function diffData(before: Snapshot, after: Snapshot): { set: Record<string, string>; remove: string[] } {
  const set = Object.create(null) as Record<string, string>;
  const remove: string[] = [];
  for (const [key, text] of after) {
    if (before.get(key) !== text) set[key] = text;
  }
  for (const key of before.keys()) {
    if (!after.has(key)) remove.push(key);
  }
  return { set, remove };
}

/** @internal Whether a patch changes anything. */
export function isEmptyPatch(patch: SessionPatch): boolean {
  return patch.remove.length === 0 && patch.userId === undefined && Object.keys(patch.set).length === 0;
}
