import { describe, expect, it } from 'vitest';
import { readCookieValues, resolveCookieOptions, serializeSessionCookie } from '../src/cookie.js';
import { LruCache } from '../src/lru-cache.js';
import { jsonSerializer } from '../src/serializer.js';

describe('readCookieValues', () => {
  it('finds every distinct value of a name, trimmed, in order', () => {
    expect(readCookieValues('a=1; sid=x; b=2; sid=y;sid=x', 'sid')).toEqual(['x', 'y']);
    expect(readCookieValues('xsid=1; sidx=2', 'sid')).toEqual([]);
    expect(readCookieValues(undefined, 'sid')).toEqual([]);
    expect(readCookieValues('sid=; sid', 'sid')).toEqual([]);
    expect(readCookieValues('a; sid; b=1; c; sid=x; d;; sid=y; e', 'sid')).toEqual(['x', 'y']);
    expect(readCookieValues(`${'a;'.repeat(5000)}sid=x`, 'sid')).toEqual(['x']);
  });

  it('has no window that planted values could push the real one out of', () => {
    expect(readCookieValues('sid=1;sid=2;sid=3;sid=4;sid=5;sid=6', 'sid')).toEqual(['1', '2', '3', '4', '5', '6']);
    const many = Array.from({ length: 1000 }, (_, i) => `sid=junk${i % 500}`).join('; ');
    const values = readCookieValues(`${many}; sid=real`, 'sid');
    expect(values).toHaveLength(501);
    expect(values.at(-1)).toBe('real');
  });
});

describe('resolveCookieOptions prefixes', () => {
  it.each(['__Host-sid', '__HOST-sid', '__host-sid', '__hOsT-sid'])(
    'applies the __Host- rules to %s, whatever the case',
    (name) => {
      expect(resolveCookieOptions({ name }).secure).toBe(true);
      expect(() => resolveCookieOptions({ name, secure: false })).toThrow(/requires Secure/);
      expect(() => resolveCookieOptions({ name, domain: 'example.com' })).toThrow(/must not have a Domain/);
      expect(() => resolveCookieOptions({ name, path: '/app' })).toThrow(/must have Path=\//);
    },
  );

  it.each(['__Secure-sid', '__SECURE-sid', '__secure-sid'])(
    'applies the __Secure- rules to %s, whatever the case',
    (name) => {
      expect(resolveCookieOptions({ name }).secure).toBe(true);
      expect(() => resolveCookieOptions({ name, secure: false })).toThrow(/requires Secure/);
      // __Secure- allows a Domain and a Path.
      expect(resolveCookieOptions({ name, domain: 'example.com', path: '/app' })).toMatchObject({
        domain: 'example.com',
        path: '/app',
        secure: true,
      });
    },
  );

  it('leaves names that only resemble a prefix alone', () => {
    for (const name of ['_Host-sid', '__Hostsid', 'Host-sid', 'x__Host-sid']) {
      expect(resolveCookieOptions({ name, secure: false, domain: 'example.com' }).secure).toBe(false);
    }
  });
});

describe('serializeSessionCookie', () => {
  const options = resolveCookieOptions({ domain: 'example.com', priority: 'high' });
  it('writes the attributes, Secure following the request under auto', () => {
    expect(serializeSessionCookie(options, 'v', false, undefined)).toBe(
      'sid=v; Domain=example.com; Path=/; HttpOnly; Priority=High; SameSite=Lax',
    );
    expect(serializeSessionCookie(options, 'v', true, 90_500)).toBe(
      'sid=v; Max-Age=90; Domain=example.com; Path=/; HttpOnly; Secure; Priority=High; SameSite=Lax',
    );
  });
  it('writes the same line on the fast path as the cookie package does', async () => {
    const { serialize } = await import('cookie');
    const all = resolveCookieOptions({ name: '__Host-sid', partitioned: true, priority: 'low', sameSite: 'strict' });
    const seal = 'Fe26.2*test1**abc_-*def**xyz';
    for (const [opts, secure] of [
      [options, false],
      [options, true],
      [all, false],
    ] as const) {
      const expected = serialize(opts.name, seal, {
        path: opts.path,
        ...(opts.domain === undefined ? {} : { domain: opts.domain }),
        sameSite: opts.sameSite,
        secure: opts.secure === 'auto' ? secure : opts.secure,
        httpOnly: opts.httpOnly,
        ...(opts.partitioned ? { partitioned: true } : {}),
        ...(opts.priority === undefined ? {} : { priority: opts.priority }),
      });
      expect(serializeSessionCookie(opts, seal, secure, undefined)).toBe(expected);
    }
  });

  it('clears with Max-Age=0 and a past Expires', () => {
    expect(serializeSessionCookie(options, '', false, 0)).toMatch(
      /^sid=; Max-Age=0; Domain=example.com; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/,
    );
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
    expect(jsonSerializer.parse('{"protocol":"x","constructive":1,"list":[1,"\\n"]}')).toEqual({
      protocol: 'x',
      constructive: 1,
      list: [1, '\n'],
    });
  });
});

describe('LruCache', () => {
  it('keeps the most recently used entries and forgets the oldest generation', () => {
    const cache = new LruCache<string, number>(4); // generations of 2
    cache.set('a', 0);
    cache.set('b', 1); // young {a, b} is full: it becomes the old generation
    expect(cache.get('a')).toBe(0); // a hit moves a back to the young generation
    cache.set('c', 2); // young {a, c} full: old {a, b} is dropped, b with it
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(0);
    expect(cache.get('c')).toBe(2);
    cache.delete('c');
    expect(cache.get('c')).toBeUndefined();
  });

  it('never holds more than maxEntries, and nothing when disabled', () => {
    const cache = new LruCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) {
      cache.set(i, i);
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.get(9_999)).toBe(9_999);
    const off = new LruCache<number, number>(0);
    off.set(1, 1);
    expect(off.size).toBe(0);
  });
});
