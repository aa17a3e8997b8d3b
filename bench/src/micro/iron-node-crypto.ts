/**
 * A prototype, for measurement only (packages/core/src/iron.ts does the same since 221a0a6):
 * iron's seal (Fe26.2, the format sessionkit's cookie uses) with raw keys, as sessionkit passes them (HKDF-derived encryption and integrity keys, so no
 * PBKDF2 and empty salts), built on node:crypto's synchronous primitives instead of WebCrypto.
 * Same algorithms (AES-256-CBC, HMAC-SHA256), same text: its seals open with iron-webcrypto's
 * `unseal` and iron's open with it, which micro-costs.ts checks before timing anything.
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** An iron password with raw keys, the shape sessionkit derives. */
export interface IronKeys {
  readonly id: string;
  readonly encryption: Uint8Array;
  readonly integrity: Uint8Array;
}

/** sessionkit's key derivation (packages/core/src/secrets.ts), mirrored so the micro costs match. */
export function deriveIronKeys(id: string, secret: string): IronKeys {
  const derive = (purpose: string): Uint8Array =>
    new Uint8Array(hkdfSync('sha256', secret, 'sessionkit', `sessionkit cookie ${purpose} key v1`, 32));
  return { id, encryption: derive('encryption'), integrity: derive('integrity') };
}

/** Seals `object` like iron-webcrypto's `seal(object, keys, { ...defaults, ttl: 0 })`. */
export function sealSync(object: unknown, keys: IronKeys): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', keys.encryption, iv);
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(object), 'utf8'), cipher.final()]);
  // Raw keys have no salt: iron leaves both salt fields empty.
  const base = `Fe26.2*${keys.id}**${iv.toString('base64url')}*${encrypted.toString('base64url')}*`;
  const mac = createHmac('sha256', keys.integrity).update(base).digest('base64url');
  return `${base}**${mac}`;
}

/** Opens a seal made by {@link sealSync} or iron-webcrypto with the same keys; throws on a bad MAC or shape. */
export function unsealSync(sealed: string, keys: IronKeys): unknown {
  const parts = sealed.split('*');
  if (
    parts.length !== 8 ||
    parts[0] !== 'Fe26.2' ||
    parts[1] !== keys.id ||
    parts[2] !== '' ||
    parts[5] !== '' ||
    parts[6] !== ''
  ) {
    throw new Error('not a raw-key seal of these keys');
  }
  const expected = createHmac('sha256', keys.integrity).update(parts.slice(0, 6).join('*')).digest();
  const given = Buffer.from(parts[7] as string, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('bad seal');
  const decipher = createDecipheriv('aes-256-cbc', keys.encryption, Buffer.from(parts[3] as string, 'base64url'));
  const text = Buffer.concat([
    decipher.update(Buffer.from(parts[4] as string, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
  return JSON.parse(text);
}
