/**
 * PgStore: sessionkit sessions in PostgreSQL through node-postgres, one row per session, one
 * statement per verb. A worked example of docs/store-contract.md: copy it, adapt it, and run the
 * conformance suite on it (test/pg-store.test.ts does).
 *
 * - Lazy expiry: a row outlives its expiry until {@link PgStore.purgeExpired} deletes it, so every
 *   statement checks that the session is live (`expires_at > now`, and not fenced off by a log-out:
 *   see below) in its `WHERE`, and no write ever revives or inserts a session that is gone.
 * - One statement per verb, each atomic under READ COMMITTED: an `UPDATE … WHERE live` waits for a
 *   concurrent writer's row lock and then re-checks the `WHERE` against the row it left.
 * - "Log out everywhere" bumps the user's generation (table `session_users`) and deletes the user's
 *   rows in one statement. A session records the generation it joined its user at (`user_gen`); a
 *   create, regenerate or login whose statement started before the log-out committed carries the old
 *   generation, so its row is not live even if the log-out's snapshot missed it (a statement's
 *   snapshot is taken when it starts, and a `DELETE` never sees rows that commit after that).
 * - Call order: a pool may send a statement called earlier after one called later (it waited for
 *   a connection). So that a create or login called before a log-out of the same user is "before"
 *   it, as the contract says, the log-out first waits for those of this process still in flight.
 *   Across processes, the order is the one in which the statements reach PostgreSQL.
 * - Reads are one read-only `SELECT` (`read`, which a replica can serve); `load` is the core's
 *   `loadByReading`, which sends `touch` only when the slide is due (5% of the idle TTL, at most a
 *   minute), so most requests write nothing.
 * - Times are the app's clock in ms (`nowMs`, which the manager passes; `Date.now()` otherwise),
 *   passed as parameters; see sql/schema.sql.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import {
  type Gone,
  isValidSessionId,
  loadByReading,
  type ReadSession,
  SessionArgumentError,
  SessionConfigError,
  type SessionPatch,
  type SessionStore,
  type StoredSession,
} from '@sessionkit/core';
import pg, { type Pool, type PoolConfig, type QueryResultRow } from 'pg';

/** Options of {@link PgStore}. */
export interface PgStoreOptions {
  /** A node-postgres pool, e.g. from {@link createPgPool}. The store never ends it. */
  readonly pool: Pool;
  /** The schema of the tables (created by {@link migrate}). @default 'sessionkit' */
  readonly schema?: string;
  /**
   * A pool for {@link PgStore.read}, the one read-only verb (every request with a session cookie),
   * e.g. on a replica. Only with synchronous replication (`synchronous_commit = remote_apply`): on a
   * replica that lags, a session created or logged in a moment ago reads as no session, and its user
   * is logged out. Slides, writes and listings always go to `pool`. @default pool
   */
  readonly readPool?: Pool;
  /** The clock for calls that do not pass `nowMs` (the manager always passes its own). @default Date.now */
  readonly now?: () => number;
}

