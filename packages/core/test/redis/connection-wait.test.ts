import { startRedis } from '@sessionkit/test-support';
import { describe, expect, it } from 'vitest';
import { isSessionError } from '../../src/errors.js';
import { createRedisClient, RedisStore } from '../../src/redis/index.js';
import { newId, storedSession } from '../../src/testing/index.js';
import { sharedRedisPort, uniquePrefix } from './support.js';

describe('RedisStore on a client still connecting', () => {
  it('serves the very first calls on a new client instead of failing them for want of a connection', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${sharedRedisPort()}`, { onError: () => undefined });
    try {
      expect(client.status).not.toBe('ready');
      const store = new RedisStore({ client, prefix: uniquePrefix('first') });
      const ids = Array.from({ length: 20 }, () => newId());
      await Promise.all(ids.map((id) => store.create(id, storedSession({ n: '1' }), 60_000)));
      expect((await store.load(ids[0] as string, 60_000))?.data).toEqual({ n: '1' });
      expect(client.listenerCount('ready')).toBeLessThanOrEqual(1);
    } finally {
      client.disconnect();
    }
  });

  it('connects a lazyConnect client on first use', async () => {
    const client = createRedisClient(`redis://127.0.0.1:${sharedRedisPort()}`, {
      onError: () => undefined,
      lazyConnect: true,
    });
    try {
      expect(client.status).toBe('wait');
      const store = new RedisStore({ client, prefix: uniquePrefix('lazy') });
      const id = newId();
      await store.create(id, storedSession({ n: '1' }), 60_000);
      expect(await store.load(id, 60_000)).toBeDefined();
    } finally {
      client.disconnect();
    }
  });

  it('still fails with a typed error, within the connect timeout, when Redis is not there', async () => {
    const redis = await startRedis();
    const url = `redis://127.0.0.1:${redis.port}`;
    await redis.dispose();
    const client = createRedisClient(url, { onError: () => undefined });
    try {
      const started = performance.now();
      const error = await new RedisStore({ client }).load(newId(), 60_000).catch((caught: unknown) => caught);
      expect(isSessionError(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect(performance.now() - started).toBeLessThan(2_500);
    } finally {
      client.disconnect();
    }
  });
});
