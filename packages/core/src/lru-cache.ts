/**
 * A bounded map that forgets the least recently used entry first. Used to remember cookie values
 * already verified, so a returning client costs a map lookup instead of WebCrypto calls.
 *
 * @internal
 */
export class LruCache<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #maxEntries: number;

  /** @param maxEntries - how many entries to keep; 0 disables the cache */
  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The value for `key`, marking it as recently used. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    // Re-inserting moves the key to the end of the Map's insertion order: the "recent" end.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Remembers `value` under `key`, forgetting the oldest entry when full. */
  set(key: K, value: V): void {
    if (this.#maxEntries === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** Forgets `key`. */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** How many entries are held. */
  get size(): number {
    return this.#entries.size;
  }
}
