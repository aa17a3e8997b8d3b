import type { CookieJar } from './types.js';

/**
 * A response that depends on the session must not be cached for another user: it gets
 * `Vary: Cookie` and, unless the app chose its own, `Cache-Control` (Flask's CVE-2023-30861 and
 * CVE-2026-27205 were exactly a missing `Vary: Cookie`).
 *
 * @internal
 */
export function writeSessionHeaders(jar: CookieJar, cacheControl: string | false): void {
  const raw = jar.getHeader('Vary');
  const vary = raw === undefined ? undefined : typeof raw === 'object' ? raw.join(', ') : String(raw);
  if (vary === undefined || vary.trim() === '') {
    jar.setHeader('Vary', 'Cookie');
  } else if (!/(^|,)\s*(cookie|\*)\s*(,|$)/i.test(vary)) {
    jar.setHeader('Vary', `${vary}, Cookie`);
  }
  if (cacheControl !== false && jar.getHeader('Cache-Control') === undefined) {
    jar.setHeader('Cache-Control', cacheControl);
  }
}
