/**
 * Hono with sessionkit (@sessionkit/hono) on RedisStore.
 *
 * @module
 */
import './session-data.js';
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { session } from '@sessionkit/hono';
import { Hono } from 'hono';
import { createSessionkitSetup } from './sessionkit-options.js';
import { LOGIN_DATA, listen, NEW_SESSION_USER, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const setup = await createSessionkitSetup(redisPort);
let seq = 0;
const app = new Hono();
app.use(session(setup.options));
app.get('/login', (c) => {
  Object.assign(c.get('session').data, structuredClone(LOGIN_DATA));
  return c.text('ok');
});
app.get('/read', (c) => c.text(String(c.get('session').data.user)));
app.get('/write', (c) => {
  c.get('session').data.seq = ++seq;
  return c.text('ok');
});
app.get('/incr', async (c) => c.text(String(await c.get('session').increment('n'))));
app.get('/new', (c) => {
  c.get('session').data.user = NEW_SESSION_USER;
  return c.text('ok');
});
app.all('*', (c) => c.text('ok'));
serveChild(await listen(createServer(getRequestListener(app.fetch)), port), () => setup.close());
