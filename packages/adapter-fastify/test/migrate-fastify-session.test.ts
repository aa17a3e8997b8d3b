/**
 * Switching from @fastify/session (with connect-redis, the express-session store @fastify/session
 * accepts, on node-redis) to sessionkit without logging anyone out (#16). Users log in on a real
 * @fastify/session app with @fastify/passport and passport-local; the same app then runs on
 * sessionkit with `fastifySessionImporter` (given an ioredis client of the same Redis), and every user
 * is still logged in with the same data, once, whatever the concurrency. Bad old cookies mean no
 * session and a 200.
 */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import fastifyCookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyPassport from '@fastify/passport';
import { createSessionManager, type SessionManager } from '@sessionkit/core';
import { fastifySessionImporter, type MapOldSession, type OldStoreClient } from '@sessionkit/core/migrate';
import { RedisStore } from '@sessionkit/core/redis';
import { TestClient } from '@sessionkit/core/testing';
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import Fastify, { type FastifyInstance, type FastifyPluginCallback, type FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Strategy as LocalStrategy } from 'passport-local';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

// Loaded without its types: they declare `request.session` as @fastify/session's, which in this
// program is sessionkit's. The old app reaches its session through `oldSession` below.
const require = createRequire(import.meta.url);
const fastifySession = require('@fastify/session') as FastifyPluginCallback<Record<string, unknown>>;

type NodeRedis = ReturnType<typeof createClient>;

const OLD_SECRET = 'the current @fastify/session secret, 32+ chars';
const OLDER_SECRET = 'the @fastify/session secret before rotation';
const NEW_SECRET = 'sessionkit secret, at least 32 characters long';
const PASSWORD = 'correct horse';

let redis: RedisProcess;
let nodeRedis: NodeRedis;
let ioredis: Redis;
const apps: FastifyInstance[] = [];

async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/** @fastify/session's request.session, as the old app uses it. */
const oldSession = (request: FastifyRequest) =>
  request.session as unknown as { get(key: string): unknown; set(key: string, value: unknown): void };

/** The app as it ran before the switch: @fastify/session with connect-redis, @fastify/passport. */
async function oldApp(secret: string | string[]): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(formbody);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret,
    store: new ConnectRedisStore({ client: nodeRedis }),
    saveUninitialized: false,
    cookie: { secure: false, maxAge: 24 * 60 * 60_000 },
  });
  const passport = new fastifyPassport.Authenticator();
  passport.use(
    'local',
    new LocalStrategy((username, password, done) => done(null, password === PASSWORD ? { id: username } : false)),
  );
  passport.registerUserSerializer(async (user: { id: string }) => user.id);
  passport.registerUserDeserializer(async (id: string) => ({ id }));
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  app.post('/login', { preValidation: passport.authenticate('local') }, async () => 'logged in');
  app.post('/cart', async (request) => {
    const old = oldSession(request);
    old.set('cart', [
      ...((old.get('cart') as string[] | undefined) ?? []),
      String((request.body as { item?: unknown }).item),
    ]);
    return 'added';
  });
  return app;
}

/** @fastify/passport keeps the serialized user under `passport`. */
const passportUser: MapOldSession = (data) => {
  const user = data['passport'];
  return { data, userId: user === undefined ? undefined : String(user) };
};

/** The same app after the switch. */
async function newApp(manager: SessionManager<object>): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(session, { manager });
  app.get('/me', async (request) => {
    const data = request.session.data as Record<string, unknown>;
    return {
      user: data['passport'] ?? null,
      cart: data['cart'] ?? null,
      keys: Object.keys(data).sort(),
      userId: request.session.userId ?? null,
      id: request.session.isNew ? null : request.session.id,
    };
  });
  return app;
}

let prefixes = 0;

function manager(client: Redis | OldStoreClient, options: { forwardTtlMs?: number } = {}) {
  const prefix = `sk${++prefixes}:`;
  const created = createSessionManager({
    secrets: [NEW_SECRET],
    store: new RedisStore({ client: ioredis, prefix }),
    migrateFrom: [
      fastifySessionImporter({
        secrets: [OLD_SECRET, OLDER_SECRET],
        client,
        map: passportUser,
        ...(options.forwardTtlMs === undefined ? {} : { forwardTtlMs: options.forwardTtlMs }),
      }),
    ],
  });
  return { manager: created, prefix };
}

