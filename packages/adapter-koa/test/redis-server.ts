/**
 * A private redis-server for this package's tests: a free loopback port, persistence off, its own
 * temp directory, stopped by `dispose()`. Never touches a system Redis. (The core package has a
 * fuller helper in test/redis/redis-process.ts, outside this package's rootDir.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';

/** A running redis-server. */
export interface RedisServer {
  readonly url: string;
  dispose(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function answersPing(port: number): Promise<boolean> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Starts a redis-server and resolves once it answers PING; fails (never skips) without the binary. */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'sessionkit-koa-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const child: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  let failure: Error | undefined;
  child.once('error', (error) => {
    failure = new Error(`redis-server could not start (apt-get install -y redis-server): ${error.message}`);
  });
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(port))) {
    if (failure !== undefined) throw failure;
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
    await delay(20);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
