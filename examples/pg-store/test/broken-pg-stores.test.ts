/**
 * The conformance suite catches the real SQL mistakes on a real PostgreSQL: each variant below is
 * PgStore with one verb rewritten the way a first SQL store often writes it, and each fails the
 * checks named for it. (packages/core/test/broken-stores.test.ts does the same for 24 defects on a
 * SQL-shaped store in memory.)
 */
import type { Gone, StoredSession } from '@sessionkit/core';
import { runStoreChecks, storeChecks } from '@sessionkit/core/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgStore } from '../src/pg-store.js';
import { testDatabase } from './database.js';

let pool: Pool;
let schema: string;
let dispose: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ pool, schema, dispose } = await testDatabase('broken'));
});
afterAll(async () => {
  await dispose?.();
});

const table = (): string => `"${schema}".sessions`;

/** touch as `UPDATE … WHERE id = $1`: revives a row whose expiry passed. */
class TouchRevives extends PgStore {
  override async touch(id: string, ttlMs: number): Promise<'ok' | Gone> {
    const { rowCount } = await pool.query(
      `UPDATE ${table()} SET expires_at = LEAST($2::bigint, deadline) WHERE id = $1`,
      [id, Date.now() + ttlMs],
    );
    return rowCount === 1 ? 'ok' : 'gone';
  }
}

/** The absolute deadline left to the manager's TTL cap: expires_at = now + ttl. */
class IgnoresDeadline extends PgStore {
  override async create(id: string, session: StoredSession, ttlMs: number): Promise<'ok' | Gone> {
    const result = await super.create(id, session, ttlMs);
    await pool.query(`UPDATE ${table()} SET expires_at = $2, deadline = $3 WHERE id = $1`, [
      id,
      Date.now() + ttlMs,
      Number.MAX_SAFE_INTEGER,
    ]);
    return result;
  }
}

/** create as `INSERT … ON CONFLICT DO NOTHING`, answering ok. */
class CreateKeepsLeftover extends PgStore {
  override async create(id: string, session: StoredSession, ttlMs: number): Promise<'ok' | Gone> {
    const now = Date.now();
    await pool.query(
      `INSERT INTO ${table()} (id, data, created_at, deadline, expires_at, user_id) VALUES ($1, $2, $3, $4, LEAST($5::bigint, $4::bigint), $6) ON CONFLICT (id) DO NOTHING`,
      [
        id,
        JSON.stringify(session.data),
        session.meta.createdAt,
        session.meta.absoluteDeadlineMs,
        now + ttlMs,
        session.meta.userId ?? null,
      ],
    );
    return 'ok';
  }
}

/** increment with a `::bigint` cast: takes "007", "+1" and " 1", and is bounded by 2^63 only. */
class IncrementCastsBigint extends PgStore {
  override async increment(id: string, key: string, by: number, ttlMs: number): Promise<number | Gone> {
    const { rows } = await pool.query(
      `UPDATE ${table()} SET data = jsonb_set(data, ARRAY[$2::text], to_jsonb((COALESCE((data->>$2)::bigint, 0) + $3::bigint)::text)),
         expires_at = LEAST($4::bigint, deadline)
       WHERE id = $1 AND expires_at > $5 RETURNING data->>$2 AS value`,
      [id, key, by, Date.now() + ttlMs, Date.now()],
    );
    return rows.length === 1 ? Number(rows[0].value) : 'gone';
  }
}

/** Log out everywhere as a plain `DELETE … WHERE user_id = $1`: no generation, so a regenerate committing just after its snapshot survives. */
class LogoutWithoutGeneration extends PgStore {
  override async destroyUserSessions(userId: string): Promise<number> {
    const { rowCount } = await pool.query(`DELETE FROM ${table()} WHERE user_id = $1 AND expires_at > $2`, [
      userId,
      Date.now(),
    ]);
    return rowCount ?? 0;
  }
}

/** Log out everywhere as a listing, then one DELETE per session. */
class LogoutOneByOne extends PgStore {
  override async destroyUserSessions(userId: string): Promise<number> {
    const ids = await this.listUserSessions(userId);
    for (const id of ids) await this.destroy(id);
    return ids.length;
  }
}

function check(part: string): string {
  const names = storeChecks.map((entry) => entry.name).filter((name) => name.includes(part));
  if (names.length !== 1) throw new Error(`"${part}" names ${names.length} checks`);
  return names[0] as string;
}

const CASES = [
  { name: 'touch as UPDATE … WHERE id = $1', Store: TouchRevives, caughtBy: [check('a touch after the idle expiry')] },
  {
    name: 'the absolute deadline left to the TTL',
    Store: IgnoresDeadline,
    caughtBy: [check('ends a session at its absolute deadline by itself')],
  },
  {
    name: 'create as INSERT … ON CONFLICT DO NOTHING',
    Store: CreateKeepsLeftover,
    caughtBy: [check('create over an expired session')],
  },
  {
    name: 'increment with a ::bigint cast',
    Store: IncrementCastsBigint,
    caughtBy: [check('stored values that are not decimal integers'), check('a result past ±(2^53 − 1)')],
  },
  {
    name: 'log out everywhere as DELETE … WHERE user_id, no generation',
    Store: LogoutWithoutGeneration,
    caughtBy: [check('ends a session being regenerated in a loop')],
  },
  {
    name: 'log out everywhere as a listing, then a DELETE per session',
    Store: LogoutOneByOne,
    caughtBy: [check('ends a session being regenerated in a loop')],
  },
];

describe('the suite catches broken PostgreSQL stores', () => {
  for (const { name, Store, caughtBy } of CASES) {
    it(`${name}: fails ${caughtBy.join('; ')}`, async () => {
      const results = await runStoreChecks({
        create: () => new Store({ pool, schema }),
        capabilities: { userIndex: true },
        only: caughtBy,
      });
      expect(results.map((result) => result.name).sort()).toEqual([...caughtBy].sort());
      expect(
        results.filter((result) => result.passed).map((result) => result.name),
        'checks the broken store passed',
      ).toEqual([]);
    });
  }
});
