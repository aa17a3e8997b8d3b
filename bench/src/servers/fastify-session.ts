/**
 * The Fastify peer: @fastify/session + @fastify/cookie with connect-redis, saveUninitialized and
 * rolling off (so reads and anonymous requests write nothing), the shared cookie, secret and TTL.
 *
 * @module
 */
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify from 'fastify';
import { createConnectRedis } from './connect-redis-store.js';
import { COOKIE, COOKIE_NAME, LOGIN_DATA, NEW_SESSION_USER, readServerEnv, SECRET, serveChild } from './shared.js';

interface PeerSession {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const { port, redisPort } = readServerEnv();
const redis = await createConnectRedis(redisPort, 'fs:');
let seq = 0;
const app = Fastify({ logger: false });
await app.register(fastifyCookie);
await app.register(fastifySession, {
  secret: SECRET,
  cookieName: COOKIE_NAME,
  cookie: { ...COOKIE },
  saveUninitialized: false,
  rolling: false,
  // connect-redis implements the callback Store interface @fastify/session calls.
  store: redis.store as never,
});
const data = (request: { session: unknown }): PeerSession => request.session as PeerSession;
app.get('/login', async (request) => {
  for (const [key, value] of Object.entries(structuredClone(LOGIN_DATA))) data(request).set(key, value);
  return 'ok';
});
app.get('/read', async (request) => String(data(request).get('user')));
app.get('/write', async (request) => {
  data(request).set('seq', ++seq);
  return 'ok';
});
// What @fastify/session users write for a counter: read, add, write the whole session back.
app.get('/incr', async (request) => {
  const next = Number(data(request).get('n') ?? 0) + 1;
  data(request).set('n', next);
  return String(next);
});
app.get('/new', async (request) => {
  data(request).set('user', NEW_SESSION_USER);
  return 'ok';
});
app.get('/anon', async () => 'ok');
await app.listen({ port, host: '127.0.0.1' });
serveChild(app.server, () => redis.close());
