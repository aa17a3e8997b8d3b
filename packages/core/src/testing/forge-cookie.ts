import { generateSessionId } from '../id.js';
import { CookieSealer } from '../seal.js';
import { resolveSecrets, type SecretInput } from '../secrets.js';
import { testSecrets } from './helpers.js';

/** What a forged cookie claims; anything left out gets a plausible value. */
export interface ForgedPayload {
  readonly id?: string;
  readonly issuedAt?: number;
  readonly absoluteDeadlineMs?: number;
  readonly persistent?: boolean;
}

/**
 * A correctly sealed session cookie value for any payload, made exactly as the library makes them.
 * Tests use it to present a valid seal for an id the store never issued (it must not be adopted),
 * an expired deadline, or a seal made with another secret.
 *
 * @param payload - the claims; the id defaults to a fresh random one
 * @param secrets - the secrets to seal with (the first one seals)
 */
export async function forgeCookie(
  payload: ForgedPayload = {},
  secrets: readonly SecretInput[] = testSecrets,
): Promise<string> {
  const issuedAt = payload.issuedAt ?? Date.now();
  return new CookieSealer(resolveSecrets(secrets), 0).seal({
    id: payload.id ?? generateSessionId(),
    issuedAt,
    absoluteDeadlineMs: payload.absoluteDeadlineMs ?? issuedAt + 60 * 60_000,
    persistent: payload.persistent ?? false,
  });
}
