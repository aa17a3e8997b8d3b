/**
 * Hono plus the fewest Redis round trips each scenario needs (see floor-redis.ts): the floor the
 * session libraries are measured against.
 *
 * @module
 */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createFloorRedis } from './floor-redis.js';
import { listen, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const floor = await createFloorRedis(redisPort);
let seq = 0;
const app = new Hono();
app.get('/read', async (c) => c.text(String(await floor.read())));
app.get('/write', async (c) => {
  await floor.write(++seq);
  return c.text('ok');
});
app.get('/incr', async (c) => c.text(String(await floor.increment())));
app.get('/new', async (c) => {
  await floor.create(++seq);
  return c.text('ok');
});
app.all('*', (c) => c.text('ok'));
serveChild(await listen(createServer(getRequestListener(app.fetch)), port), () => floor.close());