/** The id @fastify/session signed into a `sessionId` value as the browser holds it. */
const oldIdOf = (cookie: string): string => decodeURIComponent(cookie).split('.')[0] as string;

async function oldLogin(url: string, user: string | undefined, items: string[] = []): Promise<string> {
  const browser = new TestClient(url);
  if (user !== undefined)
    expect((await browser.postForm('/login', { username: user, password: PASSWORD })).status).toBe(200);
  for (const item of items) expect((await browser.postForm('/cart', { item })).status).toBe(200);
  const cookie = browser.cookie('sessionId');
  if (cookie === undefined) throw new Error('the old app set no cookie');
  return cookie;
}

function switched(url: string, oldCookie: string): TestClient {
  const browser = new TestClient(url);
  browser.setCookie('sessionId', oldCookie);
  return browser;
}

interface Me {
  user: string | null;
  cart: string[] | null;
  keys: string[];
  userId: string | null;
  id: string | null;
}

async function me(browser: TestClient): Promise<{ body: Me; setCookies: string[] }> {
  const response = await browser.get('/me');
  expect(response.status).toBe(200);
  return { body: JSON.parse(response.body) as Me, setCookies: response.setCookies };
}

beforeAll(async () => {
  redis = await startRedis();
  nodeRedis = createClient({ url: redis.url });
  nodeRedis.on('error', () => undefined);
  await nodeRedis.connect();
  ioredis = new Redis({ host: '127.0.0.1', port: redis.port });
  ioredis.on('error', () => undefined);
}, 30_000);

afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await nodeRedis?.quit().catch(() => undefined);
  ioredis?.disconnect();
  await redis?.dispose();
});

