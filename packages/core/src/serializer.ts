/**
 * Serialization of session values. Each top-level session key is serialized on its own, so a
 * store can keep one field per key and write only the keys that changed.
 *
 * @module
 */

/** Turns one session value into text and back. Implementations must be pure and synchronous. */
export interface Serializer {
  /** Serializes one value; throws when the value cannot be represented. */
  stringify(value: unknown): string;
  /** Parses text made by {@link Serializer.stringify}; throws on malformed input. */
  parse(text: string): unknown;
}

const POISON_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Drops `__proto__`, `constructor` and `prototype` keys at any depth. JSON.parse itself only makes
 * own properties, but the first `Object.assign` or naive deep merge in an app would walk them into
 * a prototype (connect-redis#346 shows how such merges arise), so they never reach app code.
 */
function reviveSafely(this: unknown, key: string, value: unknown): unknown {
  return POISON_KEYS.has(key) ? undefined : value;
}

/**
 * The default serializer: JSON, with `__proto__`, `constructor` and `prototype` keys removed on
 * parse at any depth. Values JSON cannot hold (BigInt, cycles) make `stringify` throw; `Date`
 * becomes its ISO string, as with `JSON.stringify`.
 */
export const jsonSerializer: Serializer = {
  stringify(value) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`a value of type ${typeof value} cannot be stored in a session`);
    return text;
  },
  parse(text) {
    // A reviver triples the cost of a parse: only text that can hold a poison key needs one. A key
    // can be spelled with escapes (\u005f\u005fproto\u005f\u005f), so any \u escape counts too.
    const mayHoldPoison =
      text.includes('\\u') || text.includes('__proto__') || text.includes('constructor') || text.includes('prototype');
    return mayHoldPoison ? JSON.parse(text, reviveSafely) : JSON.parse(text);
  },
};
