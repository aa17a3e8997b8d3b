import { describe, expect, it } from 'vitest';
import { useAppOnRedis } from '../src/app-on-redis.js';
import { FRAMEWORKS } from '../src/frameworks.js';
import { status } from '../src/pages.js';

describe.each(FRAMEWORKS)('caching headers on examples/%s', (framework) => {
  const { app } = useAppOnRedis(framework);

  it('marks responses that set or read a session no-store and Vary: Cookie, and leaves anonymous ones alone', async () => {
    const client = app().client();
    const anonymous = await client.get('/');
    expect(anonymous.headers.get('cache-control')).toBeNull();
    expect(anonymous.headers.get('vary') ?? '').not.toMatch(/cookie/i);

    const login = await client.postForm('/login', { username: 'cache' });
    expect(login.setCookies).toHaveLength(1);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.headers.get('vary')).toMatch(/cookie/i);

    const read = await client.get('/');
    expect(status(read.body)).toBe('Logged in as cache. Visits: 1');
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.headers.get('vary')).toMatch(/cookie/i);

    const logout = await client.get('/logout');
    expect(logout.setCookies[0]).toMatch(/^sid=;/);
    expect(logout.headers.get('cache-control')).toBe('no-store');
    expect(logout.headers.get('vary')).toMatch(/cookie/i);
  });
});