describe('@fastify/session + Redis → sessionkit', () => {
  it('keeps every user logged in with the same data, removes the old record and expires the old cookie', async () => {
    const old = await oldApp([OLD_SECRET, OLDER_SECRET]);
    const oldUrl = await listen(old);
    const beforeRotation = await oldApp(OLDER_SECRET);
    const beforeRotationUrl = await listen(beforeRotation);
    const cookies = {
      alice: await oldLogin(oldUrl, 'alice', ['book', 'pen']),
      bob: await oldLogin(oldUrl, undefined, ['lamp']),
      carol: await oldLogin(beforeRotationUrl, 'carol'),
    };
    const stored = JSON.parse((await nodeRedis.get(`sess:${oldIdOf(cookies.alice)}`)) ?? 'null') as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({ passport: 'alice', cart: ['book', 'pen'], cookie: { path: '/' } });
    await old.close();
    await beforeRotation.close();

    const { manager: sessions } = manager(ioredis, { forwardTtlMs: 1_000 });
    const url = await listen(await newApp(sessions));
    const expected = {
      alice: { user: 'alice', cart: ['book', 'pen'], keys: ['cart', 'passport'], userId: 'alice' },
      bob: { user: null, cart: ['lamp'], keys: ['cart'], userId: null },
      carol: { user: 'carol', cart: null, keys: ['passport'], userId: 'carol' },
    };
    for (const name of ['alice', 'bob', 'carol'] as const) {
      const browser = switched(url, cookies[name]);
      const first = await me(browser);
      expect(first.body).toMatchObject(expected[name]);
      expect(first.body.id).toEqual(expect.any(String));
      expect(first.setCookies.some((line) => line.startsWith('sid=Fe26.2*'))).toBe(true);
      const clearing = first.setCookies.find((line) => line.startsWith('sessionId='));
      expect(clearing).toMatch(/^sessionId=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
      expect(browser.cookie('sessionId')).toBeUndefined();
      const left = (await nodeRedis.get(`sess:${oldIdOf(cookies[name])}`)) ?? '';
      expect(left).not.toContain('"cart"');
      expect(left).not.toContain('"passport"');
      const again = await me(browser);
      expect(again.body).toMatchObject({ ...expected[name], id: first.body.id });
      expect(again.setCookies.some((line) => line.startsWith('sessionId='))).toBe(false);
    }
    expect(await sessions.listUserSessions('carol')).toHaveLength(1);

    await delay(1_200);
    for (const name of ['alice', 'bob', 'carol'] as const) {
      expect(await nodeRedis.exists(`sess:${oldIdOf(cookies[name])}`)).toBe(0);
      const replay = await me(switched(url, cookies[name]));
      expect(replay.body).toMatchObject({ user: null, cart: null, id: null });
    }
  });

  it('two concurrent first requests with the same old cookie end in one session, both logged in', async () => {
    const old = await oldApp(OLD_SECRET);
    const oldUrl = await listen(old);
    const users = Array.from({ length: 8 }, (_, index) => `racer${index}`);
    const cookies = await Promise.all(users.map((user) => oldLogin(oldUrl, user, ['ticket'])));
    await old.close();
    const { manager: sessions, prefix } = manager(ioredis);
    const url = await listen(await newApp(sessions));
    for (const [index, user] of users.entries()) {
      const cookie = cookies[index] as string;
      const answers = await Promise.all(
        Array.from({ length: index % 2 === 0 ? 2 : 4 }, () => me(switched(url, cookie))),
      );
      for (const answer of answers) expect(answer.body).toMatchObject({ user, cart: ['ticket'], userId: user });
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      expect(await sessions.listUserSessions(user)).toEqual([answers[0]?.body.id]);
    }
    const sessionKeys = (await ioredis.keys(`${prefix}*`)).filter((key) => !key.startsWith(`${prefix}user:`));
    expect(sessionKeys).toHaveLength(users.length);
  });

  it('forged, tampered and unsigned old cookies are no session (200), cost no store call and consume nothing', async () => {
    const old = await oldApp(OLD_SECRET);
    const oldUrl = await listen(old);
    const victim = await oldLogin(oldUrl, 'victim', ['secret-plans']);
    await old.close();
    const victimId = oldIdOf(victim);
    const signature = decodeURIComponent(victim).slice(victimId.length + 1);
    const before = await nodeRedis.get(`sess:${victimId}`);
    let scripts = 0;
    const counting: OldStoreClient = {
      runScript: (script, keys, args) => {
        scripts++;
        return ioredis.eval(script, keys.length, ...keys, ...args);
      },
    };
    const { manager: sessions } = manager(counting);
    const url = await listen(await newApp(sessions));
    const sign = (secret: string, id: string) =>
      `${id}.${createHmac('sha256', secret).update(id).digest('base64').replace(/=/g, '')}`;
    const forgeries = {
      'signed with a secret the app never had': encodeURIComponent(
        sign('attacker secret, also 32 characters', victimId),
      ),
      'signed with SHA-1 instead of SHA-256': encodeURIComponent(
        `${victimId}.${createHmac('sha1', OLD_SECRET).update(victimId).digest('base64').replace(/=/g, '')}`,
      ),
      'a tampered id': encodeURIComponent(`${victimId.slice(0, -1)}${victimId.endsWith('A') ? 'B' : 'A'}.${signature}`),
      'a truncated signature': encodeURIComponent(`${victimId}.${signature.slice(0, -2)}`),
      unsigned: victimId,
      'an empty signature': `${victimId}.`,
      'express-session style (s: prefix)': encodeURIComponent(`s:${victimId}.${signature}`),
    };
    for (const [label, value] of Object.entries(forgeries)) {
      const answer = await me(switched(url, value));
      expect(answer.body, label).toMatchObject({ user: null, cart: null, id: null });
      expect(answer.setCookies, label).toEqual([]);
    }
    const plain = new TestClient(url);
    plain.setCookie('theme', 'dark');
    await me(plain);
    expect(scripts).toBe(0);
    expect(await nodeRedis.get(`sess:${victimId}`)).toBe(before);
    expect((await me(switched(url, victim))).body).toMatchObject({ user: 'victim', cart: ['secret-plans'] });
    expect(scripts).toBe(2);
  });

  it('an expired @fastify/session record is no session (200), and its cookie is expired', async () => {
    const { manager: sessions } = manager(ioredis);
    const url = await listen(await newApp(sessions));
    const id = 'expired-fastify-session';
    await nodeRedis.set(
      `sess:${id}`,
      '{"cookie":{"expires":"2001-01-01T00:00:00.000Z","originalMaxAge":1000,"path":"/"},"passport":"mallory"}',
    );
    const signed = `${id}.${createHmac('sha256', OLD_SECRET).update(id).digest('base64').replace(/=/g, '')}`;
    const answer = await me(switched(url, encodeURIComponent(signed)));
    expect(answer.body).toMatchObject({ user: null, id: null });
    expect(answer.setCookies.some((line) => line.startsWith('sessionId=; '))).toBe(true);
  });
});
