/**
 * A private redis-server for this package's tests: a free loopback port, persistence off, its own
 * temp directory. Never touches a system Redis. (The core's helper in packages/core/test/redis is
 * outside this package's rootDir, so the few lines it needs are here.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** A running redis-server. */
export interface RedisServer {
  readonly url: string;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

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

/** Resolves true once something answers `+PONG` on the port. */
async function answersPing(port: number): Promise<boolean> {
  const socket = new Socket();
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

/** Starts redis-server and resolves once it answers PING (rejects with a hint when it is not installed). */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sessionkit-fastify-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const failed = once(child, 'error').then(([error]) => {
    const hint = 'install it with apt-get install -y redis-server';
    throw new Error(`redis-server could not start (${String(error)}): ${hint}.`);
  });
  failed.catch(() => undefined);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await Promise.race([answersPing(port), failed])) return { url: `redis://127.0.0.1:${port}`, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server on port ${port} did not answer PING`);
    }
    await delay(20);
  }
}
