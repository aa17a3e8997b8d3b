/**
 * Two bounded caches of verified cookie values, for measurement only: the Map-based LRU sessionkit
 * uses (packages/core/src/lru-cache.ts, mirrored), and a two-generation cache that never iterates.
 * With every request sealing a new cookie the LRU is full and evicts on every set, through
 * `keys().next()`, which V8 makes skip the deleted slots at the front of the Map's table.
 *
 * @module
 */

/** A bounded cache. */
export interface BoundedCache<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): void;
}

/** sessionkit's LRU: re-insert on get, evict the first key in insertion order when full. */
export function createMapLru<K, V>(maxEntries: number): BoundedCache<K, V> {
  const entries = new Map<K, V>();
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
  };
}

/**
 * Two Maps of at most half the size each: sets go to the young one; when it is full it becomes the
 * old one and the previous old one is dropped whole. A hit in the old one is copied to the young.
 * Roughly LRU, O(1), no iteration and no per-set eviction.
 */
export function createTwoGenerationCache<K, V>(maxEntries: number): BoundedCache<K, V> {
  const half = Math.max(1, Math.floor(maxEntries / 2));
  let young = new Map<K, V>();
  let old = new Map<K, V>();
  const put = (key: K, value: V): void => {
    if (young.size >= half) {
      old = young;
      young = new Map();
    }
    young.set(key, value);
  };
  return {
    get(key) {
      const value = young.get(key);
      if (value !== undefined) return value;
      const aged = old.get(key);
      if (aged !== undefined) put(key, aged);
      return aged;
    },
    set: put,
  };
}
