import { describe, expect, it } from 'vitest';
import { readCookieValues, resolveCookieOptions, serializeSessionCookie } from '../src/cookie.js';
import { LruCache } from '../src/lru-cache.js';
import { jsonSerializer } from '../src/serializer.js';

describe('readCookieValues', () => {
  it('finds every distinct value of a name, trimmed, in order, bounded', () => {
    expect(readCookieValues('a=1; sid=x; b=2; sid=y;sid=x', 'sid')).toEqual(['x', 'y']);
    expect(readCookieValues('xsid=1; sidx=2', 'sid')).toEqual([]);
    expect(readCookieValues(undefined, 'sid')).toEqual([]);
    expect(readCookieValues('sid=; sid', 'sid')).toEqual([]);
    expect(readCookieValues('sid=1;sid=2;sid=3;sid=4;sid=5;sid=6', 'sid')).toHaveLength(4);
  });
});

describe('serializeSessionCookie', () => {
  const options = resolveCookieOptions({ domain: 'example.com', priority: 'high' });
  it('writes the attributes, Secure following the request under auto', () => {
    expect(serializeSessionCookie(options, 'v', false, undefined)).toBe('sid=v; Domain=example.com; Path=/; HttpOnly; Priority=High; SameSite=Lax');
    expect(serializeSessionCookie(options, 'v', true, 90_500)).toBe('sid=v; Max-Age=90; Domain=example.com; Path=/; HttpOnly; Secure; Priority=High; SameSite=Lax');
  });
  it('clears with Max-Age=0 and a past Expires', () => {
    expect(serializeSessionCookie(options, '', false, 0)).toMatch(/^sid=; Max-Age=0; Domain=example.com; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
  });
});

describe('jsonSerializer', () => {
  it('round-trips JSON values and refuses what JSON cannot hold', () => {
    expect(jsonSerializer.parse(jsonSerializer.stringify({ a: [1, 'x', null] }))).toEqual({ a: [1, 'x', null] });
    expect(() => jsonSerializer.stringify(undefined)).toThrow(/cannot be stored/);
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => jsonSerializer.stringify(cycle)).toThrow();
  });
});

describe('jsonSerializer poison keys', () => {
  it.each([
    '{"__proto__":{"polluted":1},"a":1}',
    '{"a":{"constructor":{"prototype":{"polluted":1}}}}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":1},"a":1}',
    '[{"prototype":{"polluted":1}}]',
  ])('drops poison keys from %s, however they are spelled', (text) => {
    const parsed = jsonSerializer.parse(text) as Record<string, unknown>;
    expect(JSON.stringify(parsed)).not.toMatch(/polluted/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('parses ordinary text without a reviver and keeps every key', () => {
    expect(jsonSerializer.parse('{"protocol":"x","constructive":1,"list":[1,"\\n"]}')).toEqual({ protocol: 'x', constructive: 1, list: [1, '\n'] });
  });
});

describe('LruCache', () => {
  it('forgets the least recently used entry first', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.size).toBe(2);
  });
});
