/**
 * The Hono demo as the suite runs it: examples/hono/src/main.ts (same environment, same address,
 * same "Listening on" line), with the suite's test routes added through `createApp`'s `routes`
 * option.
 *
 * @module
 */
import { serve } from '@hono/node-server';
import { runDemo, setUpDemo } from '../../../examples/example-config.js';
import { createApp } from '../../../examples/hono/src/app.js';
import { mountTestRoutes } from '../test-routes/hono.js';

runDemo(() => {
  const { config, manager } = setUpDemo();
  serve({ fetch: createApp(manager, { routes: mountTestRoutes }).fetch, port: config.port, hostname: '::' }, (info) => {
    console.log(`Listening on http://localhost:${info.port}`);
  });
});
