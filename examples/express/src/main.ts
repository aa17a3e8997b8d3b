/**
 * Starts the demo: `npm start -w examples/express`.
 *
 * @module
 */
import { createSessionManager, MemoryStore, type SessionManager, type SessionStore } from '@sessionkit/core';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
import { createApp } from './app.js';
import { readConfig, redactPassword } from './config.js';

function start(): void {
  const config = readConfig();
  if (config.secretWasGenerated) {
    console.log('SESSION_SECRET is not set: using a random secret, so sessions end when this process stops.');
  }
  let store: SessionStore;
  if (config.redisUrl !== undefined) {
    // createRedisClient sets every option a session store relies on: bounded command timeout, no
    // offline queue, no re-sent increments. While Redis is down, requests get a 503, never a hang.
    store = new RedisStore({ client: createRedisClient(config.redisUrl) });
    console.log(`REDIS_URL is set: sessions are stored in Redis at ${redactPassword(config.redisUrl)}.`);
  } else {
    store = new MemoryStore();
    console.log("REDIS_URL is not set: sessions live in this process's memory.");
  }
  const manager: SessionManager<object> = createSessionManager({
    store,
    secrets: config.secrets,
    idleTimeoutMs: config.idleTimeoutMs,
    absoluteTimeoutMs: config.absoluteTimeoutMs,
  });
  const server = createApp(manager, { testRoutes: process.env['SESSIONKIT_TEST_ROUTES'] === '1' }).listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    console.log(`Listening on http://localhost:${port}`);
  });
}

try {
  start();
} catch (error) {
  // A misconfiguration is a sentence for the operator, not a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
