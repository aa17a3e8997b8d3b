/**
 * What-if module, never used by `npm run bench`: iron-webcrypto's `defaults`, `seal` and
 * `unseal`, for the raw-key passwords sessionkit passes, on node:crypto instead of WebCrypto.
 * `npm run profile -w bench -- --what-if iron-node-crypto ...` makes @sessionkit/core load this in
 * place of iron-webcrypto, to measure that change on the real library without editing it.
 *
 * @module
 */
import { type IronKeys, sealSync, unsealSync } from '../micro/iron-node-crypto.js';

/** iron's defaults, as iron-webcrypto exports them (sessionkit spreads them into its options). */
export const defaults = Object.freeze({
  encryption: Object.freeze({ algorithm: 'aes-256-cbc', saltBits: 256, iterations: 1, minPasswordlength: 32 }),
  integrity: Object.freeze({ algorithm: 'sha256', saltBits: 256, iterations: 1, minPasswordlength: 32 }),
  ttl: 0,
  timestampSkewSec: 60,
  localtimeOffsetMsec: 0,
});

/** iron's `seal`, for raw-key passwords. */
export async function seal(object: unknown, password: IronKeys): Promise<string> {
  return sealSync(object, password);
}

/** iron's `unseal`, for raw-key passwords keyed by id. */
export async function unseal(sealed: string, passwords: Readonly<Record<string, IronKeys>>): Promise<unknown> {
  const keys = passwords[sealed.split('*', 2)[1] ?? ''];
  if (keys === undefined) throw new Error('unknown password id');
  return unsealSync(sealed, keys);
}
