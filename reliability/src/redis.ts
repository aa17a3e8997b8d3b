/**
 * What the suite asks of its Redis. The processes come from @sessionkit/test-support's startRedis,
 * the helper the core's Redis tests use too, so both suites start, kill, pause and restart Redis
 * the same way.
 */
import { adminCommand, commandStats, type RedisProcess } from '@sessionkit/test-support';

/** Calls per command from INFO commandstats (commands run inside Lua scripts included). */
export async function commandCalls(redis: RedisProcess): Promise<Map<string, number>> {
  return new Map([...(await commandStats(redis.port))].map(([command, stat]) => [command, stat.calls]));
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
