/**
 * Shared helpers of the Redis tests: the shared server's port, clients with the store's settings,
 * unique prefixes, and waiting for a client to be ready.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { beforeAll, beforeEach, inject } from 'vitest';
import { createRedisClient, type RedisClientOverrides } from '../../src/redis/index.js';

/** The port of the redis-server started by the global setup; throws (never skips) when there is none. */
export function sharedRedisPort(): number {
  const error = inject('redisSetupError');
  if (error !== '') throw new Error(`The Redis tests need redis-server: ${error}`);
  return inject('redisPort');
}

/** A key prefix no other test uses, so tests share one server without FLUSHALL. */
export function uniquePrefix(label = 't'): string {
  return `${label}:${randomUUID().slice(0, 8)}:`;
}

/** Resolves once `client` is ready; rejects if it ends first or after `timeoutMs`. */
export async function whenReady(client: Redis | Cluster, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  const abort = new AbortController();
  try {
    await Promise.race([
      once(client, 'ready', { signal: abort.signal }),
      once(client, 'end', { signal: abort.signal }).then(() => {
        throw new Error('the Redis client ended before it was ready');
      }),
      delay(timeoutMs, undefined, { signal: abort.signal }).then(() => {
        throw new Error(`the Redis client was not ready within ${timeoutMs} ms (status ${client.status})`);
      }),
    ]);
  } finally {
    abort.abort();
  }
}

/** Connection errors a client reported through its error listener, for assertions. */
export interface ClientErrors {
  readonly errors: Error[];
  readonly onError: (error: Error) => void;
}

/** An error collector to pass as `onError`. */
export function collectErrors(): ClientErrors {
  const errors: Error[] = [];
  return { errors, onError: (error) => void errors.push(error) };
}

/** A client built by createRedisClient for the server on `port`, ready to use. */
export async function readyClient(port: number, overrides: RedisClientOverrides = {}): Promise<Redis> {
  const client = createRedisClient(`redis://127.0.0.1:${port}`, { onError: () => undefined, ...overrides });
  await whenReady(client);
  return client;
}

/** A plain client for inspecting Redis directly in assertions (not the store's client). */
export async function inspector(port: number, options: Omit<RedisOptions, 'replyMapping'> = {}): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, protocol: 2, ...options });
  client.on('error', () => undefined);
  await whenReady(client);
  return client;
}

/**
 * Runs `setup` once before the file's tests. If it fails (no redis-server, say), every test of the
 * file fails with its error: a failing beforeAll would only mark them skipped, and a skipped Redis
 * suite must never look like a passing one.
 */
export function setupOnce(setup: () => Promise<void>, timeoutMs = 60_000): void {
  let failure: unknown;
  beforeAll(async () => {
    try {
      await setup();
    } catch (error) {
      failure = error;
    }
  }, timeoutMs);
  beforeEach(() => {
    if (failure !== undefined) throw failure;
  });
}