/** Options of {@link PgStore.startPurging}. */
export interface PurgeOptions {
  /** How often to purge. @default 60_000 */
  readonly intervalMs?: number;
  /** Told about a purge that failed (the next one tries again). @default a console.warn */
  readonly onError?: (error: unknown) => void;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;
const MAX_SAFE = '9007199254740991';

/**
 * A node-postgres pool with the settings a session store relies on (docs/store-contract.md, "A
 * store's own database client"): every wait bounded below the manager's `storeTimeoutMs` (5 s by
 * default), so a stuck statement is cancelled on the server instead of holding a connection and
 * row locks; an error listener, without which a connection dropped while idle would crash the
 * process; an idle pool that never holds the process open. Anything in `config` overrides.
 *
 * @param config - node-postgres pool options (`connectionString`, `max`, ...)
 * @param onError - told about errors of idle connections
 */
export function createPgPool(config: PoolConfig = {}, onError: (error: Error) => void = warnIdleError): Pool {
  const pool = new pg.Pool({
    max: 10,
    connectionTimeoutMillis: 2_000, // waiting for a connection (pool full or server slow to accept)
    statement_timeout: 2_500, // the server cancels a statement running longer
    query_timeout: 3_000, // the client gives up even if the server never answers
    idle_in_transaction_session_timeout: 5_000,
    idleTimeoutMillis: 30_000, // idle connections are closed
    allowExitOnIdle: true, // an idle pool does not keep the process alive
    application_name: 'sessionkit',
    ...config,
  });
  pool.on('error', onError);
  return pool;
}

function warnIdleError(error: Error): void {
  console.warn(`sessionkit PgStore: an idle PostgreSQL connection failed (the pool replaces it): ${error.message}`);
}

/**
 * Creates (or brings up to date) the store's tables from sql/schema.sql, in one transaction under an
 * advisory lock: safe to call at every start of every instance.
 *
 * @param pool - the pool
 * @param schema - the schema to create the tables in @default 'sessionkit'
 */
export async function migrate(pool: Pool, schema = 'sessionkit'): Promise<void> {
  const quoted = quoteSchema(schema);
  const ddl = await readFile(new URL('../sql/schema.sql', import.meta.url), 'utf8');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`sessionkit-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(ddl);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

function quoteSchema(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema)) {
    throw new SessionConfigError(
      `sessionkit PgStore: the schema must be a lower-case SQL identifier (${SCHEMA_PATTERN}); got ${String(schema)}.`,
    );
  }
  return `"${schema}"`;
}

/** A TTL as a parameter: whole milliseconds, at least 1. */
function ttlParam(ttlMs: number): number {
  if (Number.isNaN(ttlMs))
    throw new SessionArgumentError('sessionkit PgStore: a TTL must be a number of milliseconds.');
  return Math.max(1, Math.ceil(Math.min(ttlMs, Number.MAX_SAFE_INTEGER / 2)));
}

/** The statements of one schema. `$now` is always a parameter: the app's clock. */
function statements(schema: string) {
  const sessions = `${quoteSchema(schema)}.sessions`;
  const users = `${quoteSchema(schema)}.session_users`;
  // Live: before its expiry (always ≤ the deadline) and not fenced off by a later log-out of its user.
  const live = (row: string, now: string): string =>
    `${row}.expires_at > ${now} AND (${row}.user_id IS NULL OR ${row}.user_gen >= ` +
    `COALESCE((SELECT u.generation FROM ${users} u WHERE u.user_id = ${row}.user_id), 0))`;
  const generationOf = (user: string): string =>
    `COALESCE((SELECT u.generation FROM ${users} u WHERE u.user_id = ${user}), 0)`;
  return {
    // $1 id, $2 data, $3 created, $4 deadline, $5 user, $6 now, $7 ttl. An existing row (an expired
    // one not purged yet) is replaced whole; nothing is stored past the deadline.
    create: `
      INSERT INTO ${sessions} AS s (id, data, created_at, deadline, expires_at, user_id, user_gen)
      SELECT $1, $2::jsonb, $3::bigint, $4::bigint, LEAST($6::bigint + $7::bigint, $4::bigint), $5::text, ${generationOf('$5::text')}
      WHERE $4::bigint > $6::bigint
      ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, created_at = EXCLUDED.created_at, deadline = EXCLUDED.deadline,
        expires_at = EXCLUDED.expires_at, user_id = EXCLUDED.user_id, user_gen = EXCLUDED.user_gen
      RETURNING 1`,
    // $1 id, $2 now. Read-only: the manager's load slides with touch only when the core says it is due.
    read: `
      SELECT s.data, s.created_at, s.deadline, s.expires_at, s.user_id FROM ${sessions} s
      WHERE s.id = $1 AND ${live('s', '$2::bigint')}`,
    // $1 id, $2 keys to set (jsonb object), $3 keys to remove, $4 'keep' | 'set' | 'clear', $5 user, $6 now, $7 ttl.
    patch: `
      UPDATE ${sessions} s SET
        data = (s.data || $2::jsonb) - $3::text[],
        user_id = CASE $4::text WHEN 'set' THEN $5::text WHEN 'clear' THEN NULL ELSE s.user_id END,
        user_gen = CASE $4::text WHEN 'set' THEN ${generationOf('$5::text')} ELSE s.user_gen END,
        expires_at = LEAST($6::bigint + $7::bigint, s.deadline)
      WHERE s.id = $1 AND ${live('s', '$6::bigint')}
      RETURNING 1`,
    // $1 id, $2 key, $3 by, $4 now, $5 ttl. `cur` locks the live row (FOR UPDATE returns its latest
    // version after waiting for a concurrent writer), `calc` applies the grammar and the bound, the
    // UPDATE writes only a valid result. Answers whether the session is live and the new value.
    increment: `
      WITH cur AS (
        SELECT s.id, s.data ->> $2::text AS text FROM ${sessions} s WHERE s.id = $1 AND ${live('s', '$4::bigint')} FOR UPDATE OF s
      ), calc AS (
        SELECT id, CASE WHEN text IS NULL THEN 0::numeric WHEN text ~ '^(0|-?[1-9][0-9]*)$' THEN text::numeric END + $3::numeric AS next FROM cur
      ), upd AS (
        UPDATE ${sessions} s SET data = jsonb_set(s.data, ARRAY[$2::text], to_jsonb(calc.next::text)),
          expires_at = LEAST($4::bigint + $5::bigint, s.deadline)
        FROM calc WHERE s.id = calc.id AND abs(calc.next) <= ${MAX_SAFE}
        RETURNING calc.next::text AS value
      )
      SELECT EXISTS (SELECT 1 FROM cur) AS live, (SELECT value FROM upd) AS value`,
    // $1 old id, $2 new id, $3 now, $4 ttl. Of concurrent regenerates the first DELETE wins; the others
    // wait on the row lock, find it deleted and insert nothing. The new row keeps user_gen.
    regenerate: `
      WITH old AS (
        DELETE FROM ${sessions} s WHERE s.id = $1 AND ${live('s', '$3::bigint')}
        RETURNING s.data, s.created_at, s.deadline, s.user_id, s.user_gen
      )
      INSERT INTO ${sessions} AS s (id, data, created_at, deadline, expires_at, user_id, user_gen)
      SELECT $2, data, created_at, deadline, LEAST($3::bigint + $4::bigint, deadline), user_id, user_gen FROM old
      ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, created_at = EXCLUDED.created_at, deadline = EXCLUDED.deadline,
        expires_at = EXCLUDED.expires_at, user_id = EXCLUDED.user_id, user_gen = EXCLUDED.user_gen
      RETURNING 1`,
    // $1 id, $2 now, $3 ttl.
    touch: `
      UPDATE ${sessions} s SET expires_at = LEAST($2::bigint + $3::bigint, s.deadline)
      WHERE s.id = $1 AND ${live('s', '$2::bigint')}
      RETURNING 1`,
    destroy: `DELETE FROM ${sessions} WHERE id = $1`,
    // $1 user, $2 now.
    listUserSessions: `SELECT s.id FROM ${sessions} s WHERE s.user_id = $1 AND ${live('s', '$2::bigint')}`,
    // $1 user, $2 now. Bumps the generation (which fences every create, regenerate and login of the
    // user whose statement started before this one commits) and deletes the user's rows, counting
    // the ones that were live: before their expiry and at the generation before this bump.
    destroyUserSessions: `
      WITH bump AS (
        INSERT INTO ${users} AS u (user_id, generation) VALUES ($1, 1)
        ON CONFLICT (user_id) DO UPDATE SET generation = u.generation + 1
        RETURNING generation
      ), ended AS (
        DELETE FROM ${sessions} s WHERE s.user_id = $1 RETURNING s.expires_at, s.user_gen
      )
      SELECT count(*) AS live FROM ended, bump WHERE ended.expires_at > $2::bigint AND ended.user_gen >= bump.generation - 1`,
    // $1 now, $2 batch size. Rows past their expiry, and rows fenced off by a log-out.
    purge: `
      DELETE FROM ${sessions} WHERE id IN (
        SELECT s.id FROM ${sessions} s
        WHERE s.expires_at <= $1::bigint
           OR (s.user_id IS NOT NULL AND s.user_gen < ${generationOf('s.user_id')})
        LIMIT $2::int
      )`,
  };
}

type Statements = ReturnType<typeof statements>;

/**
 * Sessions in PostgreSQL. See the module comment for how each rule of the contract is kept.
 *
 * @example
 * ```ts
 * const pool = createPgPool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool);
 * const store = new PgStore({ pool });
 * const stopPurging = store.startPurging();
 * ```
 */
export class PgStore implements SessionStore {
  readonly #pool: Pool;
  readonly #readPool: Pool;
  readonly #sql: Statements;
  readonly #schema: string;
  readonly #now: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Creates and login patches in flight, by user: what a log-out of that user waits for first. */
  readonly #joining = new Map<string, Set<Promise<void>>>();

  /** @param options - the pool, the schema, the clock */
  constructor(options: PgStoreOptions) {
    if (typeof options?.pool?.query !== 'function') {
      throw new SessionConfigError(
        'sessionkit PgStore needs a node-postgres pool: new PgStore({ pool: createPgPool({ connectionString }) }).',
      );
    }
    this.#pool = options.pool;
    this.#readPool = options.readPool ?? options.pool;
    this.#schema = options.schema ?? 'sessionkit';
    this.#sql = statements(this.#schema);
    this.#now = options.now ?? Date.now;
  }

  async create(id: string, session: StoredSession, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(id))
      throw new SessionArgumentError('sessionkit PgStore: create was given an invalid session id.');
    const { meta } = session;
    const rows = await this.#joiningUser(meta.userId, 'create', [
      id,
      JSON.stringify(session.data),
      meta.createdAt,
      meta.absoluteDeadlineMs,
      meta.userId ?? null,
      nowMs,
      ttlParam(ttlMs),
    ]);
    return rows.length === 1 ? 'ok' : 'gone';
  }

  /** One `SELECT`, no write (on `readPool` when given): the live session and its expiry. */
  async read(id: string, nowMs: number = this.#now()): Promise<ReadSession | undefined> {
    if (!isValidSessionId(id)) return undefined;
    const [row] = await this.#query('read', [id, nowMs], this.#readPool);
    if (row === undefined) return undefined;
    const meta = { createdAt: Number(row['created_at']), absoluteDeadlineMs: Number(row['deadline']) };
    const userId = row['user_id'] as string | null;
    return {
      data: stringValues(row['data']),
      meta: userId === null ? meta : { ...meta, userId },
      expiresAtMs: Number(row['expires_at']),
    };
  }

  /** {@link read}, then {@link touch} only when the core's `slideDue` says the read owes a slide. */
  load(id: string, ttlMs: number, nowMs: number = this.#now()): Promise<StoredSession | undefined> {
    return loadByReading(this, id, ttlMs, nowMs);
  }

  async patch(id: string, patch: SessionPatch, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(id)) return 'gone';
    const action = patch.userId === undefined ? 'keep' : patch.userId === null ? 'clear' : 'set';
    const rows = await this.#joiningUser(typeof patch.userId === 'string' ? patch.userId : undefined, 'patch', [
      id,
      JSON.stringify(patch.set),
      [...patch.remove],
      action,
      typeof patch.userId === 'string' ? patch.userId : null,
      nowMs,
      ttlParam(ttlMs),
    ]);
    return rows.length === 1 ? 'ok' : 'gone';
  }

  async increment(
    id: string,
    key: string,
    by: number,
    ttlMs: number,
    nowMs: number = this.#now(),
  ): Promise<number | Gone> {
    if (!Number.isSafeInteger(by))
      throw new SessionArgumentError('sessionkit PgStore: increment takes a whole number.');
    if (!isValidSessionId(id)) return 'gone';
    const [row] = await this.#query('increment', [id, key, String(by), nowMs, ttlParam(ttlMs)]);
    if (row?.['live'] !== true) return 'gone';
    if (typeof row['value'] !== 'string') {
      throw new SessionArgumentError(
        `sessionkit PgStore: session key "${key}" holds a value that is not an integer, or the result would pass ±(2^53 − 1); it was not changed.`,
      );
    }
    return Number(row['value']);
  }

  async regenerate(oldId: string, newId: string, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(newId))
      throw new SessionArgumentError('sessionkit PgStore: regenerate was given an invalid new session id.');
    if (!isValidSessionId(oldId)) return 'gone';
    const rows = await this.#query('regenerate', [oldId, newId, nowMs, ttlParam(ttlMs)]);
    return rows.length === 1 ? 'ok' : 'gone';
  }

  async touch(id: string, ttlMs: number, nowMs: number = this.#now()): Promise<'ok' | Gone> {
    if (!isValidSessionId(id)) return 'gone';
    const rows = await this.#query('touch', [id, nowMs, ttlParam(ttlMs)]);
    return rows.length === 1 ? 'ok' : 'gone';
  }

  async destroy(id: string): Promise<void> {
    if (!isValidSessionId(id)) return;
    await this.#query('destroy', [id]);
  }

  async listUserSessions(userId: string, nowMs: number = this.#now()): Promise<string[]> {
    const rows = await this.#query('listUserSessions', [userId, nowMs]);
    return rows.map((row) => row['id'] as string);
  }

  async destroyUserSessions(userId: string, nowMs: number = this.#now()): Promise<number> {
    const joining = this.#joining.get(userId);
    if (joining !== undefined) await Promise.all(joining);
    const [row] = await this.#query('destroyUserSessions', [userId, nowMs]);
    return Number(row?.['live'] ?? 0);
  }

  /**
   * Deletes the rows of sessions that are no longer live (past their expiry, or fenced off by a log
   * out everywhere), in batches so that no statement holds many row locks for long. Expired rows
   * are invisible to every verb already; this only reclaims the space.
   *
   * @param batchSize - rows per statement @default 5_000
   * @param nowMs - the app's clock @default the store's `now`
   * @returns how many rows were deleted
   */
  async purgeExpired(batchSize = 5_000, nowMs: number = this.#now()): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.#pool.query({
        name: this.#name('purge'),
        text: this.#sql.purge,
        values: [nowMs, batchSize],
      });
      const deleted = result.rowCount ?? 0;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  /**
   * Runs {@link purgeExpired} every `intervalMs` on a timer that never holds the process open; a
   * purge still running when the next is due is not doubled. Returns the function that stops it
   * ({@link close} stops it too).
   *
   * @param options - the interval and where failures go
   */
  startPurging(options: PurgeOptions = {}): () => void {
    const onError =
      options.onError ??
      ((error: unknown) => console.warn(`sessionkit PgStore: purgeExpired failed: ${String(error)}`));
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.purgeExpired()
        .catch(onError)
        .finally(() => {
          running = false;
        });
    }, options.intervalMs ?? 60_000);
    timer.unref();
    this.#timers.add(timer);
    return () => {
      clearInterval(timer);
      this.#timers.delete(timer);
    };
  }

  /** The store's `sweep` (SessionStore): {@link purgeExpired}. */
  sweep(nowMs: number = this.#now()): Promise<number> {
    return this.purgeExpired(5_000, nowMs);
  }

  /** Stops the purge timers. The pool is the caller's: end it yourself (`await pool.end()`). */
  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers.clear();
  }

  /** A prepared statement's name: per verb and schema, so stores of two schemas can share a pool. */
  #name(verb: keyof Statements): string {
    return `sessionkit_${this.#schema}_${verb}`;
  }

