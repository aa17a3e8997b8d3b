import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import { afterAll, beforeAll } from 'vitest';
import { type AppProcess, startApp } from './app-process.js';
import type { Framework } from './frameworks.js';

/** The running app and its Redis, available from the suite's `beforeAll` on. */
export interface AppOnRedis {
  app(): AppProcess;
  redis(): RedisProcess;
}

/**
 * Registers hooks that start a Redis of the suite's own and `examples/<framework>` on it before the
 * tests, and stop both after them.
 *
 * @param framework - which example app
 * @param env - extra environment for the app
 */
export function useAppOnRedis(framework: Framework, env: Record<string, string> = {}): AppOnRedis {
  let redis: RedisProcess | undefined;
  let app: AppProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    app = await startApp(framework, { ...env, REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.dispose();
  });
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not running: use it inside a test or a later hook`);
    return value;
  };
  return { app: () => need(app, `examples/${framework}`), redis: () => need(redis, 'Redis') };
}
