/**
 * Importer for express-session with connect-redis (or any express-session store that keeps the
 * session as a JSON string at `<prefix><id>`).
 *
 * express-session's format: the cookie (default `connect.sid`) holds `s:` + id + `.` + the
 * HMAC-SHA256 of the id under the first secret, base64 without `=` (cookie-signature), URL-encoded
 * by the `cookie` package; every secret of the `secret` option verifies. connect-redis stores
 * `JSON.stringify(req.session)` at `sess:<id>`: the app's keys plus express-session's `cookie`.
 *
 * @module
 */
import { clearingLines, type Importer, type ImporterOptions } from './importer.js';
import { hmac, matchesAnySecret, oldCookieValues, pickOne } from './old-cookie.js';
import { readCookieRecord } from './records.js';
import { optionFields, resolveSignedImporter } from './signed-importer.js';

const PEER = 'express-session';

/** Options of {@link expressSessionImporter}. */
export interface ExpressSessionImporterOptions extends ImporterOptions {
  /**
   * express-session's `secret` option, as it is now: one secret or the list (every one verifies,
   * as in express-session).
   */
  readonly secrets: string | Buffer | readonly (string | Buffer)[];
  /** express-session's `name`. @default 'connect.sid' */
  readonly cookieName?: string;
  /** connect-redis's `prefix`. @default 'sess:' */
  readonly prefix?: string;
}

/**
 * Reads express-session sessions kept by connect-redis, for `createSessionManager({ migrateFrom })`.
 *
 * @example
 * ```ts
 * import { expressSessionImporter } from '@sessionkit/core/migrate';
 * const importer = expressSessionImporter({
 *   secrets: [process.env.OLD_SESSION_SECRET!],
 *   client: redis, // the ioredis or node-redis client connect-redis used
 *   map: (data) => ({ data, userId: (data.passport as { user?: string } | undefined)?.user }),
 * });
 * ```
 */
export function expressSessionImporter(options: ExpressSessionImporterOptions): Importer {
  const resolved = resolveSignedImporter(PEER, options, options?.secrets, undefined, {
    cookieName: 'connect.sid',
    prefix: 'sess:',
    secretsOption: 'secrets',
    algorithm: 'sha256',
  });
  const { cookie, prefix, secrets } = resolved;

  /** cookie-signature's unsign: `s:<id>.<mac>`, the MAC over the id, base64 without trailing `=`. */
  function unsign(value: string): string | undefined {
    if (!value.startsWith('s:')) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 2) return undefined;
    const id = value.slice(2, dot);
    const mac = value.slice(dot + 1);
    return matchesAnySecret(secrets, mac, (secret) => hmac('sha256', secret, id, 'base64').replace(/=+$/, ''))
      ? id
      : undefined;
  }

  return {
    ...optionFields(PEER, resolved),
    verify: (header) => pickOne(oldCookieValues(header, cookie.name, true), unsign),
    storeKey: (id) => prefix + id,
    // connect-redis expires the key with the cookie; MemoryStore-like stores check `expires` on read.
    readRecord: readCookieRecord,
    clearCookies: (secure) => clearingLines(cookie, [cookie.name], secure),
  };
}
