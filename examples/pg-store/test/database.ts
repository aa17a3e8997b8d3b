/**
 * The PostgreSQL of the tests: the server on 127.0.0.1:5432 (user postgres, database test), or
 * PG_TEST_URL. Each test file works in a schema of its own, dropped afterwards. When no server
 * answers, the tests fail (never skip) with the command that starts one.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createPgPool, migrate } from '../src/pg-store.js';

/** Where the tests look for PostgreSQL. The password is ignored under trust auth (this machine's). */
export const TEST_DATABASE_URL = process.env['PG_TEST_URL'] ?? 'postgres://postgres:postgres@127.0.0.1:5432/test';

const HOW_TO_START =
  'Start PostgreSQL on 127.0.0.1:5432 with a user postgres (password postgres, or trust auth) and a database test. As root on Debian, ' +
  '`node scripts/preflight.mjs` does it (apt-get install postgresql, then ' +
  '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`); or set PG_TEST_URL to another server.';

/** A pool on a fresh schema with the store's tables, and its teardown (drops the schema, ends the pool). */
export async function testDatabase(
  label: string,
): Promise<{ pool: Pool; schema: string; dispose: () => Promise<void> }> {
  const schema = `sessionkit_test_${label}_${randomBytes(4).toString('hex')}`;
  const pool = createPgPool({ connectionString: TEST_DATABASE_URL, max: 8 }, () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `The PostgreSQL tests could not connect to ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}. ${HOW_TO_START}`,
    );
  }
  await migrate(pool, schema);
  return {
    pool,
    schema,
    dispose: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}