  /** {@link #query}, tracked while in flight when it makes a session `userId`'s. */
  #joiningUser(userId: string | undefined, verb: 'create' | 'patch', values: unknown[]): Promise<QueryResultRow[]> {
    const query = this.#query(verb, values);
    if (userId === undefined) return query;
    let inFlight = this.#joining.get(userId);
    if (inFlight === undefined) this.#joining.set(userId, (inFlight = new Set()));
    const settled = query.then(
      () => undefined,
      () => undefined,
    );
    inFlight.add(settled);
    void settled.then(() => {
      inFlight.delete(settled);
      if (inFlight.size === 0 && this.#joining.get(userId) === inFlight) this.#joining.delete(userId);
    });
    return query;
  }

  async #query(verb: keyof Statements, values: unknown[], pool: Pool = this.#pool): Promise<QueryResultRow[]> {
    const result = await pool.query({ name: this.#name(verb), text: this.#sql[verb], values });
    return result.rows;
  }
}

/**
 * The data column as the store hands it to the manager: every string value, by key, as own
 * properties (`Object.fromEntries`, so a key named `__proto__` stays a plain key). node-postgres
 * parses `jsonb` with `JSON.parse`, which makes such a key an own property too.
 */
function stringValues(data: unknown): Record<string, string> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return {};
  return Object.fromEntries(
    Object.entries(data).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
