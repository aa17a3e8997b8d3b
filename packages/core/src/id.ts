import { randomBase64url } from './random-pool.js';

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new session id: 32 bytes (256 bits) from the CSPRNG, base64url, 43 characters.
 */
export function generateSessionId(): string {
  return randomBase64url(32);
}

/**
 * Tells whether `value` has the shape of an id made by {@link generateSessionId}. Stores call it
 * before an id becomes part of a key, so no client-controlled text ever reaches a store command.
 *
 * @param value - the candidate id
 */
export function isValidSessionId(value: unknown): value is string {
  return typeof value === 'string' && SESSION_ID_PATTERN.test(value);
}
