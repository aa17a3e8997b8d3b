/**
 * Fastify plus the fewest Redis round trips each scenario needs (see floor-redis.ts): the floor
 * the session libraries are measured against.
 *
 * @module
 */
import Fastify from 'fastify';
import { createFloorRedis } from './floor-redis.js';
import { readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const floor = await createFloorRedis(redisPort);
let seq = 0;
const app = Fastify({ logger: false });
app.get('/login', async () => 'ok');
app.get('/read', async () => String(await floor.read()));
app.get('/write', async () => {
  await floor.write(++seq);
  return 'ok';
});
app.get('/incr', async () => String(await floor.increment()));
app.get('/new', async () => {
  await floor.create(++seq);
  return 'ok';
});
app.get('/anon', async () => 'ok');
await app.listen({ port, host: '127.0.0.1' });
serveChild(app.server, () => floor.close());
