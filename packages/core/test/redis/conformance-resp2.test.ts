import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { RedisStore } from '../../src/redis/index.js';
import { describeSessionStore } from '../../src/testing/index.js';
import { readyClient, setupOnce, sharedRedisPort, uniquePrefix } from './support.js';

let client: Redis;

setupOnce(async () => {
  client = await readyClient(sharedRedisPort(), { protocol: 2 });
});
afterAll(() => client?.disconnect());

it('talks RESP2 to the server (so the suite below covers RESP2 replies)', async () => {
  const info = String(await client.call('CLIENT', 'INFO'));
  expect(info).toMatch(/\bresp=2\b/);
});

describeSessionStore('RedisStore, ioredis 6, RESP2', {
  create: () => new RedisStore({ client, prefix: uniquePrefix('resp2') }),
  capabilities: { userIndex: true },
});
