/**
 * Starts the demo: `npm start -w examples/express`.
 *
 * @module
 */
import { createSessionManager, MemoryStore } from '@sessionkit/core';
import { createApp } from './app.js';
import { readConfig } from './config.js';

const config = readConfig();
if (config.secretWasGenerated) {
  console.log('SESSION_SECRET is not set: using a random secret, so sessions end when this process stops.');
}
if (config.redisUrl !== undefined) {
  console.log('REDIS_URL is set but ignored: this build has no Redis store yet; sessions stay in memory.');
} else {
  console.log('REDIS_URL is not set: sessions live in this process\'s memory.');
}
const manager = createSessionManager({
  store: new MemoryStore(),
  secrets: [config.secret],
  idleTimeoutMs: config.idleTimeoutMs,
  absoluteTimeoutMs: Math.max(config.idleTimeoutMs, 24 * 60 * 60_000),
});
const server = createApp(manager, { testRoutes: process.env['SESSIONKIT_TEST_ROUTES'] === '1' }).listen(config.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(`Listening on http://localhost:${port}`);
});
