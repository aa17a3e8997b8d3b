import { Redis as Redis5 } from 'ioredis5';
import { afterAll, expect, it } from 'vitest';
import { RedisStore, sessionRedisOptions } from '../../src/redis/index.js';
import { describeSessionStore } from '../../src/testing/index.js';
import { setupOnce, sharedRedisPort, uniquePrefix } from './support.js';

let client: Redis5;

setupOnce(async () => {
  // ioredis 5 ignores the ioredis 6 options it does not know (protocol, replyMapping) and speaks RESP2.
  client = new Redis5({ host: '127.0.0.1', port: sharedRedisPort(), ...sessionRedisOptions });
  client.on('error', () => undefined);
  if (client.status !== 'ready') await new Promise((resolve) => client.once('ready', resolve));
});
afterAll(() => client?.disconnect());

it('is ioredis 5 speaking RESP2', async () => {
  const { version } = (await import('ioredis5/package.json', { with: { type: 'json' } })).default as {
    version: string;
  };
  expect(version).toMatch(/^5\./);
  expect(String(await client.call('CLIENT', 'INFO'))).toMatch(/\bresp=2\b/);
});

describeSessionStore('RedisStore, ioredis 5', {
  create: () => new RedisStore({ client, prefix: uniquePrefix('v5') }),
  capabilities: { userIndex: true },
});
