/**
 * What the express-session compatibility tests share: the stores they run on (MemoryStore and a
 * RedisStore on a private redis-server), serving an app over real HTTP, and a deadline for requests
 * that would otherwise hang (passport's regenerate callback on a session without the view).
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSessionError, MemoryStore, type SessionStore } from '@sessionkit/core';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
import { TestClient, type TestResponse } from '@sessionkit/core/testing';
import { adminCommand, type RedisProcess, startRedis } from '@sessionkit/test-support';
import type { ErrorRequestHandler, Express } from 'express';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** A store under test, and how to see everything it holds. */
export interface StoreUnderTest {
  readonly store: SessionStore;
  /** How many sessions (Memory) or keys under this store's prefix (Redis) exist. */
  count(): Promise<number>;
}

/** Builds a fresh store per call; `name` labels the describe block. */
export interface StoreKind {
  readonly name: string;
  create(): StoreUnderTest;
}

let prefixes = 0;

/**
 * The two stores every compatibility test runs on. The Redis one starts a private redis-server for
 * the test file (never a system Redis) and gives each store its own key prefix.
 */
export function storeKinds(): [memory: StoreKind, redis: StoreKind] {
  let redis: RedisProcess | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    client = createRedisClient(redis.url);
  }, 30_000);
  afterAll(async () => {
    await client?.quit();
    await redis?.dispose();
  });
  const memory: StoreKind = {
    name: 'MemoryStore',
    create() {
      const store = new MemoryStore();
      return { store, count: async () => store.size };
    },
  };
  const redisKind: StoreKind = {
    name: 'RedisStore',
    create() {
      if (client === undefined || redis === undefined) throw new Error('redis-server did not start');
      const prefix = `compat${++prefixes}:`;
      const port = redis.port;
      return {
        store: new RedisStore({ client, prefix }),
        count: async () => ((await adminCommand(port, 'KEYS', `${prefix}*`)) as string[]).length,
      };
    },
  };
  return [memory, redisKind];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** Answers sessionkit errors with their status and code, as an app's error handler would. */
export const answerErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const status = isSessionError(error) ? error.status : ((error as { status?: number }).status ?? 500);
  const code = (error as { code?: string }).code ?? 'unknown';
  res.status(status).type('text/plain').send(`error: ${code}`);
};

/** A served app: a first browser, and a way to open more (a replay, another visitor). */
export interface Served {
  readonly client: TestClient;
  browser(): TestClient;
}

/** Listens on a free loopback port (closed after the test); browsers keep cookies like a browser. */
export async function listen(app: Express): Promise<Served> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { client: new TestClient(url), browser: () => new TestClient(url) };
}

/**
 * Fails after `ms` instead of waiting out the test timeout, with what was being waited for: a
 * callback that is never called leaves the response hanging forever.
 */
export function within(ms: number, what: string, response: Promise<TestResponse>): Promise<TestResponse> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([response, deadline]).finally(() => clearTimeout(timer));
}
