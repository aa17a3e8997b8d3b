/**
 * The contract between the session manager and an importer: what the manager asks of the library
 * an app switches from (its cookie, its signing rules, its store), and the options every importer
 * shares. The manager runs the import itself (see migrator.ts), so an importer holds no state and
 * does no I/O of its own beyond the old store's client.
 *
 * @module
 */
import { type ResolvedCookieOptions, resolveCookieOptions, serializeSessionCookie } from '../cookie.js';
import { SessionConfigError } from '../errors.js';
import { type OldStoreClient, type OldStoreClientInput, toOldStoreClient } from './old-store.js';

/** An old session as its library stored it, with that library's bookkeeping (its `cookie`, `_expire`, ...) dropped. */
export interface OldSessionRecord {
  /** The app's data: every top-level key the app put in the old session. */
  readonly data: Record<string, unknown>;
  /** Whether the old cookie was persistent (sent with Expires/Max-Age) rather than a browser-session cookie. */
  readonly persistent: boolean;
}

/** What the new sessionkit session is made of; {@link MapOldSession} returns it. */
export interface ImportedSession {
  /** The session data. */
  readonly data: Record<string, unknown>;
  /**
   * The user the session belongs to, so `listUserSessions` and "log out everywhere" find it: 1 to
   * 256 characters without control characters (a value outside that means no import). Passport
   * stores the user under `passport.user` (express-session, koa-session) or `passport`
   * (@fastify/session), often as a number: pass `String(...)`.
   */
  readonly userId?: string | undefined;
  /** A persistent cookie ("remember me"). @default what the old cookie was */
  readonly persistent?: boolean | undefined;
}

/**
 * Turns the data of an old session into the sessionkit session; `undefined` (or a throw) imports
 * nothing and the request goes on without a session. May be async (to look a user up).
 *
 * @example
 * ```ts
 * // express-session + Passport: index the session under the user passport.serializeUser gave.
 * const map: MapOldSession = (data) => {
 *   const user = (data.passport as { user?: unknown } | undefined)?.user;
 *   return { data, userId: user === undefined ? undefined : String(user) };
 * };
 * ```
 */
export type MapOldSession = (
  data: Record<string, unknown>,
  old: { readonly peer: string; readonly persistent: boolean },
) => ImportedSession | undefined | Promise<ImportedSession | undefined>;

/**
 * Reads the sessions of one other session library. Build one with `expressSessionImporter`,
 * `koaSessionImporter` or `fastifySessionImporter` from `@sessionkit/core/migrate`, and pass it in
 * `createSessionManager({ migrateFrom: [...] })`. Implement it yourself for another library whose
 * sessions live in Redis as JSON strings.
 *
 * Every method but the old store's client is pure: the manager calls them only for a request that
 * carries no valid sessionkit cookie and does carry {@link Importer.cookieName}.
 */
export interface Importer {
  /** The library the sessions come from, for messages and for {@link MapOldSession}. */
  readonly peer: string;
  /** The old session cookie's name: a request without it never reaches this importer. */
  readonly cookieName: string;
  /**
   * Verifies the old cookie with the old library's own signing rules and secrets (crypto only, no
   * I/O): the old session id, or `undefined` when no value verifies, or when values of the cookie
   * name verify to two different sessions.
   *
   * @param cookieHeader - the request's `Cookie` header
   */
  verify(cookieHeader: string): string | undefined;
  /**
   * The old store's key of a verified old session id (`sess:<id>` for connect-redis).
   *
   * @param oldId - an id {@link Importer.verify} returned
   */
  storeKey(oldId: string): string;
  /** Where the old sessions are: one Redis string (JSON) per session. */
  readonly client: OldStoreClient;
  /**
   * The app's data of a parsed old record, the old library's bookkeeping dropped; `undefined` when
   * the record is not one of its sessions or has expired.
   *
   * @param record - the old record, parsed (keys `__proto__`, `constructor`, `prototype` already removed)
   * @param nowMs - the manager's clock
   */
  readRecord(record: Record<string, unknown>, nowMs: number): OldSessionRecord | undefined;
  /**
   * `Set-Cookie` lines that expire the old cookie (and its signature cookie, if any) under the name,
   * path and domain the old library set it with.
   *
   * @param secure - whether the request arrived over HTTPS
   */
  clearCookies(secure: boolean): readonly string[];
  /** Builds the sessionkit session from the old data. */
  readonly map: MapOldSession;
  /** An old record larger than this (bytes) is not imported. */
  readonly maxRecordBytes: number;
  /**
   * How long (ms) the old key keeps a forwarding record to the new session after an import, so a
   * request that carried the same old cookie at the same time finds the session instead of
   * creating a second one.
   */
  readonly forwardTtlMs: number;
}

/** Options every importer takes. */
export interface ImporterOptions {
  /**
   * A client of the Redis that holds the old sessions: an ioredis `Redis` or `Cluster`, a node-redis
   * client (`createClient()`, v4 or later, connected), or any `{ runScript(script, keys, args) }`.
   * The importer runs two small Lua scripts on the old key (a read, and a compare-and-set), never
   * `KEYS`/`SCAN`, and never closes the client.
   */
  readonly client: OldStoreClientInput;
  /** The old session cookie's name. */
  readonly cookieName?: string;
  /** The `Path` the old library set its cookie with (the clearing cookie must match it). @default '/' */
  readonly cookiePath?: string;
  /** The `Domain` the old library set its cookie with, if any. */
  readonly cookieDomain?: string;
  /** The key prefix of the old store. */
  readonly prefix?: string;
  /** Builds the sessionkit session from the old data. @default `(data) => ({ data })` */
  readonly map?: MapOldSession;
  /** An old record larger than this many bytes is not imported. @default 262_144 */
  readonly maxRecordBytes?: number;
  /**
   * How long (ms) the old key forwards to the new session after the import, for requests that
   * carried the same old cookie at the same moment (parallel tabs, assets). @default 60_000
   */
  readonly forwardTtlMs?: number;
}

