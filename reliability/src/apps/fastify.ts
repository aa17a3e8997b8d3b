/**
 * The Fastify demo as the suite runs it: examples/fastify/src/main.ts (same environment, same
 * address, same "Listening on" line), with the suite's test routes added through `createApp`'s
 * `routes` option.
 *
 * @module
 */
import { runDemo, setUpDemo } from '../../../examples/example-config.js';
import { createApp } from '../../../examples/fastify/src/app.js';
import { mountTestRoutes } from '../test-routes/fastify.js';

runDemo(async () => {
  const { config, manager } = setUpDemo();
  const app = createApp(manager, { routes: mountTestRoutes });
  // Every interface, as the demo listens.
  await app.listen({ port: config.port, host: '::' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  console.log(`Listening on http://localhost:${port}`);
});
