/**
 * The Hono peer: hono-sessions, the most used session middleware for Hono, configured as its README
 * shows (encryptionKey, so the id cookie is sealed with iron; expireAfterSeconds; autoExtendExpiration
 * left on) with the shared cookie, secret and TTL. It ships memory, cookie and Bun SQLite stores and
 * leaves others to a four-method `Store` interface: Redis is that interface on ioredis, below, one
 * JSON string per session as its own stores keep it (hono-sessions-redis, the one published Redis
 * driver, is pinned to hono-sessions 0.3). Note what its middleware does by design: a request
 * without a cookie creates and stores a session and sets the cookie (the anon row is flagged), and
 * every request re-seals the cookie and writes the session back (its access time changes).
 *
 * @module
 */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { type Session, type SessionData, type Store, sessionMiddleware } from 'hono-sessions';
import { Redis } from 'ioredis';
import {
  COOKIE_NAME,
  IDLE_TIMEOUT_S,
  LOGIN_DATA,
  listen,
  NEW_SESSION_USER,
  readServerEnv,
  SECRET,
  serveChild,
} from './shared.js';

type Data = Record<string, unknown>;

/** A hono-sessions store on Redis: GET, SET with the idle TTL, DEL. */
class RedisSessionStore implements Store {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async getSessionById(id?: string): Promise<SessionData | null> {
    if (id === undefined) return null;
    const value = await this.redis.get(this.prefix + id);
    return value === null ? null : (JSON.parse(value) as SessionData);
  }

  async createSession(id: string, data: SessionData): Promise<void> {
    await this.redis.set(this.prefix + id, JSON.stringify(data), 'EX', IDLE_TIMEOUT_S);
  }

  async persistSessionData(id: string, data: SessionData): Promise<void> {
    await this.redis.set(this.prefix + id, JSON.stringify(data), 'EX', IDLE_TIMEOUT_S);
  }

  async deleteSession(id: string): Promise<void> {
    await this.redis.del(this.prefix + id);
  }
}

const { port, redisPort } = readServerEnv();
const redis = new Redis({ host: '127.0.0.1', port: redisPort, lazyConnect: true });
await redis.connect();
let seq = 0;
const app = new Hono<{ Variables: { session: Session<Data> } }>();
app.use(
  sessionMiddleware({
    store: new RedisSessionStore(redis, 'hs:'),
    encryptionKey: SECRET,
    expireAfterSeconds: IDLE_TIMEOUT_S,
    sessionCookieName: COOKIE_NAME,
    cookieOptions: { path: '/', httpOnly: true, sameSite: 'Lax', secure: false },
  }),
);
app.get('/login', (c) => {
  for (const [key, value] of Object.entries(structuredClone(LOGIN_DATA))) c.get('session').set(key, value);
  return c.text('ok');
});
app.get('/read', (c) => c.text(String(c.get('session').get('user'))));
app.get('/write', (c) => {
  c.get('session').set('seq', ++seq);
  return c.text('ok');
});
// What hono-sessions users write for a counter: read, add, write the whole session back.
app.get('/incr', (c) => {
  const next = Number(c.get('session').get('n') ?? 0) + 1;
  c.get('session').set('n', next);
  return c.text(String(next));
});
app.get('/new', (c) => {
  c.get('session').set('user', NEW_SESSION_USER);
  return c.text('ok');
});
app.all('*', (c) => c.text('ok'));
serveChild(await listen(createServer(getRequestListener(app.fetch)), port), () => redis.quit());
