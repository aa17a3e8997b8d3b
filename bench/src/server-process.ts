/**
 * Starts one bench server in its own Node process (`node --import tsx`), so the load generator and
 * the server never share an event loop, and stops it with SIGTERM (a clean exit, which lets
 * `--cpu-prof` write its profile).
 *
 * @module
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from '@sessionkit/test-support';
import type { CpuMessage, ReadyMessage } from './servers/shared.js';
import type { Stack } from './stacks.js';

/** A running server. */
export interface ServerProcess {
  readonly stack: Stack;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** CPU time the server process used so far (all its threads), and its monotonic clock, in µs. */
  cpu(): Promise<{ usedUs: number; monotonicUs: number }>;
  /** Stops it and waits for the exit. */
  stop(): Promise<void>;
}

/** How long a server may take to start (tsx compiles its TypeScript on the way). */
const START_TIMEOUT_MS = 30_000;

/** Keeps the last few KiB of a child's output, to explain a failed start. */
function tail(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

function waitForMessage<T extends { type: string }>(
  child: ChildProcess,
  type: T['type'],
  timeoutMs: number,
  output: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no '${type}' message within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type?: string }): void => {
      if (message.type === type) done(undefined, message as T);
    };
    const onExit = (code: number | null): void => done(new Error(`exited with code ${code}`));
    function done(error: Error | undefined, message?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error === undefined) resolve(message as T);
      else reject(new Error(`${error.message}\n${output()}`));
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Starts `stack`'s server on a free port, connected to the bench Redis.
 *
 * @param stack - the server to start
 * @param redisPort - the bench Redis
 * @param extraExecArgv - more Node flags, e.g. `--cpu-prof`
 */
export async function startServer(
  stack: Stack,
  redisPort: number,
  extraExecArgv: readonly string[] = [],
): Promise<ServerProcess> {
  const port = await freePort();
  const child = fork(stack.file, [], {
    execArgv: ['--import', 'tsx', ...extraExecArgv],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_SERVER_PORT: String(port),
      BENCH_REDIS_PORT: String(redisPort),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output = tail(child);
  try {
    await waitForMessage<ReadyMessage>(child, 'ready', START_TIMEOUT_MS, output);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`bench: ${stack.id} did not start: ${(error as Error).message}`);
  }
  return {
    stack,
    pid: child.pid as number,
    baseUrl: `http://127.0.0.1:${port}`,
    async cpu() {
      const reply = waitForMessage<CpuMessage>(child, 'cpu', 5_000, output);
      child.send({ type: 'cpu' });
      const { userUs, systemUs, monotonicUs } = await reply;
      return { usedUs: userUs + systemUs, monotonicUs };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
