import { setTimeout as delay } from 'node:timers/promises';
import type { TestResponse } from '@sessionkit/core/testing';
import { type RedisProcess, startRedis, until } from '@sessionkit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from '../src/app-process.js';
import { FRAMEWORKS } from '../src/frameworks.js';
import { status, visits } from '../src/pages.js';
import { allKeys, callsBetween, commandCalls } from '../src/redis.js';

// createRedisClient's command and connect timeouts are 1 s; sessionkit's own store deadline is 5 s.
// A request during an outage must answer well inside that: the bound is the command timeout plus
// generous room for a loaded 2-core machine, far below the minutes express-session users report.
const OUTAGE_ANSWER_BOUND_MS = 3_000;

interface Timed {
  readonly response: TestResponse | undefined;
  readonly error: unknown;
  readonly elapsedMs: number;
}

async function timed(request: Promise<TestResponse>): Promise<Timed> {
  const started = performance.now();
  try {
    return { response: await request, error: undefined, elapsedMs: performance.now() - started };
  } catch (error) {
    return { response: undefined, error, elapsedMs: performance.now() - started };
  }
}

function expectTyped503(result: Timed): void {
  expect(result.error).toBeUndefined();
  expect(result.response?.status).toBe(503);
  expect(result.response?.setCookies).toEqual([]);
  expect(result.elapsedMs).toBeLessThan(OUTAGE_ANSWER_BOUND_MS);
}

describe.each(FRAMEWORKS)('Redis faults under examples/%s', (framework) => {
  let redis: RedisProcess;
  let app: AppProcess;
  beforeAll(async () => {
    redis = await startRedis({ appendOnly: true });
    app = await startApp(framework, { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    expect(app.isAlive()).toBe(true);
    expect(app.stderr()).not.toMatch(/unhandled|uncaught/i);
    await app?.stop();
    await redis?.dispose();
  });

  it('answers 503 quickly while Redis is killed under load, keeps running, and recovers with every acknowledged increment and none twice', async () => {
    const browser = app.client();
    await until(
      async () => (await browser.postForm('/login', { username: 'durable' })).status === 303,
      10_000,
      'logged in',
    );
    const acknowledged: number[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const results = await Promise.all(Array.from({ length: 10 }, () => timed(browser.get('/'))));
        for (const result of results) {
          const count = visits(result.response?.body ?? '');
          if (!Number.isNaN(count)) acknowledged.push(count);
          else expectTyped503(result);
        }
      }
    })();
    await until(async () => acknowledged.length >= 50, 10_000, 'under load');
    await redis.kill();
    const during = await Promise.all(Array.from({ length: 20 }, () => timed(browser.get('/'))));
    for (const result of during) expectTyped503(result);
    expect(app.isAlive()).toBe(true);
    await redis.restart();
    await until(
      async () => !Number.isNaN(visits((await browser.get('/')).body)),
      10_000,
      'recovered after the restart',
    );
    stop = true;
    await load;
    // AOF with fsync always: every acknowledged increment survived, and none ran twice.
    expect(new Set(acknowledged).size).toBe(acknowledged.length);
    const final = visits((await browser.get('/')).body);
    expect(final).toBeGreaterThan(Math.max(...acknowledged));
    const attempts = acknowledged.length + 1;
    expect(final).toBeLessThanOrEqual(attempts + 10 + 20 + 2);
    expect(status((await browser.get('/')).body)).toMatch(/^Logged in as durable\./);
  });

  it('answers 503 within the command timeout while Redis is paused for 10 s, then recovers', async () => {
    const browser = app.client();
    await until(
      async () => (await browser.postForm('/login', { username: 'paused' })).status === 303,
      10_000,
      'logged in',
    );
    redis.pause();
    try {
      const startedMs = Date.now();
      while (Date.now() - startedMs < 10_000) {
        expectTyped503(await timed(browser.get('/')));
        await delay(250);
      }
    } finally {
      redis.resume();
    }
    await until(
      async () => status((await browser.get('/')).body)?.startsWith('Logged in as paused.') === true,
      10_000,
      'recovered after SIGCONT',
    );
  });

  it('sends no Redis command and no cookie for 10 000 anonymous requests', async () => {
    const keysBefore = await allKeys(redis);
    const callsBefore = await commandCalls(redis);
    const client = app.client();
    for (let batch = 0; batch < 100; batch++) {
      const responses = await Promise.all(Array.from({ length: 100 }, () => client.get('/')));
      for (const response of responses) {
        expect(response.status).toBe(200);
        expect(response.setCookies).toEqual([]);
      }
    }
    // Only the test's own INFO and KEYS reached Redis.
    const grown = callsBetween(callsBefore, await commandCalls(redis));
    expect([...grown.keys()].filter((command) => command !== 'info' && command !== 'keys')).toEqual([]);
    expect(await allKeys(redis)).toEqual(keysBefore);
  });
});

describe.each(FRAMEWORKS)('examples/%s started while Redis is down', (framework) => {
  let redis: RedisProcess | undefined;
  let app: AppProcess | undefined;
  afterAll(async () => {
    await app?.stop();
    await redis?.dispose();
  });

  it('boots, answers 503 to session writes, and recovers when Redis starts', async () => {
    redis = await startRedis();
    const url = redis.url;
    await redis.stop();
    app = await startApp(framework, { REDIS_URL: url });
    const browser = app.client();
    expect(status((await browser.get('/')).body)).toBe('You are not logged in');
    expectTyped503(await timed(browser.postForm('/login', { username: 'early' })));
    await redis.restart();
    await until(
      async () => (await browser.postForm('/login', { username: 'early' })).status === 303,
      10_000,
      'recovered',
    );
    expect(status((await browser.get('/')).body)).toBe('Logged in as early. Visits: 1');
    expect(app.stderr()).not.toMatch(/unhandled|uncaught/i);
  });
});
