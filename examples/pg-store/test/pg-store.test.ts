import { setTimeout as delay } from 'node:timers/promises';
import { describeSessionStore, newId, storedSession } from '@sessionkit/core/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PgStore } from '../src/pg-store.js';
import { testDatabase } from './database.js';

const HOUR_MS = 60 * 60_000;
let pool: Pool;
let schema: string;
let dispose: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ pool, schema, dispose } = await testDatabase('store'));
});
afterAll(async () => {
  await dispose?.();
});

describeSessionStore('PgStore (PostgreSQL)', {
  create: () => new PgStore({ pool, schema }),
  cleanup: (store) => (store as PgStore).close(),
  capabilities: { userIndex: true },
});

describe('PgStore beyond the suite', () => {
  it('migrate is idempotent and safe to run from several instances at once', async () => {
    await Promise.all([migrate(pool, schema), migrate(pool, schema), migrate(pool, schema)]);
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    expect(rows[0].n).toBe(2);
  });

  it('keeps the data as a jsonb object of one value per key', async () => {
    const store = new PgStore({ pool, schema });
    const id = newId();
    await store.create(id, storedSession({ cart: JSON.stringify({ items: [1, 2] }), n: '3' }), HOUR_MS);
    const { rows } = await pool.query(
      `SELECT jsonb_typeof(data) AS kind, data->>'n' AS n FROM "${schema}".sessions WHERE id = $1`,
      [id],
    );
    expect(rows[0]).toEqual({ kind: 'object', n: '3' });
  });

  it('a load within the slide tolerance writes nothing; past it, it slides', async () => {
    const store = new PgStore({ pool, schema });
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), 2_000);
    const expiresAt = async (): Promise<number> =>
      Number((await pool.query(`SELECT expires_at FROM "${schema}".sessions WHERE id = $1`, [id])).rows[0].expires_at);
    const first = await expiresAt();
    await store.load(id, 2_000); // within 5% (100 ms): no write
    expect(await expiresAt()).toBe(first);
    await delay(150);
    await store.load(id, 2_000);
    expect(await expiresAt()).toBeGreaterThan(first + 100);
  });

  it('purgeExpired deletes expired rows and rows fenced off by a log out everywhere, and nothing live', async () => {
    const store = new PgStore({ pool, schema });
    const live = newId();
    const expired = newId();
    const user = `purge-${newId()}`;
    await store.create(live, storedSession({ a: '1' }), HOUR_MS);
    await store.create(expired, storedSession({ a: '1' }), 50);
    await store.destroyUserSessions(user); // generation 1
    const fenced = newId();
    // A row that joined the user at generation 0, as a create racing that log-out would leave.
    await pool.query(
      `INSERT INTO "${schema}".sessions (id, data, created_at, deadline, expires_at, user_id, user_gen) VALUES ($1, '{}', 0, $2, $2, $3, 0)`,
      [fenced, Date.now() + HOUR_MS, user],
    );
    expect(await store.load(fenced, HOUR_MS)).toBeUndefined();
    await delay(100);
    const count = async (id: string): Promise<number> =>
      (await pool.query(`SELECT count(*)::int AS n FROM "${schema}".sessions WHERE id = $1`, [id])).rows[0].n;
    expect(await count(expired)).toBe(1);
    expect(await store.purgeExpired(1)).toBeGreaterThanOrEqual(2);
    expect([await count(live), await count(expired), await count(fenced)]).toEqual([1, 0, 0]);
  });

  it('startPurging runs on a timer that does not hold the process open, and close stops it', async () => {
    const store = new PgStore({ pool, schema });
    const id = newId();
    await store.create(id, storedSession({ a: '1' }), 20);
    const errors: unknown[] = [];
    const stop = store.startPurging({ intervalMs: 50, onError: (error) => errors.push(error) });
    await delay(300);
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM "${schema}".sessions WHERE id = $1`, [id])).rows[0].n,
    ).toBe(0);
    expect(errors).toEqual([]);
    stop();
    store.close();
  });

  it('a statement that runs past statement_timeout fails (and becomes a 503 in the manager) instead of hanging', async () => {
    const { createPgPool } = await import('../src/pg-store.js');
    const slow = createPgPool({
      connectionString: (pool as unknown as { options: { connectionString: string } }).options.connectionString,
      statement_timeout: 100,
    });
    try {
      await expect(slow.query('SELECT pg_sleep(1)')).rejects.toThrow(/statement timeout/);
    } finally {
      await slow.end();
    }
  });

  it('read is one read-only SELECT on readPool (a replica); load slides through touch on the primary only when due', async () => {
    const counted = (target: Pool, log: string[]): Pool =>
      new Proxy(target, {
        get(inner, property, receiver) {
          const value = Reflect.get(inner, property, receiver) as unknown;
          if (property !== 'query' || typeof value !== 'function') return value;
          return (config: { name?: string }, ...rest: unknown[]) => {
            log.push(String(config.name).replace(`sessionkit_${schema}_`, ''));
            return (value as (...args: unknown[]) => unknown).call(inner, config, ...rest);
          };
        },
      });
    const primary: string[] = [];
    const replica: string[] = [];
    const store = new PgStore({ pool: counted(pool, primary), readPool: counted(pool, replica), schema });
    const id = newId();
    const now = Date.now();
    await store.create(id, storedSession({ a: '1' }), 60_000, now);
    expect(await store.load(id, 60_000, now + 1_000)).toBeDefined(); // within 5% (3 s): read only
    expect(await store.load(id, 60_000, now + 10_000)).toBeDefined(); // past it: read, then touch
    expect(replica).toEqual(['read', 'read']);
    expect(primary).toEqual(['create', 'touch']);
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() => new PgStore({ pool, schema: 'x"; DROP TABLE y; --' })).toThrow(/schema/);
  });
});
