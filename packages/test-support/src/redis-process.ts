/**
 * Real redis-server (and redis-sentinel) processes for tests and tools: started on free loopback
 * ports with persistence off (or AOF on request), in their own temp directory, and stopped, killed,
 * paused or restarted on demand. Never touches a system Redis.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

const INSTALL_HINT =
  'install it with `apt-get install -y redis-server redis-tools redis-sentinel` (the Redis tests need real Redis binaries)';
const children = new Set<ChildProcess>();

// Safety net: a process that dies mid-run must not leave Redis processes behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Throws a message saying how to install `binary` when it is not on the PATH. */
export function requireBinary(binary: string): void {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error !== undefined || probe.status !== 0) throw new Error(`${binary} was not found: ${INSTALL_HINT}.`);
}

/** A fresh temp directory, removed by the returned function. */
export async function tempDir(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `sessionkit-${label}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * Sends one command to the server on 127.0.0.1:`port` over a short-lived RESP2 connection and
 * resolves the reply. Rejects when the server does not answer.
 */
export async function adminCommand(port: number, command: string, ...args: Array<string | number>): Promise<unknown> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
    commandTimeout: 3_000,
    protocol: 2,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

/** Resolves once the server on `port` answers PING, or rejects when `child` exits first or after `timeoutMs`. */
async function waitForPong(port: number, child: ChildProcess, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  const onExit = (): void => {
    exited = true;
  };
  child.once('exit', onExit);
  try {
    for (;;) {
      if (exited || child.exitCode !== null)
        throw new Error(`redis on port ${port} exited while starting:\n${output()}`);
      const reply = await adminCommand(port, 'PING').catch(() => undefined);
      if (reply === 'PONG') return;
      if (Date.now() > deadline)
        throw new Error(`redis on port ${port} did not answer PING within ${timeoutMs} ms:\n${output()}`);
      await delay(20);
    }
  } finally {
    child.off('exit', onExit);
  }
}

/** A running Redis process the caller controls. */
export interface RedisProcess {
  /** Its port on 127.0.0.1. */
  readonly port: number;
  /** `redis://127.0.0.1:<port>`, for clients and apps that take a URL. */
  readonly url: string;
  /** Its data directory (config files, and the AOF with `appendOnly`, live here). */
  readonly dir: string;
  /** Stops it gracefully (SIGCONT first, in case it is paused) and waits for its exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL and waits for its exit. */
  kill(): Promise<void>;
  /** Freezes it with SIGSTOP: connections stay open, nothing answers. */
  pause(): void;
  /** Thaws it with SIGCONT. */
  resume(): void;
  /**
   * Starts it again on the same port and waits until it answers: empty, unless it was started with
   * `appendOnly` (then it reloads every write it acknowledged).
   */
  restart(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startRedis}. */
export interface StartRedisOptions {
  /**
   * Persist every write to an append-only file before acknowledging it (`--appendonly yes
   * --appendfsync always`), so data survives {@link RedisProcess.kill} and {@link RedisProcess.restart}.
   * Default: no persistence at all.
   */
  readonly appendOnly?: boolean;
  /** Extra command-line arguments, e.g. cluster settings (they come last, so they win). */
  readonly args?: readonly string[];
  /** Start `redis-sentinel <dir>/sentinel.conf` with this config body instead of a plain server. */
  readonly sentinelConfig?: (port: number, dir: string) => string;
}

/**
 * Starts a redis-server (or redis-sentinel) on a free loopback port with `--save ''` and AOF off
 * (unless `appendOnly`) and resolves once it answers PING. Retries with another port if the picked
 * one was taken. Rejects (with how to install it) when the binary is missing: callers fail, never skip.
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisProcess> {
  const binary = options.sentinelConfig === undefined ? 'redis-server' : 'redis-sentinel';
  requireBinary(binary);
  const dir = await tempDir(binary);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(binary, port, dir, options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('Address already in use')) {
        await dir.remove();
        throw error;
      }
    }
  }
}

async function launch(
  binary: string,
  port: number,
  dir: { path: string; remove: () => Promise<void> },
  options: StartRedisOptions,
): Promise<RedisProcess> {
  let child: ChildProcess;
  let log = '';
  const spawnChild = async (): Promise<void> => {
    let args: string[];
    if (options.sentinelConfig === undefined) {
      const persistence =
        options.appendOnly === true ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
      args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        ...persistence,
        '--dir',
        dir.path,
        ...(options.args ?? []),
      ];
    } else {
      const file = join(dir.path, 'sentinel.conf');
      await writeFile(file, options.sentinelConfig(port, dir.path));
      args = [file];
    }
    log = '';
    child = spawn(binary, args, { cwd: dir.path, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const keep = (chunk: Buffer): void => {
      log = (log + chunk.toString()).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.once('exit', () => children.delete(child));
    await waitForPong(port, child, () => log);
  };
  const waitExit = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    await exited;
  };
  try {
    await spawnChild();
  } catch (error) {
    await waitExit('SIGKILL').catch(() => undefined);
    throw error;
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir: dir.path,
    stop: () => waitExit('SIGTERM'),
    kill: () => waitExit('SIGKILL'),
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    restart: async () => {
      await waitExit('SIGTERM');
      await spawnChild();
    },
    dispose: async () => {
      await waitExit('SIGTERM');
      await dir.remove();
    },
  };
}
