/**
 * RedisStore on a local 3-master Redis Cluster through an ioredis Cluster client: the conformance
 * suite (no CROSSSLOT anywhere), plus sessions spread over every master and moved across them.
 */
import { type LocalCluster, startCluster } from '@sessionkit/test-support';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore, sessionClusterOptions } from '../../src/redis/index.js';
import { describeSessionStore, newId, storedSession } from '../../src/testing/index.js';
import { setupOnce, uniquePrefix, whenReady } from './support.js';

const HOUR_MS = 60 * 60_000;
let cluster: LocalCluster;
let client: Cluster;

setupOnce(async () => {
  cluster = await startCluster(3);
  const first = cluster.nodes[0];
  client = new Cluster([{ host: '127.0.0.1', port: first?.port ?? 0 }], sessionClusterOptions);
  client.on('error', () => undefined);
  await whenReady(client, 15_000);
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await cluster?.dispose();
});

describeSessionStore('RedisStore, ioredis 6 Cluster (3 masters)', {
  create: () => new RedisStore({ client, prefix: uniquePrefix('cl') }),
  capabilities: { userIndex: true },
});

describe('RedisStore on a Cluster', () => {
  /** The port of the master that owns `key`. */
  async function ownerPort(key: string): Promise<number> {
    const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
    const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    return Number(range?.[2][1]);
  }

  it('spreads sessions over every master and moves them across nodes on regenerate', async () => {
    const store = new RedisStore({ client, prefix: uniquePrefix('spread') });
    const ids = Array.from({ length: 30 }, () => newId());
    for (const id of ids) await store.create(id, storedSession({ a: '1' }, { userId: 'spread-user' }), HOUR_MS);
    const owners = await Promise.all(ids.map((id) => ownerPort(`${store.prefix}${id}`)));
    expect(new Set(owners)).toEqual(new Set(cluster.nodes.map((node) => node.port)));

    // A regenerate whose two ids live on different masters.
    const oldId = ids[0] as string;
    let newer = newId();
    while ((await ownerPort(`${store.prefix}${newer}`)) === owners[0]) newer = newId();
    expect(await store.regenerate(oldId, newer, HOUR_MS)).toBe('ok');
    expect(await store.load(oldId, HOUR_MS)).toBeUndefined();
    expect((await store.load(newer, HOUR_MS))?.meta.userId).toBe('spread-user');

    // The user's index lives in one slot; its sessions in many.
    const listed = await store.listUserSessions('spread-user');
    expect(listed.sort()).toEqual([newer, ...ids.slice(1)].sort());
    expect(await store.destroyUserSessions('spread-user')).toBe(30);
    for (const id of listed) expect(await store.load(id, HOUR_MS)).toBeUndefined();
  });
});
