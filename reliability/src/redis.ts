/**
 * Real Redis for the suite. The process helper is the one the core's Redis tests use (test code of
 * this repository, imported by path rather than published), so both suites start, kill, pause and
 * restart Redis the same way.
 */
import { adminCommand, type RedisProcess, startRedis } from '../../packages/core/test/redis/redis-process.js';

export { adminCommand, type RedisProcess, startRedis };

/** The URL an app process connects with. */
export const redisUrl = (redis: RedisProcess): string => `redis://127.0.0.1:${redis.port}`;

/** Calls per command from INFO commandstats (commands run inside Lua scripts included). */
export async function commandCalls(redis: RedisProcess): Promise<Map<string, number>> {
  const info = String(await adminCommand(redis.port, 'INFO', 'commandstats'));
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1] as string, Number(match[2]));
  return calls;
}

/** How much each command's call count grew between two snapshots. */
export function callsBetween(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const grown = new Map<string, number>();
  for (const [command, calls] of after) {
    const delta = calls - (before.get(command) ?? 0);
    if (delta > 0) grown.set(command, delta);
  }
  return grown;
}

/** Every key in the server, for "nothing was created" assertions. */
export async function allKeys(redis: RedisProcess): Promise<string[]> {
  return (await adminCommand(redis.port, 'KEYS', '*')) as string[];
}
