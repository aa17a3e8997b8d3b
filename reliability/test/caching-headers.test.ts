import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from '../src/app-process.js';
import { FRAMEWORKS } from '../src/frameworks.js';
import { type RedisProcess, redisUrl, startRedis } from '../src/redis.js';

describe.each(FRAMEWORKS)('caching headers on examples/%s', (framework) => {
  let app: AppProcess;
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
    app = await startApp(framework, { REDIS_URL: redisUrl(redis) });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.dispose();
  });

  it('marks responses that set or read a session no-store and Vary: Cookie, and leaves anonymous ones alone', async () => {
    const client = app.client();
    const anonymous = await client.get('/');
    expect(anonymous.headers.get('cache-control')).toBeNull();
    expect(anonymous.headers.get('vary') ?? '').not.toMatch(/cookie/i);

    const login = await client.postForm('/login', { username: 'cache' });
    expect(login.setCookies).toHaveLength(1);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.headers.get('vary')).toMatch(/cookie/i);

    const read = await client.get('/');
    expect(read.body).toBe('Logged in as cache. Visits: 1');
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.headers.get('vary')).toMatch(/cookie/i);

    const logout = await client.get('/logout');
    expect(logout.setCookies[0]).toMatch(/^sid=;/);
    expect(logout.headers.get('cache-control')).toBe('no-store');
    expect(logout.headers.get('vary')).toMatch(/cookie/i);
  });
});
