/**
 * Koa plus the fewest Redis round trips each scenario needs (see floor-redis.ts): the floor the
 * session libraries are measured against.
 *
 * @module
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import { createFloorRedis } from './floor-redis.js';
import { listen, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const floor = await createFloorRedis(redisPort);
let seq = 0;
const app = new Koa();
app.use(async (ctx) => {
  switch (ctx.path) {
    case '/read':
      ctx.body = String(await floor.read());
      return;
    case '/write':
      await floor.write(++seq);
      break;
    case '/incr':
      ctx.body = String(await floor.increment());
      return;
    case '/new':
      await floor.create(++seq);
      break;
  }
  ctx.body = 'ok';
});
serveChild(await listen(createServer(app.callback()), port), () => floor.close());
