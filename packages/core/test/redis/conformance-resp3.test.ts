import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { RedisStore } from '../../src/redis/index.js';
import { describeSessionStore } from '../../src/testing/index.js';
import { readyClient, setupOnce, sharedRedisPort, uniquePrefix } from './support.js';

let client: Redis;

setupOnce(async () => {
  client = await readyClient(sharedRedisPort(), { protocol: 3 });
});
afterAll(() => client?.disconnect());

it('talks RESP3 to the server (so the suite below covers RESP3 replies)', async () => {
  const info = String(await client.call('CLIENT', 'INFO'));
  expect(info).toMatch(/\bresp=3\b/);
});

describeSessionStore('RedisStore, ioredis 6, RESP3', {
  create: () => new RedisStore({ client, prefix: uniquePrefix('resp3') }),
  capabilities: { userIndex: true },
});
