import { setTimeout as delay } from 'node:timers/promises';
import type { TestClient } from '@sessionkit/core/testing';
import { RedisStore } from '@sessionkit/core/redis';
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from '../src/app-process.js';
import { FRAMEWORKS } from '../src/frameworks.js';
import { part, status, visits } from '../src/pages.js';
import { callsBetween, commandCalls } from '../src/redis.js';

const ROUNDS = 10;

/** The same cookie jar pointed at either app: one browser, two servers behind a load balancer. */
function splitAcross(apps: AppProcess[], from: TestClient): TestClient[] {
  return apps.map((app) => {
    const client = app.client();
    client.setCookie('sid', from.cookie('sid'));
    return client;
  });
}

describe.each(FRAMEWORKS)('concurrency on examples/%s: two processes, one Redis', (framework) => {
  let redis: RedisProcess;
  let apps: AppProcess[];
  beforeAll(async () => {
    redis = await startRedis();
    apps = await Promise.all([
      startApp(framework, { REDIS_URL: redis.url }),
      startApp(framework, { REDIS_URL: redis.url }),
    ]);
  });
  afterAll(async () => {
    for (const app of apps ?? []) {
      expect(app.stderr()).not.toMatch(/unhandled/i);
      await app.stop();
    }
    await redis?.dispose();
  });

  it('shares sessions between the two processes: log in on one, count on the other, each page naming its instance', async () => {
    const [a, b] = apps.map((app) => app.client()) as [TestClient, TestClient];
    const instance = (app: AppProcess): string => `port ${new URL(app.url).port}, process ${app.process.pid}`;
    await a.postForm('/login', { username: 'shared' });
    b.setCookie('sid', a.cookie('sid'));
    const onB = (await b.get('/')).body;
    expect(status(onB)).toBe('Logged in as shared. Visits: 1');
    expect(part(onB, 'instance')).toBe(instance(apps[1] as AppProcess));
    const onA = (await a.get('/')).body;
    expect(status(onA)).toBe('Logged in as shared. Visits: 2');
    expect(part(onA, 'instance')).toBe(instance(apps[0] as AppProcess));
    expect(part(onA, 'sessions')).toBe(part(onB, 'sessions'));
    await b.get('/logout');
    expect(status((await a.get('/')).body)).toBe('You are not logged in');
  });

  it(`counts exactly 200 parallel increments split across both, in ${ROUNDS} rounds`, async () => {
    const login = apps[0]?.client() as TestClient;
    await login.postForm('/login', { username: 'counter' });
    const clients = splitAcross(apps, login);
    let expected = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (clients[i % 2] as TestClient).get('/')),
      );
      const counts = responses.map((response) => visits(response.body));
      expect(new Set(counts).size).toBe(200);
      expect(Math.min(...counts)).toBe(expected + 1);
      expect(Math.max(...counts)).toBe(expected + 200);
      expected += 200;
    }
  });

  it('shows that the harness really overlaps requests: a naive read-modify-write loses updates', async () => {
    const login = apps[0]?.client() as TestClient;
    await login.postForm('/login', { username: 'naive' });
    const clients = splitAcross(apps, login);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => (clients[i % 2] as TestClient).request('POST', '/test/naive-increment')),
    );
    const naive = Number(JSON.parse((await login.get('/test/session')).body).data.naive);
    expect(naive).toBeGreaterThan(0);
    expect(naive).toBeLessThan(200);
  });

  it('keeps all 100 parallel writes of different keys, and parallel reads write nothing', async () => {
    const login = apps[0]?.client() as TestClient;
    await login.postForm('/login', { username: 'writer' });
    const clients = splitAcross(apps, login);
    const writes = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        (clients[i % 2] as TestClient).postForm(`/test/data/k${i}`, { value: `v${i}` }),
      ),
    );
    expect(writes.every((response) => response.status === 204)).toBe(true);
    const data = JSON.parse((await login.get('/test/session')).body).data;
    for (let i = 0; i < 100; i++) expect(data[`k${i}`]).toBe(`v${i}`);

    const before = await commandCalls(redis);
    const reads = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (clients[i % 2] as TestClient).get('/test/session')),
    );
    expect(reads.every((response) => response.status === 200 && response.setCookies.length === 0)).toBe(true);
    const grown = callsBetween(before, await commandCalls(redis));
    for (const write of ['hset', 'hdel', 'hincrby', 'del', 'unlink', 'sadd', 'srem', 'set', 'restore', 'rename']) {
      expect(grown.get(write) ?? 0, `${write} during read-only requests`).toBe(0);
    }
    expect(grown.get('hgetall') ?? grown.get('evalsha') ?? 0).toBeGreaterThanOrEqual(100);
  });

  it(`ends a session for good when logout races 20 slow writes, in ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const login = apps[0]?.client() as TestClient;
      await login.postForm('/login', { username: `racer${round}` });
      const stolen = login.cookie('sid') as string;
      const clients = splitAcross(apps, login);
      const slow = Array.from({ length: 20 }, (_, i) =>
        (clients[i % 2] as TestClient).request('POST', '/test/slow-write?ms=400'),
      );
      // The slow requests have loaded the session well before 400 ms pass: logout lands mid-flight.
      await delay(100);
      expect((await (clients[1] as TestClient).get('/logout')).status).toBe(303);
      const finished = await Promise.all(slow);
      expect(finished.every((response) => response.status < 500)).toBe(true);
      const replay = apps[round % 2]?.client() as TestClient;
      replay.setCookie('sid', stolen);
      expect(JSON.parse((await replay.get('/test/session')).body).isNew).toBe(true);
      expect(status((await replay.get('/')).body)).toBe('You are not logged in');
    }
  });

  it('survives 10 concurrent logins on one session: no 5xx, the old id dead, the user index exactly the survivors', async () => {
    const first = apps[0]?.client() as TestClient;
    await first.postForm('/login', { username: 'before' });
    const oldCookie = first.cookie('sid') as string;
    const user = `many-${framework}`;
    const clients = splitAcross(apps, first);
    const logins = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const client = apps[i % 2]?.client() as TestClient;
        client.setCookie('sid', oldCookie);
        return client.postForm('/login', { username: user }).then((response) => ({ response, client }));
      }),
    );
    expect(logins.every(({ response }) => response.status === 303)).toBe(true);
    const replay = clients[0] as TestClient;
    expect(JSON.parse((await replay.get('/test/session')).body).isNew).toBe(true);
    const survivors = new Set<string>();
    for (const { client } of logins) {
      const session = JSON.parse((await client.get('/test/session')).body);
      expect(session.data.username).toBe(user);
      survivors.add(session.id);
    }
    const client = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: true });
    try {
      const indexed = await new RedisStore({ client }).listUserSessions(user);
      expect(new Set(indexed)).toEqual(survivors);
    } finally {
      client.disconnect();
    }
  });
});
