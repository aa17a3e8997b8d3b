/**
 * Starts the demo: `npm start -w examples/fastify`.
 *
 * @module
 */
import { createSessionManager, MemoryStore, type SessionManager } from '@sessionkit/core';
import { createApp } from './app.js';
import { readConfig } from './config.js';

async function start(): Promise<void> {
  const config = readConfig();
  if (config.secretWasGenerated) {
    console.log('SESSION_SECRET is not set: using a random secret, so sessions end when this process stops.');
  }
  if (config.redisUrl !== undefined) {
    console.log('REDIS_URL is set but ignored: this build has no Redis store yet; sessions stay in memory.');
  } else {
    console.log("REDIS_URL is not set: sessions live in this process's memory.");
  }
  const manager: SessionManager<object> = createSessionManager({
    store: new MemoryStore(),
    secrets: config.secrets,
    idleTimeoutMs: config.idleTimeoutMs,
    absoluteTimeoutMs: config.absoluteTimeoutMs,
  });
  const app = createApp(manager, { testRoutes: process.env['SESSIONKIT_TEST_ROUTES'] === '1' });
  // Every interface, as Express and Koa listen by default (Fastify alone defaults to localhost).
  await app.listen({ port: config.port, host: '::' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(`Listening on http://localhost:${port}`);
}

start().catch((error: unknown) => {
  // A misconfiguration is a sentence for the operator, not a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
