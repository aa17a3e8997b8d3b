/**
 * Options of `createSessionManager`, validated once at start-up: a misconfiguration throws a
 * {@link SessionConfigError} whose message says what to do, never a failure per request.
 *
 * @module
 */
import { type CookieOptions, type ResolvedCookieOptions, resolveCookieOptions } from './cookie.js';
import { SessionConfigError } from './errors.js';
import { MemoryStore } from './memory-store.js';
import { type Importer, resolveImporters } from './migrate/importer.js';
import { type ResolvedSecrets, type SecretInput, resolveSecrets } from './secrets.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import type { SessionStore } from './store.js';

/** Options of `createSessionManager`. */
export interface SessionOptions {
  /**
   * Where sessions live. Use `RedisStore` from `@sessionkit/core/redis` in production.
   * @default a new MemoryStore (single process only; a warning says so once)
   */
  readonly store?: SessionStore;
  /**
   * Secrets that seal the cookie, each at least 32 characters. The first seals; all unseal, so a
   * new secret can be put first without logging anyone out. Give `{ id, secret }` to name them.
   */
  readonly secrets: readonly SecretInput[] | SecretInput;
  /** Cookie attributes. */
  readonly cookie?: CookieOptions;
  /** Inactivity after which a session ends (sliding, enforced by the store). @default 1_800_000 (30 minutes) */
  readonly idleTimeoutMs?: number;
  /** Lifetime after which a session ends however active it is. @default 86_400_000 (24 hours) */
  readonly absoluteTimeoutMs?: number;
  /** How each top-level value is serialized. @default jsonSerializer */
  readonly serializer?: Serializer;
  /** Largest serialized session (keys and values, in bytes); a larger one is refused with a 413. @default 131_072 */
  readonly maxDataBytes?: number;
  /**
   * Upper bound for any one store call; past it the request fails with a 503 instead of hanging,
   * even if the store's own client has no timeout. @default 5_000
   */
  readonly storeTimeoutMs?: number;
  /**
   * `Cache-Control` set on responses that carry a session, unless the app set one; `false` leaves
   * it alone. `Vary: Cookie` is always added. @default 'no-store'
   */
  readonly cacheControl?: string | false;
  /** How many verified cookie values to remember, so returning clients cost no crypto. @default 10_000 */
  readonly cookieCacheSize?: number;
  /** The clock, in ms since the epoch; for tests. @default Date.now */
  readonly now?: () => number;
  /**
   * Take over the live sessions of the library you switch from, on each user's first request after
   * the switch, instead of logging everyone out: importers from `@sessionkit/core/migrate`
   * (`expressSessionImporter`, `koaSessionImporter`, `fastifySessionImporter`). Only requests with no
   * valid sessionkit cookie and an old cookie reach them. See docs/switch-without-logout.md.
   * @default [] (off)
   */
  readonly migrateFrom?: readonly Importer[];
}

/** Options after validation and defaults. */
export interface ResolvedSessionOptions {
  readonly store: SessionStore;
  readonly secrets: ResolvedSecrets;
  readonly cookie: ResolvedCookieOptions;
  readonly idleTimeoutMs: number;
  readonly absoluteTimeoutMs: number;
  readonly serializer: Serializer;
  readonly maxDataBytes: number;
  readonly storeTimeoutMs: number;
  readonly cacheControl: string | false;
  readonly cookieCacheSize: number;
  readonly now: () => number;
  readonly migrateFrom: readonly Importer[];
}

function positiveInteger(name: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new SessionConfigError(
      `sessionkit: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} whole number; got ${JSON.stringify(value)}.` +
        (name.endsWith('Ms') ? ' It is in milliseconds: 30 minutes is 1_800_000.' : ''),
    );
  }
  return value;
}

let memoryStoreWarned = false;

function defaultStore(): SessionStore {
  const underTest = process.env['NODE_ENV'] === 'test' || process.env['VITEST'] !== undefined;
  if (!memoryStoreWarned && !underTest) {
    memoryStoreWarned = true;
    process.emitWarning(
      "sessionkit: no `store` given, so sessions live in this process's memory: they vanish on restart and are " +
        'not shared between processes. Pass `store: new RedisStore(...)` from @sessionkit/core/redis in production.',
      { code: 'SESSIONKIT_MEMORY_STORE' },
    );
  }
  return new MemoryStore();
}

/** @internal Validates options and fills in defaults. */
export function resolveOptions(options: SessionOptions): ResolvedSessionOptions {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      'sessionkit: options are required, at least { secrets: [process.env.SESSION_SECRET] }.',
    );
  }
  const idleTimeoutMs = positiveInteger('idleTimeoutMs', options.idleTimeoutMs, 30 * 60_000);
  const absoluteTimeoutMs = positiveInteger('absoluteTimeoutMs', options.absoluteTimeoutMs, 24 * 60 * 60_000);
  if (idleTimeoutMs > absoluteTimeoutMs) {
    throw new SessionConfigError(
      `sessionkit: idleTimeoutMs (${idleTimeoutMs}) is longer than absoluteTimeoutMs (${absoluteTimeoutMs}), so the idle ` +
        'timeout could never apply: make idleTimeoutMs shorter or absoluteTimeoutMs longer.',
    );
  }
  const store = options.store ?? defaultStore();
  for (const verb of ['create', 'load', 'patch', 'increment', 'regenerate', 'touch', 'destroy'] as const) {
    if (typeof store[verb] !== 'function') {
      throw new SessionConfigError(
        `sessionkit: the store has no ${verb}() method: it must implement the SessionStore interface ` +
          '(express-session stores do not; use MemoryStore, RedisStore or a store that passes describeSessionStore).',
      );
    }
  }
  const serializer = options.serializer ?? jsonSerializer;
  if (typeof serializer.stringify !== 'function' || typeof serializer.parse !== 'function') {
    throw new SessionConfigError('sessionkit: serializer must have stringify(value) and parse(text) functions.');
  }
  if (
    options.cacheControl !== undefined &&
    options.cacheControl !== false &&
    typeof options.cacheControl !== 'string'
  ) {
    throw new SessionConfigError("sessionkit: cacheControl must be a header value such as 'no-store', or false.");
  }
  const secrets = resolveSecrets(options.secrets);
  const cookie = resolveCookieOptions(options.cookie);
  return {
    store,
    secrets,
    cookie,
    idleTimeoutMs,
    absoluteTimeoutMs,
    serializer,
    maxDataBytes: positiveInteger('maxDataBytes', options.maxDataBytes, 128 * 1024),
    storeTimeoutMs: positiveInteger('storeTimeoutMs', options.storeTimeoutMs, 5_000),
    cacheControl: options.cacheControl ?? 'no-store',
    cookieCacheSize: positiveInteger('cookieCacheSize', options.cookieCacheSize, 10_000, true),
    now: options.now ?? Date.now,
    migrateFrom: resolveImporters(options.migrateFrom, cookie.name),
  };
}
