/**
 * Vitest global setup of the core project: one redis-server on a free loopback port, shared by the
 * Redis test files that do not disturb it (each test uses its own key prefix). Tests that kill,
 * pause or reconfigure Redis start their own instance with startRedis().
 *
 * If redis-server is missing, the setup does not throw (the other core tests still run): it hands
 * the reason to the Redis tests, which then fail with it. They never skip.
 */
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Port of the shared redis-server, 0 when it could not start. */
    redisPort: number;
    /** Why the shared redis-server could not start, or ''. */
    redisSetupError: string;
  }
}

/** Starts the shared redis-server and returns its teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let redis: RedisProcess | undefined;
  try {
    redis = await startRedis();
    project.provide('redisPort', redis.port);
    project.provide('redisSetupError', '');
  } catch (error) {
    project.provide('redisPort', 0);
    project.provide('redisSetupError', error instanceof Error ? error.message : String(error));
  }
  return async () => {
    await redis?.dispose();
  };
}
