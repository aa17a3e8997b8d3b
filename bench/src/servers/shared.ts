/**
 * What every bench server shares, so the stacks differ only in their session library: one secret,
 * one cookie shape, one idle timeout, the same session contents, and the same child-process
 * protocol (port from the parent, "ready" over IPC, a clean exit so `--cpu-prof` can write).
 *
 * @module
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

/** One secret for every stack (≥ 32 characters, as sessionkit and @fastify/session require). */
export const SECRET = 'sessionkit-bench-secret-0123456789abcdef';

/** The session cookie name for every stack. */
export const COOKIE_NAME = 'sid';

/** Idle timeout of every stack's sessions (30 min), in the unit each library wants. */
export const IDLE_TIMEOUT_MS = 30 * 60_000;

/** The same idle timeout in seconds, for Redis stores that take seconds. */
export const IDLE_TIMEOUT_S = IDLE_TIMEOUT_MS / 1000;

/**
 * Cookie attributes shared by every stack: a browser-session cookie (no Max-Age), HttpOnly,
 * SameSite=Lax, Path=/, and not Secure because the bench speaks plain HTTP on loopback.
 */
export const COOKIE = { path: '/', httpOnly: true, sameSite: 'lax', secure: false } as const;

/** What `/login` stores: a few keys of the size a real session holds. */
export const LOGIN_DATA = {
  user: 'alice',
  role: 'admin',
  prefs: { theme: 'dark', lang: 'en', tz: 'Europe/Paris' },
  n: 0,
} as const;

/** What `/new` stores in a session created by that request. */
export const NEW_SESSION_USER = 'guest';

/** Environment a server child is started with. */
export interface ServerEnv {
  /** Port to listen on (127.0.0.1). */
  readonly port: number;
  /** Port of the bench's own redis-server (127.0.0.1). */
  readonly redisPort: number;
}

/** Reads the server's environment, as set by the parent. */
export function readServerEnv(): ServerEnv {
  const port = Number(process.env.BENCH_SERVER_PORT);
  const redisPort = Number(process.env.BENCH_REDIS_PORT);
  if (!Number.isInteger(port) || !Number.isInteger(redisPort)) {
    throw new Error('bench server: BENCH_SERVER_PORT and BENCH_REDIS_PORT must be set by the runner');
  }
  return { port, redisPort };
}

/** The message a server sends its parent once it listens. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly port: number;
}

/** The message a server answers `{ type: 'cpu' }` with: its CPU time so far, all threads. */
export interface CpuMessage {
  readonly type: 'cpu';
  readonly userUs: number;
  readonly systemUs: number;
  /**
   * The monotonic clock (CLOCK_MONOTONIC, the clock V8 stamps `--cpu-prof` samples with), in µs:
   * lets a profile be cut to the measured window.
   */
  readonly monotonicUs: number;
}

/**
 * Tells the parent the server listens, answers CPU-time queries, and exits cleanly on SIGTERM or
 * when the parent goes away (a normal exit is what lets `--cpu-prof` write its profile).
 *
 * @param server - the listening HTTP server
 * @param close - closes the server's Redis clients before exit
 */
export function serveChild(server: Server, close: () => Promise<unknown> = async () => undefined): void {
  const exit = (): void => {
    void close().finally(() => process.exit(0));
    // Whatever a client does on quit, the process ends within a second.
    setTimeout(() => process.exit(0), 1000).unref();
  };
  process.on('SIGTERM', exit);
  process.on('disconnect', exit);
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'cpu') return;
    const usage = process.cpuUsage();
    const monotonicUs = Number(process.hrtime.bigint() / 1000n);
    const reply: CpuMessage = { type: 'cpu', userUs: usage.user, systemUs: usage.system, monotonicUs };
    process.send?.(reply);
  });
  const { port } = server.address() as AddressInfo;
  const ready: ReadyMessage = { type: 'ready', port };
  process.send?.(ready);
}

/** Listens on 127.0.0.1 at the port the parent chose. */
export function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
