/**
 * Starts the demo: `npm start -w examples/fastify`.
 *
 * @module
 */
import { runDemo, setUpDemo } from '../../example-config.js';
import { createApp } from './app.js';

runDemo(async () => {
  const { config, manager } = setUpDemo();
  const app = createApp(manager);
  // Every interface, as Express and Koa listen by default (Fastify alone defaults to localhost).
  await app.listen({ port: config.port, host: '::' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(`Listening on http://localhost:${port}`);
});
