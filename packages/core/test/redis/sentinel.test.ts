/**
 * RedisStore behind Sentinel (1 master, 1 replica, 3 sentinels) through an ioredis client with
 * `sentinels`: the conformance suite, then a failover. Sessions written (and replicated) before
 * the failover survive it, failures during it are the typed 503 error, and once the sentinels
 * agree on the new master the store writes there without a single READONLY.
 */
import {
  adminCommand,
  type LocalSentinelGroup,
  roleOf,
  sentinelMasterPort,
  startSentinelGroup,
  until,
} from '@sessionkit/test-support';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { SessionStoreUnavailableError } from '../../src/index.js';
import { RedisStore, sessionRedisOptions } from '../../src/redis/index.js';
import { describeSessionStore, newId, storedSession } from '../../src/testing/index.js';
import { setupOnce, uniquePrefix, whenReady } from './support.js';

const HOUR_MS = 60 * 60_000;
let group: LocalSentinelGroup;
let client: Redis;

setupOnce(async () => {
  group = await startSentinelGroup();
  client = new Redis({
    sentinels: group.sentinels.map((sentinel) => ({ host: '127.0.0.1', port: sentinel.port })),
    name: group.name,
    ...sessionRedisOptions,
  });
  client.on('error', () => undefined);
  await whenReady(client, 15_000);
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await group?.dispose();
});

describeSessionStore('RedisStore, ioredis 6 Sentinel', {
  create: () => new RedisStore({ client, prefix: uniquePrefix('sn') }),
  capabilities: { userIndex: true },
});

it('keeps replicated sessions through a failover and writes to the new master without READONLY', async () => {
  const store = new RedisStore({ client, prefix: uniquePrefix('fo') });
  const ids = Array.from({ length: 20 }, () => newId());
  for (const id of ids) {
    await store.create(id, storedSession({ name: '"alice"' }, { userId: 'fo-user' }), HOUR_MS);
    expect(await store.increment(id, 'visits', 1, HOUR_MS)).toBe(1);
  }
  // Replication is asynchronous: wait until the replica has everything, as WAIT does for a write.
  expect(await adminCommand(group.master.port, 'WAIT', 1, 5_000)).toBe(1);

  expect(await adminCommand(group.sentinels[0]?.port ?? 0, 'SENTINEL', 'FAILOVER', group.name)).toBe('OK');
  // The failover window: the replica was promoted and every sentinel names it. (The old master is
  // demoted a few seconds later, on the sentinels' next INFO round; the client must not wait for that.)
  await until(
    async () => {
      const named = await Promise.all(group.sentinels.map((sentinel) => sentinelMasterPort(sentinel, group.name)));
      return named.every((port) => port === group.replica.port);
    },
    20_000,
    'every sentinel names the new master',
  );
  expect(await roleOf(group.replica.port)).toBe('master');

  // The client may still be switching over: calls fail with the typed error until it has.
  const errors: unknown[] = [];
  await until(
    async () => {
      try {
        await store.touch(ids[0] as string, HOUR_MS);
        return true;
      } catch (error) {
        errors.push(error);
        return false;
      }
    },
    10_000,
    'the store writes to the new master',
  );
  for (const error of errors) expect(error).toBeInstanceOf(SessionStoreUnavailableError);

  // After the window: every session is there, and writes go to the new master, never READONLY.
  for (const id of ids) {
    expect((await store.load(id, HOUR_MS))?.data).toEqual({ name: '"alice"', visits: '1' });
    expect(await store.increment(id, 'visits', 1, HOUR_MS)).toBe(2);
    expect(await store.patch(id, { set: { after: 'true' }, remove: [] }, HOUR_MS)).toBe('ok');
  }
  expect((await store.listUserSessions('fo-user')).sort()).toEqual([...ids].sort());
  expect(await adminCommand(group.replica.port, 'HGET', `${store.prefix}${ids[0]}`, 'd:visits')).toBe('2');
  // The store's client (named by sessionRedisOptions) is connected to the new master.
  expect(String(await adminCommand(group.replica.port, 'CLIENT', 'LIST'))).toContain('name=sessionkit');
});
