/**
 * Koa with sessionkit (@sessionkit/koa) on RedisStore.
 *
 * @module
 */
import './session-data.js';
import { createServer } from 'node:http';
import { session } from '@sessionkit/koa';
import Koa from 'koa';
import { createSessionkitSetup } from './sessionkit-options.js';
import { LOGIN_DATA, listen, NEW_SESSION_USER, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const setup = await createSessionkitSetup(redisPort);
let seq = 0;
const app = new Koa();
app.use(session(setup.options));
app.use(async (ctx) => {
  switch (ctx.path) {
    case '/login':
      Object.assign(ctx.session.data, structuredClone(LOGIN_DATA));
      break;
    case '/read':
      ctx.body = String(ctx.session.data.user);
      return;
    case '/write':
      ctx.session.data.seq = ++seq;
      break;
    case '/incr':
      ctx.body = String(await ctx.session.increment('n'));
      return;
    case '/new':
      ctx.session.data.user = NEW_SESSION_USER;
      break;
  }
  ctx.body = 'ok';
});
serveChild(await listen(createServer(app.callback()), port), () => setup.close());
