/**
 * Importer for @fastify/session with a Redis store that keeps the session as a JSON string at
 * `<prefix><id>` (connect-redis, which @fastify/session takes as it takes any express-session store).
 *
 * @fastify/session's format: the cookie (default `sessionId`) holds `cookiePrefix` + id + `.` + the
 * HMAC (SHA-256 unless `algorithm` says otherwise) of the id under the first secret, base64 without
 * `=` (@fastify/cookie's Signer), URL-encoded by @fastify/cookie; every secret verifies. The store
 * gets `JSON.stringify(request.session)`: the app's keys plus @fastify/session's `cookie`.
 *
 * @module
 */
import { clearingLines, configError, type Importer, type ImporterOptions } from './importer.js';
import { hmac, matchesAnySecret, oldCookieValues, pickOne } from './old-cookie.js';
import { readCookieRecord } from './records.js';
import { optionFields, resolveSignedImporter } from './signed-importer.js';

const PEER = '@fastify/session';

/** Options of {@link fastifySessionImporter}. */
export interface FastifySessionImporterOptions extends ImporterOptions {
  /** @fastify/session's `secret`: one secret or the list (every one verifies). */
  readonly secrets: string | Buffer | readonly (string | Buffer)[];
  /** @fastify/session's `algorithm`. @default 'sha256' */
  readonly algorithm?: string;
  /** @fastify/session's `cookieName`. @default 'sessionId' */
  readonly cookieName?: string;
  /** @fastify/session's `cookiePrefix`, put before the signed id in the cookie. @default '' */
  readonly cookiePrefix?: string;
  /** The store's key prefix (connect-redis's `prefix`). @default 'sess:' */
  readonly prefix?: string;
}

/**
 * Reads @fastify/session sessions kept in Redis, for `createSessionManager({ migrateFrom })`.
 *
 * @example
 * ```ts
 * import { fastifySessionImporter } from '@sessionkit/core/migrate';
 * const importer = fastifySessionImporter({
 *   secrets: [process.env.OLD_SESSION_SECRET!],
 *   client: redis,
 *   map: (data) => ({ data, userId: typeof data.passport === 'string' ? data.passport : undefined }),
 * });
 * ```
 */
export function fastifySessionImporter(options: FastifySessionImporterOptions): Importer {
  const resolved = resolveSignedImporter(PEER, options, options?.secrets, options?.algorithm, {
    cookieName: 'sessionId',
    prefix: 'sess:',
    secretsOption: 'secrets',
    algorithm: 'sha256',
  });
  const { cookie, prefix, secrets, algorithm } = resolved;
  const cookiePrefix = options.cookiePrefix ?? '';
  if (typeof cookiePrefix !== 'string') configError(PEER, 'cookiePrefix must be a string.');

  /** @fastify/cookie's Signer.unsign: `<id>.<mac>`, the MAC over the id, base64 without `=`. */
  function unsign(raw: string): string | undefined {
    if (!raw.startsWith(cookiePrefix)) return undefined;
    const value = raw.slice(cookiePrefix.length);
    const dot = value.lastIndexOf('.');
    if (dot <= 0 || dot === value.length - 1) return undefined;
    const id = value.slice(0, dot);
    const mac = value.slice(dot + 1);
    return matchesAnySecret(secrets, mac, (secret) => hmac(algorithm, secret, id, 'base64').replace(/=/g, ''))
      ? id
      : undefined;
  }

  return {
    ...optionFields(PEER, resolved),
    verify: (header) => pickOne(oldCookieValues(header, cookie.name, true), unsign),
    storeKey: (id) => prefix + id,
    // @fastify/session's own check on load: past the stored `expires` the session is destroyed, not restored.
    readRecord: readCookieRecord,
    clearCookies: (secure) => clearingLines(cookie, [cookie.name], secure),
  };
}
