/**
 * A prototype, for measurement only: iron's seal (Fe26.2, the format sessionkit's cookie uses)
 * built on node:crypto's synchronous primitives instead of WebCrypto. Same algorithms, same
 * parameters (PBKDF2-SHA1 with 1 iteration and a fresh 256-bit salt per key, AES-256-CBC,
 * HMAC-SHA256), same text: its seals open with iron-webcrypto's `unseal` and vice versa, which
 * micro-costs.ts checks before timing anything.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** An iron password with its id, as sessionkit passes it. */
export interface IronPassword {
  readonly id: string;
  readonly secret: string;
}

/** iron's key derivation: PBKDF2-SHA1, 1 iteration, the hex salt's characters as the salt bytes. */
function deriveKey(secret: string, salt: string): Buffer {
  return pbkdf2Sync(secret, salt, 1, 32, 'sha1');
}

/** Seals `object` like iron-webcrypto's `seal(object, password, { ...defaults, ttl: 0 })`. */
export function sealSync(object: unknown, password: IronPassword): string {
  const encryptionSalt = randomBytes(32).toString('hex');
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', deriveKey(password.secret, encryptionSalt), iv);
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(object), 'utf8'), cipher.final()]);
  const base = `Fe26.2*${password.id}*${encryptionSalt}*${iv.toString('base64url')}*${encrypted.toString('base64url')}*`;
  const macSalt = randomBytes(32).toString('hex');
  const mac = createHmac('sha256', deriveKey(password.secret, macSalt)).update(base).digest('base64url');
  return `${base}*${macSalt}*${mac}`;
}

/** Opens a seal made by {@link sealSync} or iron-webcrypto; throws on a bad MAC or shape. */
export function unsealSync(sealed: string, password: IronPassword): unknown {
  const parts = sealed.split('*');
  if (parts.length !== 8 || parts[0] !== 'Fe26.2' || parts[1] !== password.id) throw new Error('not a seal of this password');
  const [, , encryptionSalt, ivText, encryptedText, expiration, macSalt, macText] = parts as [string, string, string, string, string, string, string, string];
  const base = parts.slice(0, 6).join('*');
  const expected = createHmac('sha256', deriveKey(password.secret, macSalt)).update(base).digest();
  const given = Buffer.from(macText, 'base64url');
  if (expiration !== '' || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad seal');
  const decipher = createDecipheriv('aes-256-cbc', deriveKey(password.secret, encryptionSalt), Buffer.from(ivText, 'base64url'));
  const text = Buffer.concat([decipher.update(Buffer.from(encryptedText, 'base64url')), decipher.final()]).toString('utf8');
  return JSON.parse(text);
}
