/**
 * Koa with no session and no Redis: the ceiling of the Koa rows.
 *
 * @module
 */
import { createServer } from 'node:http';
import Koa from 'koa';
import { listen, readServerEnv, serveChild } from './shared.js';

const { port } = readServerEnv();
const app = new Koa();
app.use((ctx) => {
  ctx.body = 'ok';
});
serveChild(await listen(createServer(app.callback()), port));
