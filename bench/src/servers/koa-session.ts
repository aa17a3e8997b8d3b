/**
 * The Koa peer: koa-session + koa-redis, signed cookies (app.keys), rolling and renew off. Its
 * maxAge is the shared 30 min idle timeout rather than 'session': koa-redis turns a 'session'
 * maxAge into `SETEX key session ...`, which Redis refuses, so this is the one stack whose cookie
 * carries an Expires attribute.
 *
 * @module
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import redisStore from 'koa-redis';
import session from 'koa-session';
import {
  COOKIE,
  COOKIE_NAME,
  IDLE_TIMEOUT_MS,
  LOGIN_DATA,
  listen,
  NEW_SESSION_USER,
  readServerEnv,
  SECRET,
  serveChild,
} from './shared.js';

type Data = Record<string, unknown>;

const { port, redisPort } = readServerEnv();
const store = redisStore({ host: '127.0.0.1', port: redisPort, keyPrefix: 'ks:' });
await store.client.ping();
let seq = 0;
const app = new Koa();
app.keys = [SECRET];
app.use(
  session(
    { key: COOKIE_NAME, ...COOKIE, maxAge: IDLE_TIMEOUT_MS, signed: true, rolling: false, renew: false, store },
    app,
  ),
);
app.use((ctx) => {
  const data = ctx.session as unknown as Data;
  switch (ctx.path) {
    case '/login':
      Object.assign(data, structuredClone(LOGIN_DATA));
      break;
    case '/read':
      ctx.body = String(data.user);
      return;
    case '/write':
      data.seq = ++seq;
      break;
    case '/incr': {
      // What koa-session users write for a counter: read, add, write the whole session back.
      const next = Number(data.n ?? 0) + 1;
      data.n = next;
      ctx.body = String(next);
      return;
    }
    case '/new':
      data.user = NEW_SESSION_USER;
      break;
  }
  ctx.body = 'ok';
});
serveChild(await listen(createServer(app.callback()), port), () => store.quit());