/** @internal {@link ImporterOptions} after validation. */
export interface ResolvedImporterOptions {
  readonly client: OldStoreClient;
  readonly cookie: ResolvedCookieOptions;
  readonly prefix: string;
  readonly map: MapOldSession;
  readonly maxRecordBytes: number;
  readonly forwardTtlMs: number;
}

const identityMap: MapOldSession = (data) => ({ data });

/** @internal Throws a {@link SessionConfigError} naming the importer. */
export function configError(peer: string, message: string): never {
  throw new SessionConfigError(`sessionkit: ${peer} importer: ${message}`);
}

function wholeNumber(peer: string, name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    configError(peer, `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

/** @internal Validates the options every importer shares. */
export function resolveImporterOptions(
  peer: string,
  options: ImporterOptions,
  defaultCookieName: string,
  defaultPrefix: string,
): ResolvedImporterOptions {
  if (typeof options !== 'object' || options === null)
    configError(peer, 'options are required, at least { client, secrets }.');
  const prefix = options.prefix ?? defaultPrefix;
  if (typeof prefix !== 'string' || prefix.length > 256)
    configError(peer, "prefix must be a string (the old store's key prefix).");
  if (options.map !== undefined && typeof options.map !== 'function')
    configError(peer, 'map must be a function (data) => ({ data, userId? }).');
  let cookie: ResolvedCookieOptions;
  try {
    cookie = resolveCookieOptions({
      name: options.cookieName ?? defaultCookieName,
      path: options.cookiePath ?? '/',
      ...(options.cookieDomain === undefined ? {} : { domain: options.cookieDomain }),
    });
  } catch (error) {
    configError(peer, `the old cookie: ${(error as Error).message.replace(/^sessionkit: /, '')}`);
  }
  return {
    client: toOldStoreClient(peer, options.client),
    cookie,
    prefix,
    map: options.map ?? identityMap,
    maxRecordBytes: wholeNumber(peer, 'maxRecordBytes', options.maxRecordBytes, 256 * 1024, 1, 64 * 1024 * 1024),
    forwardTtlMs: wholeNumber(peer, 'forwardTtlMs', options.forwardTtlMs, 60_000, 1_000, 60 * 60_000),
  };
}

/** @internal `Set-Cookie` lines expiring each of `names` under the old cookie's path and domain. */
export function clearingLines(cookie: ResolvedCookieOptions, names: readonly string[], secure: boolean): string[] {
  return names.map((name) => serializeSessionCookie({ ...cookie, name }, '', secure, 0));
}

/** @internal Secrets as the old libraries take them: one, or a list whose first signs and all verify. */
export function resolveSecretList(peer: string, name: string, secrets: unknown): readonly (string | Buffer)[] {
  const list = Array.isArray(secrets) ? (secrets as unknown[]) : [secrets];
  if (list.length === 0) configError(peer, `${name} must hold at least one secret.`);
  for (const secret of list) {
    if (!((typeof secret === 'string' && secret.length > 0) || (Buffer.isBuffer(secret) && secret.length > 0))) {
      configError(
        peer,
        `${name} must be the old library's secret(s): non-empty strings (or Buffers), all of them, in any order.`,
      );
    }
  }
  return list as (string | Buffer)[];
}

/**
 * @internal Validates `migrateFrom` of the session options: importers built by the factories (or
 * objects of the same shape), none reading the sessionkit cookie's own name.
 */
export function resolveImporters(value: unknown, sessionCookieName: string): readonly Importer[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new SessionConfigError(
      'sessionkit: migrateFrom must be a list of importers, e.g. [expressSessionImporter({ ... })] from @sessionkit/core/migrate.',
    );
  }
  for (const importer of value as unknown[]) {
    const candidate = importer as Partial<Importer> | null;
    if (
      typeof candidate !== 'object' ||
      candidate === null ||
      typeof candidate.cookieName !== 'string' ||
      typeof candidate.verify !== 'function' ||
      typeof candidate.storeKey !== 'function' ||
      typeof candidate.readRecord !== 'function' ||
      typeof candidate.clearCookies !== 'function' ||
      typeof candidate.map !== 'function' ||
      typeof candidate.client?.runScript !== 'function'
    ) {
      throw new SessionConfigError(
        'sessionkit: each migrateFrom entry must be an importer from @sessionkit/core/migrate ' +
          '(expressSessionImporter, koaSessionImporter, fastifySessionImporter).',
      );
    }
    if (candidate.cookieName === sessionCookieName) {
      throw new SessionConfigError(
        `sessionkit: the ${candidate.peer ?? 'old'} cookie and the sessionkit cookie are both named ` +
          `${JSON.stringify(sessionCookieName)}: ` +
          "give sessionkit's cookie another name (cookie.name), so the old cookie can be read and then cleared.",
      );
    }
  }
  return value as readonly Importer[];
}
