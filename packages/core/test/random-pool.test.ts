import { describe, expect, it } from 'vitest';
import { generateSessionId, isValidSessionId } from '../src/id.js';
import { randomBuffer } from '../src/random-pool.js';

describe('random pool', () => {
  it('hands out distinct 256-bit ids across many pool refills', () => {
    const ids = Array.from({ length: 5_000 }, () => generateSessionId());
    expect(ids.every(isValidSessionId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never returns the same bytes twice, and copies them out of the pool', () => {
    const ivs = Array.from({ length: 2_000 }, () => randomBuffer(16));
    expect(new Set(ivs.map((iv) => iv.toString('hex'))).size).toBe(ivs.length);
    const first = ivs[0] as Buffer;
    const copy = Buffer.from(first);
    for (let i = 0; i < 1_000; i++) randomBuffer(16); // refills the pool underneath
    expect(first.equals(copy)).toBe(true);
  });
});
