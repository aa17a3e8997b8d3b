/**
 * A private redis-server for the migration tests (#16): a free loopback port, persistence off, its
 * own temp directory; paused and resumed on demand; stopped by `dispose()`. Never touches a system
 * Redis. (The core's fuller helper, packages/core/test/redis/redis-process.ts, is outside this
 * package's rootDir.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** A running redis-server. */
export interface RedisProcess {
  readonly port: number;
  /** Freezes it (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

async function answersPing(port: number): Promise<boolean> {
  const socket = new Socket();
  socket.on('error', () => undefined);
  try {
    socket.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('PING\r\n');
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    return chunk.toString().startsWith('+PONG');
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/** Starts redis-server and resolves once it answers PING; rejects (never skips) without the binary. */
export async function startRedis(): Promise<RedisProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'sessionkit-migrate-redis-'));
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = new Error(`redis-server could not start (install it with apt-get install -y redis-server): ${error.message}`);
  });
  const dispose = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (failure !== undefined || child.exitCode !== null || Date.now() > deadline) {
      await dispose();
      throw failure ?? new Error(`redis-server on port ${port} did not answer PING`);
    }
    await delay(20);
  }
  return {
    port,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    dispose,
  };
}
