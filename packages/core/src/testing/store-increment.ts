import { expect } from 'vitest';
import { isSessionError } from '../errors.js';
import type { SessionStore } from '../store.js';
import { newId, storedSession } from './helpers.js';
import { type StoreCheck, storeCheck } from './store-check.js';

const HOUR_MS = 60 * 60_000;
const MAX = Number.MAX_SAFE_INTEGER;

/**
 * Stored values that are not decimal integers as Redis's HINCRBY reads them (the grammar of
 * docs/store-contract.md: `0` or `-?[1-9][0-9]*`), though `Number()`, `parseInt` or a SQL cast
 * would take most of them.
 */
const NOT_INTEGERS = [
  '1.5',
  '2.0',
  '1e3',
  '0x10',
  '007',
  '00',
  '+1',
  '-0',
  ' 1',
  '1 ',
  '',
  '"5"',
  'Infinity',
  'NaN',
  'true',
  '[1]',
];

/**
 * What `increment(key, by)` did to a session holding `stored` under `key`: `'refused'` when it
 * rejected with a SessionArgumentError and left the value as it was, else what went wrong.
 */
async function incrementOutcome(store: SessionStore, stored: string, by: number): Promise<string> {
  const id = newId();
  await store.create(id, storedSession({ n: stored, other: '"x"' }), HOUR_MS);
  let outcome: string;
  try {
    outcome = `answered ${String(await store.increment(id, 'n', by, HOUR_MS))}`;
  } catch (error) {
    outcome = isSessionError(error, 'INVALID_ARGUMENT') ? 'refused' : `rejected with ${String(error)}`;
  }
  const after = (await store.load(id, HOUR_MS))?.data;
  if (after?.['n'] !== stored) outcome += `, and the value became ${JSON.stringify(after?.['n'])}`;
  if (after?.['other'] !== '"x"') outcome += ', and another key changed';
  return outcome;
}

/** @internal The increment grammar and bounds of docs/store-contract.md. */
export const incrementChecks: readonly StoreCheck[] = [
  storeCheck(
    'increment',
    `refuses, writing nothing, stored values that are not decimal integers: ${NOT_INTEGERS.map((v) => JSON.stringify(v)).join(' ')}`,
    async (store) => {
      const outcomes = await Promise.all(
        NOT_INTEGERS.map(async (value) => [value, await incrementOutcome(store, value, 1)] as const),
      );
      const wrong = outcomes
        .filter(([, outcome]) => outcome !== 'refused')
        .map(([value, outcome]) => `${JSON.stringify(value)}: ${outcome}`);
      expect(wrong, 'values that were not refused with a SessionArgumentError and left as they were').toEqual([]);
    },
  ),

  storeCheck(
    'increment',
    'takes 0, negative values and values near ±(2^53 − 1), and stores the result as the same grammar',
    async (store) => {
      const id = newId();
      await store.create(
        id,
        storedSession({ zero: '0', minus: '-5', high: String(MAX - 1), low: String(-MAX + 1) }),
        HOUR_MS,
      );
      expect(await store.increment(id, 'zero', 1, HOUR_MS)).toBe(1);
      expect(await store.increment(id, 'minus', 5, HOUR_MS)).toBe(0);
      expect(await store.increment(id, 'high', 1, HOUR_MS)).toBe(MAX);
      expect(await store.increment(id, 'low', -1, HOUR_MS)).toBe(-MAX);
      expect(await store.increment(id, 'absent', -MAX, HOUR_MS)).toBe(-MAX);
      const data = (await store.load(id, HOUR_MS))?.data;
      expect(data).toMatchObject({ zero: '1', minus: '0', high: String(MAX), low: String(-MAX), absent: String(-MAX) });
    },
  ),

  storeCheck('increment', 'refuses, writing nothing, a result past ±(2^53 − 1)', async (store) => {
    const outcomes = {
      [`${MAX} + 1`]: await incrementOutcome(store, String(MAX), 1),
      [`${-MAX} - 1`]: await incrementOutcome(store, String(-MAX), -1),
      [`${MAX - 5} + 10`]: await incrementOutcome(store, String(MAX - 5), 10),
      [`1 + ${MAX}`]: await incrementOutcome(store, '1', MAX),
      [`${2 ** 60} + 1`]: await incrementOutcome(store, '1152921504606846976', 1),
    };
    expect(Object.entries(outcomes).filter(([, outcome]) => outcome !== 'refused')).toEqual([]);
  }),

  storeCheck(
    'increment',
    'refuses an increment that is not a safe integer (1.5, NaN, 2^53) with a typed error',
    async (store) => {
      const id = newId();
      await store.create(id, storedSession({ n: '1' }), HOUR_MS);
      for (const by of [1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY]) {
        const error = await store.increment(id, 'n', by, HOUR_MS).catch((caught: unknown) => caught);
        expect(isSessionError(error, 'INVALID_ARGUMENT'), `increment by ${by}`).toBe(true);
      }
      expect((await store.load(id, HOUR_MS))?.data['n']).toBe('1');
    },
  ),
];
