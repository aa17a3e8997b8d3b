/**
 * The conformance suite catches the defects SQL stores really have: each deliberately broken
 * variant of a SQL-shaped store (sql-like-store.ts) fails the checks listed for it, while the same
 * store without defects passes the whole suite. The table here is the one in docs/store-contract.md.
 */
import { describe, expect, it } from 'vitest';
import { describeSessionStore, runStoreChecks, storeChecks } from '../src/testing/index.js';
import { type Defect, SqlLikeStore } from './sql-like-store.js';

/** The full name of the one check whose name contains `part`. */
function check(part: string): string {
  const names = storeChecks.map((entry) => entry.name).filter((name) => name.includes(part));
  if (names.length !== 1) throw new Error(`"${part}" names ${names.length} checks: ${names.join(' | ')}`);
  return names[0] as string;
}

/** Each defect, and the checks (at least one) that must fail for it. */
const CASES: ReadonlyArray<{ readonly defect: Defect; readonly caughtBy: readonly string[] }> = [
  { defect: 'patch-revives', caughtBy: [check('a patch after the idle expiry')] },
  { defect: 'increment-revives', caughtBy: [check('an increment after the idle expiry')] },
  { defect: 'touch-revives', caughtBy: [check('a touch after the idle expiry')] },
  { defect: 'regenerate-revives', caughtBy: [check('a regenerate after the idle expiry')] },
  {
    defect: 'load-ignores-idle-expiry',
    caughtBy: [check('a load after the idle expiry'), check('expires a session that is not read')],
  },
  {
    defect: 'ignores-deadline',
    caughtBy: [check('ends a session at its absolute deadline by itself'), check('past the absolute deadline patch')],
  },
  { defect: 'deadline-only-on-load', caughtBy: [check('past the absolute deadline patch')] },
  {
    defect: 'regenerate-keeps-expiry',
    caughtBy: [check('slides the expiry on patch, increment, touch and regenerate')],
  },
  {
    defect: 'create-keeps-leftover',
    caughtBy: [check('create over an expired session'), check('create over an id that holds a session')],
  },
  {
    defect: 'create-merges',
    caughtBy: [check('create over an expired session'), check('create over an id that holds a session')],
  },
  { defect: 'create-past-deadline', caughtBy: [check('create answers ok when it stored the session')] },
  { defect: 'increment-accepts-decimals', caughtBy: [check('stored values that are not decimal integers')] },
  { defect: 'increment-accepts-leading-zeros', caughtBy: [check('stored values that are not decimal integers')] },
  { defect: 'increment-casts-with-number', caughtBy: [check('stored values that are not decimal integers')] },
  { defect: 'increment-unbounded', caughtBy: [check('a result past ±(2^53 − 1)')] },
  { defect: 'increment-read-then-write', caughtBy: [check('counts exactly under 200 concurrent increments')] },
  { defect: 'patch-read-then-upsert', caughtBy: [check('a destroy racing patches, increments and touches')] },
  { defect: 'patch-rewrites-whole-data', caughtBy: [check('keeps all of 100 concurrent patches')] },
  { defect: 'regenerate-unfenced', caughtBy: [check('ends a session being regenerated in a loop')] },
  { defect: 'create-unfenced', caughtBy: [check('ends the sessions of creates with the user')] },
  { defect: 'login-unfenced', caughtBy: [check('ends the sessions of patches setting the user')] },
  { defect: 'logout-one-by-one', caughtBy: [check('ends a session being regenerated in a loop')] },
  { defect: 'logout-counts-expired', caughtBy: [check('destroyUserSessions counts live sessions only')] },
  { defect: 'ignores-app-clock', caughtBy: [check('compares the absolute deadline with the clock it is given')] },
  {
    defect: 'list-includes-expired',
    caughtBy: [check('does not list expired sessions'), check('lists no session past its absolute deadline')],
  },
];

describeSessionStore('SqlLikeStore without defects (the fixture the broken variants start from)', {
  create: () => new SqlLikeStore(),
  capabilities: { userIndex: true },
});

describe('the suite catches each defect of a broken store', () => {
  for (const { defect, caughtBy } of CASES) {
    it(`${defect}: fails ${caughtBy.length === 1 ? 'the check' : 'each of the checks'} listed for it`, async () => {
      const results = await runStoreChecks({
        create: () => new SqlLikeStore([defect]),
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
