/**
 * Starts the demo: `npm start -w examples/hono`.
 *
 * @module
 */
import { serve } from '@hono/node-server';
import { runDemo, setUpDemo } from '../../example-config.js';
import { createApp } from './app.js';

runDemo(() => {
  const { config, manager } = setUpDemo();
  // Every interface, as Express and Koa listen by default.
  serve({ fetch: createApp(manager).fetch, port: config.port, hostname: '::' }, (info) => {
    console.log(`Listening on http://localhost:${info.port}`);
  });
});
