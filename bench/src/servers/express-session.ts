/**
 * The Express peer: express-session + connect-redis, configured as its docs recommend
 * (resave: false, saveUninitialized: false), with the shared cookie, secret and TTL.
 *
 * @module
 */
import { createServer } from 'node:http';
import express from 'express';
import session from 'express-session';
import { createConnectRedis } from './connect-redis-store.js';
import {
  COOKIE,
  COOKIE_NAME,
  LOGIN_DATA,
  listen,
  NEW_SESSION_USER,
  readServerEnv,
  SECRET,
  serveChild,
} from './shared.js';

type Data = Record<string, unknown>;

const { port, redisPort } = readServerEnv();
const redis = await createConnectRedis(redisPort, 'es:');
let seq = 0;
const app = express();
app.use(
  session({
    name: COOKIE_NAME,
    secret: SECRET,
    store: redis.store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { ...COOKIE },
  }),
);
const data = (req: express.Request): Data => (req as unknown as { session: Data }).session;
app.get('/login', (req, res) => {
  Object.assign(data(req), structuredClone(LOGIN_DATA));
  res.send('ok');
});
app.get('/read', (req, res) => void res.send(String(data(req).user)));
app.get('/write', (req, res) => {
  data(req).seq = ++seq;
  res.send('ok');
});
// What express-session users write for a counter: read, add, write the whole session back.
app.get('/incr', (req, res) => {
  const next = Number(data(req).n ?? 0) + 1;
  data(req).n = next;
  res.send(String(next));
});
app.get('/new', (req, res) => {
  data(req).user = NEW_SESSION_USER;
  res.send('ok');
});
app.get('/anon', (_req, res) => void res.send('ok'));
serveChild(await listen(createServer(app), port), () => redis.close());
