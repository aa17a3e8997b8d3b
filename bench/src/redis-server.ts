/**
 * The bench's own redis-server: started on a free loopback port with persistence off, never the
 * system one, and the admin calls the runner makes on it (command counts, flush, stop).
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

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
    throw new Error('bench: redis-server is not on the PATH; install it (Debian: apt-get install redis-server) and run again', { cause: error });
  }
  return /v=([\d.]+)/.exec(text)?.[1] ?? text.trim();
}

async function waitForPing(port: number, child: ChildProcess): Promise<Redis> {
  const deadlineMs = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bench: redis-server exited with code ${child.exitCode}`);
    const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => undefined);
    try {
      await admin.connect();
      await admin.ping();
      return admin;
    } catch (error) {
      admin.disconnect();
      if (Date.now() > deadlineMs) throw new Error(`bench: redis-server did not answer on port ${port}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Calls and CPU time of one command, from `INFO commandstats`. */
export interface CommandStat {
  readonly calls: number;
  /** Time Redis spent executing it, µs (for EVALSHA, the whole script). */
  readonly usec: number;
}

/** Parses `INFO commandstats` into calls and time per command. */
export function parseCommandStats(info: string): Map<string, CommandStat> {
  const stats = new Map<string, CommandStat>();
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line.trim());
    if (match?.[1] !== undefined) stats.set(match[1], { calls: Number(match[2]), usec: Number(match[3]) });
  }
  return stats;
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

/** Starts redis-server on a free port and waits until it answers. */
export async function startRedis(): Promise<BenchRedis> {
  const version = serverVersion();
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
    // No inherited pipes: an orphaned redis-server must not hold the caller's output open.
    { stdio: 'ignore' },
  );
  // Whatever ends the runner, its Redis goes with it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const admin = await waitForPing(port, child);
  return {
    port,
    version,
    admin,
    async commandStats() {
      return parseCommandStats(await admin.info('commandstats'));
    },
    async cpuUs() {
      const info = await admin.info('cpu');
      const seconds = (field: string): number => Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
      return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
    },
    async flush() {
      await admin.flushall();
    },
    async stop() {
      admin.disconnect();
      process.off('exit', killOnExit);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
