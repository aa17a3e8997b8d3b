/**
 * Importer for koa-session with an external store, koa-redis (or any store that keeps the session
 * as a JSON string at `<prefix><external key>`).
 *
 * koa-session's format with a `store`: the cookie (default `koa.sess`) holds the external key (a
 * UUID, or `prefix` + UUID, or what `genid` returns), as is, and `koa.sess.sig` holds its
 * signature by the `cookies` package: Keygrip's HMAC (SHA-1 unless `app.keys` is a Keygrip with
 * another algorithm) of `koa.sess=<value>` under the first of `app.keys`, base64 with `/+=` turned
 * into `_-` and nothing, i.e. base64url. Every key verifies. koa-redis stores the session JSON at the
 * external key itself (no prefix): the app's keys plus koa-session's `_expire`, `_maxAge` or `_session`.
 *
 * @module
 */
import { clearingLines, type Importer, type ImporterOptions, type OldSessionRecord } from './importer.js';
import { hmac, oldCookieValues, pickOne, safeEqual } from './old-cookie.js';
import { expiredBefore, withoutKeys } from './records.js';
import { optionFields, resolveSignedImporter } from './signed-importer.js';

const PEER = 'koa-session';

/** Options of {@link koaSessionImporter}. */
export interface KoaSessionImporterOptions extends ImporterOptions {
  /** `app.keys` of the old Koa app (all of them; each verifies, as in Keygrip). */
  readonly keys: string | Buffer | readonly (string | Buffer)[];
  /** The HMAC of `app.keys`: `'sha1'` unless the app set `app.keys = new Keygrip(keys, 'sha256')`. @default 'sha1' */
  readonly algorithm?: string;
  /** koa-session's `key` option. @default 'koa.sess' */
  readonly cookieName?: string;
  /** A prefix the store put before the external key (koa-redis puts none). @default '' */
  readonly prefix?: string;
}

/**
 * Reads koa-session sessions kept by koa-redis, for `createSessionManager({ migrateFrom })`.
 *
 * @example
 * ```ts
 * import { koaSessionImporter } from '@sessionkit/core/migrate';
 * const importer = koaSessionImporter({ keys: app.keys, client: redis });
 * ```
 */
export function koaSessionImporter(options: KoaSessionImporterOptions): Importer {
  const resolved = resolveSignedImporter(PEER, options, options?.keys, options?.algorithm, {
    cookieName: 'koa.sess',
    prefix: '',
    secretsOption: 'keys',
    algorithm: 'sha1',
    algorithmHint: " (koa uses 'sha1' by default)",
  });
  const { cookie, prefix, secrets: keys, algorithm } = resolved;
  const signatureName = `${cookie.name}.sig`;

  function verify(header: string): string | undefined {
    const values = oldCookieValues(header, cookie.name, false);
    if (values.length === 0) return undefined;
    const signatures = oldCookieValues(header, signatureName, false);
    if (signatures.length === 0) return undefined;
    return pickOne(values, (value) => {
      let verified = false;
      for (const key of keys) {
        const expected = hmac(algorithm, key, `${cookie.name}=${value}`, 'base64url');
        for (const signature of signatures) if (safeEqual(signature, expected)) verified = true;
      }
      return verified ? value : undefined;
    });
  }

  return {
    ...optionFields(PEER, resolved),
    verify,
    storeKey: (externalKey) => prefix + externalKey,
    readRecord(record, nowMs): OldSessionRecord | undefined {
      // koa-session's own check: a record past `_expire` is no session.
      const expire = record['_expire'];
      if (expire !== undefined && typeof expire !== 'number') return undefined;
      if (expiredBefore(expire, nowMs)) return undefined;
      // toJSON() skips every key starting with `_`, so those are koa-session's, never the app's.
      return { data: withoutKeys(record, (key) => key.startsWith('_')), persistent: record['_session'] !== true };
    },
    clearCookies: (secure) => clearingLines(cookie, [cookie.name, signatureName], secure),
  };
}
