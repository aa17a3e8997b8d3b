/**
 * Fastify with sessionkit (@sessionkit/fastify) on RedisStore.
 *
 * @module
 */
import './session-data.js';
import { session } from '@sessionkit/fastify';
import Fastify from 'fastify';
import { createSessionkitSetup } from './sessionkit-options.js';
import { LOGIN_DATA, NEW_SESSION_USER, readServerEnv, serveChild } from './shared.js';

const { port, redisPort } = readServerEnv();
const setup = await createSessionkitSetup(redisPort);
let seq = 0;
const app = Fastify({ logger: false });
await app.register(session, setup.options);
app.get('/login', async (request) => {
  Object.assign(request.session.data, structuredClone(LOGIN_DATA));
  return 'ok';
});
app.get('/read', async (request) => String(request.session.data.user));
app.get('/write', async (request) => {
  request.session.data.seq = ++seq;
  return 'ok';
});
app.get('/incr', async (request) => String(await request.session.increment('n')));
app.get('/new', async (request) => {
  request.session.data.user = NEW_SESSION_USER;
  return 'ok';
});
app.get('/anon', async () => 'ok');
await app.listen({ port, host: '127.0.0.1' });
serveChild(app.server, () => setup.close());
