/**
 * The bench's own redis-server: @sessionkit/test-support's private redis-server (a free loopback
 * port, persistence off, never the system one), quieter, and the admin calls the runner makes on it
 * (command counts, CPU, flush, stop).
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { type CommandStat, parseCommandStats, startRedis as startRedisProcess } from '@sessionkit/test-support';
import { Redis } from 'ioredis';

/** A running bench Redis. */
export interface BenchRedis {
  readonly port: number;
  /** `redis-server --version`, e.g. `7.0.15`. */
  readonly version: string;
  /** An admin connection (INFO, FLUSHALL); its commands are left out of the counts. */
  readonly admin: Redis;
  /** Calls and time so far per command, from `INFO commandstats`, script-internal calls included. */
  commandStats(): Promise<Map<string, CommandStat>>;
  /** CPU the redis-server process has used so far (user + system, `INFO cpu`), µs: I/O included. */
  cpuUs(): Promise<number>;
  /** Empties every database, so each server starts from the same state. */
  flush(): Promise<void>;
  /** Stops the server (no save). */
  stop(): Promise<void>;
}

/** Commands the runner itself sends, never counted against a stack. */
const ADMIN_COMMANDS = new Set(['info', 'flushall', 'monitor', 'ping', 'client|setinfo', 'hello']);

/**
 * Commands only sessionkit's Lua scripts run in this bench (the floor and the peers never send
 * them): their time is inside EVALSHA's already, so it is not added twice. Not HGETALL: sessionkit
 * sends it itself to load a session (the regenerate claim runs it inside a script, but no measured
 * scenario regenerates).
 */
const SCRIPT_INTERNAL_ONLY = new Set(['type', 'hmget', 'pexpire', 'hset', 'hget', 'hincrby', 'exists', 'hdel']);

function serverVersion(): string {
  let text: string;
  try {
    text = execFileSync('redis-server', ['--version'], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(
      'bench: redis-server is not on the PATH; install it (Debian: apt-get install redis-server) and run again',
      { cause: error },
    );
  }
  return /v=([\d.]+)/.exec(text)?.[1] ?? text.trim();
}

/**
 * Calls and Redis time between two snapshots, the runner's own commands left out. Time is taken
 * from top-level commands only: a script's time already includes the commands it ran.
 */
export function statsBetween(before: Map<string, CommandStat>, after: Map<string, CommandStat>): CommandStat {
  let calls = 0;
  let usec = 0;
  for (const [command, stat] of after) {
    if (ADMIN_COMMANDS.has(command)) continue;
    const earlier = before.get(command);
    calls += stat.calls - (earlier?.calls ?? 0);
    if (SCRIPT_INTERNAL_ONLY.has(command)) continue;
    usec += stat.usec - (earlier?.usec ?? 0);
  }
  return { calls, usec };
}

/** Starts redis-server on a free port and resolves once it answers, with an admin connection. */
export async function startRedis(): Promise<BenchRedis> {
  const version = serverVersion();
  const redis = await startRedisProcess({ args: ['--protected-mode', 'yes', '--loglevel', 'warning'] });
  const admin = new Redis({
    host: '127.0.0.1',
    port: redis.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
  } catch (error) {
    await redis.dispose();
    throw new Error(`bench: redis-server did not answer on port ${redis.port}`, { cause: error });
  }
  return {
    port: redis.port,
    version,
    admin,
    async commandStats() {
      return parseCommandStats(await admin.info('commandstats'));
    },
    async cpuUs() {
      const info = await admin.info('cpu');
      const seconds = (field: string): number =>
        Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
      return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
    },
    async flush() {
      await admin.flushall();
    },
    async stop() {
      admin.disconnect();
      await redis.dispose();
    },
  };
}
