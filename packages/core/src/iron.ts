/**
 * Iron seals (the Fe26.2 format of @hapi/iron and iron-webcrypto: AES-256-CBC, then HMAC-SHA256 over
 * the ciphertext) with raw keys, on node:crypto's synchronous primitives.
 *
 * The keys are derived once at start-up (see secrets.ts), so iron's per-seal PBKDF2 and salts are
 * not used and both salt fields stay empty, as iron itself writes them for raw keys. The text is
 * exactly what iron-webcrypto's `seal(payload, { id, encryption, integrity }, { ...defaults, ttl: 0 })`
 * writes, and the tests open our seals with iron-webcrypto and iron-webcrypto's with ours.
 *
 * Why not iron-webcrypto itself: WebCrypto runs every seal and unseal as thread-pool jobs with
 * CryptoKey imports, about 94 µs of CPU per seal on this project's machines against 12 µs here,
 * which halved the throughput of requests that create a session (docs/performance.md).
 *
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { randomBuffer } from './random-pool.js';
import type { DerivedKeys } from './secrets.js';

const PREFIX = 'Fe26.2';

/** @internal Seals `payload` (JSON) with `keys`, in iron's Fe26.2 format without expiration. */
export function sealIron(payload: unknown, keys: DerivedKeys): string {
  const iv = randomBuffer(16);
  const cipher = createCipheriv('aes-256-cbc', keys.encryption, iv);
  const encrypted = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  // prefix * password id * encryption salt (none) * iv * ciphertext * expiration (none)
  const macBase = `${PREFIX}*${keys.id}**${iv.toString('base64url')}*${encrypted.toString('base64url')}*`;
  const mac = createHmac('sha256', keys.integrity).update(macBase).digest('base64url');
  // ... * integrity salt (none) * MAC
  return `${macBase}**${mac}`;
}

/**
 * @internal Opens a seal of `keys`; `undefined` for anything that does not verify. The MAC is
 * checked in constant time before any decryption (no padding oracle).
 */
export function unsealIron(sealed: string, keys: DerivedKeys): unknown {
  const parts = sealed.split('*');
  if (
    parts.length !== 8 ||
    parts[0] !== PREFIX ||
    parts[1] !== keys.id ||
    parts[2] !== '' ||
    parts[5] !== '' ||
    parts[6] !== ''
  ) {
    return undefined;
  }
  const expected = createHmac('sha256', keys.integrity).update(parts.slice(0, 6).join('*')).digest();
  const given = Buffer.from(parts[7] as string, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-cbc', keys.encryption, Buffer.from(parts[3] as string, 'base64url'));
    const text = Buffer.concat([
      decipher.update(Buffer.from(parts[4] as string, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
    return JSON.parse(text);
  } catch {
    // A verified MAC with undecryptable content means a key mix-up, never a valid cookie.
    return undefined;
  }
}
