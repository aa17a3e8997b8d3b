/**
 * The cookie value: an iron seal (Fe26.2: AES-256-CBC + HMAC-SHA256) of a small payload naming the
 * session. Malformed values are rejected by shape before any crypto, and values already verified
 * are remembered, so a returning client costs a map lookup.
 *
 * @module
 */
import { sealIron, unsealIron } from './iron.js';
import { isValidSessionId } from './id.js';
import { LruCache } from './lru-cache.js';
import type { DerivedKeys, ResolvedSecrets } from './secrets.js';

/** What the sealed cookie says. Session data never travels in the cookie. */
export interface CookiePayload {
  /** The session id. */
  readonly id: string;
  /** When the session was created, ms since the epoch. */
  readonly issuedAt: number;
  /** The absolute deadline, ms since the epoch. */
  readonly absoluteDeadlineMs: number;
  /** Whether the cookie is persistent ("remember me": sent with Max-Age). */
  readonly persistent: boolean;
}

/** @internal An unsealed cookie and whether it needs re-sealing with the current secret. */
export interface UnsealedCookie {
  readonly payload: CookiePayload;
  readonly sealedWithCurrentSecret: boolean;
}

/** Distinguishes our seals from any other iron seal made with the same secret (a token of another purpose). */
const PURPOSE = 'sessionkit/session-cookie/v1';

/**
 * The exact shape of a seal made by {@link CookieSealer.seal}: iron's eight parts, our password id,
 * empty salts (the keys are derived once, not per seal), base64url iv, ciphertext and MAC, and an
 * empty expiration (expiry is enforced from the payload and the store, not by iron's 60-second-skew
 * clock).
 */
const SEAL_PATTERN = /^Fe26\.2\*(\w{1,64})\*\*[A-Za-z0-9_-]{22}\*[A-Za-z0-9_-]{20,700}\*\*\*[A-Za-z0-9_-]{43}$/;

/**
 * base64url's last character carries unused low bits, so several strings decode to the same bytes
 * and would pass the MAC: a tampered cookie must not verify, so only the canonical spelling is
 * accepted (the one iron itself writes).
 */
function isCanonicalBase64url(text: string): boolean {
  return Buffer.from(text, 'base64url').toString('base64url') === text;
}

interface SealedPayload {
  p: string;
  id: string;
  iat: number;
  abs: number;
  r: boolean;
}

function readPayload(value: unknown): CookiePayload | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<SealedPayload>;
  if (
    candidate.p !== PURPOSE ||
    !isValidSessionId(candidate.id) ||
    !Number.isSafeInteger(candidate.iat) ||
    !Number.isSafeInteger(candidate.abs) ||
    typeof candidate.r !== 'boolean'
  ) {
    return undefined;
  }
  return {
    id: candidate.id,
    issuedAt: candidate.iat as number,
    absoluteDeadlineMs: candidate.abs as number,
    persistent: candidate.r,
  };
}

/** @internal Seals and unseals cookie values with one set of secrets and one cache. */
export class CookieSealer {
  readonly #secrets: ResolvedSecrets;
  readonly #verified: LruCache<string, UnsealedCookie>;

  constructor(secrets: ResolvedSecrets, cacheSize: number) {
    this.#secrets = secrets;
    this.#verified = new LruCache(cacheSize);
  }

  /** Seals `payload` with the current secret. */
  seal(payload: CookiePayload): string {
    const sealed: SealedPayload = {
      p: PURPOSE,
      id: payload.id,
      iat: payload.issuedAt,
      abs: payload.absoluteDeadlineMs,
      r: payload.persistent,
    };
    const value = sealIron(sealed, this.#secrets.current);
    this.#verified.set(value, { payload, sealedWithCurrentSecret: true });
    return value;
  }

  /**
   * Whether `value` has the exact shape of our seals and names one of our secrets: checks without
   * crypto (a cache lookup, a pattern, base64url spellings), so a request can count its candidate
   * seals before verifying any. A value that fails here is certainly not ours; one that passes may
   * still fail the MAC.
   */
  isWellFormed(value: string): boolean {
    return this.#verified.get(value) !== undefined || this.#keysFor(value) !== undefined;
  }

  /** The keys of the secret a well-formed value names, or `undefined` when it is malformed. */
  #keysFor(value: string): DerivedKeys | undefined {
    const secretId = SEAL_PATTERN.exec(value)?.[1];
    if (secretId === undefined) return undefined;
    const [, , , iv = '', ciphertext = '', , , mac = ''] = value.split('*');
    if (!isCanonicalBase64url(iv) || !isCanonicalBase64url(ciphertext) || !isCanonicalBase64url(mac)) return undefined;
    return this.#secrets.byId[secretId];
  }

  /** The payload of a cookie value, or `undefined` for anything not sealed by us with a known secret. */
  unseal(value: string): UnsealedCookie | undefined {
    const cached = this.#verified.get(value);
    if (cached !== undefined) return cached;
    const keys = this.#keysFor(value);
    if (keys === undefined) return undefined;
    const payload = readPayload(unsealIron(value, keys));
    if (payload === undefined) return undefined;
    const result = { payload, sealedWithCurrentSecret: keys.id === this.#secrets.current.id };
    this.#verified.set(value, result);
    return result;
  }

  /** Forgets a value, so a destroyed session's cookie is verified afresh (and then finds nothing). */
  forget(value: string): void {
    this.#verified.delete(value);
  }
}
