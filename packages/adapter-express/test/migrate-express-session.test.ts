/**
 * Switching from express-session + connect-redis to sessionkit without logging anyone out (#16).
 * Users log in on a real express-session app (connect-redis 10 on node-redis, Passport with
 * passport-local); the same app then runs on sessionkit with `expressSessionImporter` against the
 * same Redis, and every user is still logged in with the same data, once, whatever the concurrency.
 * Bad old cookies and bad old records mean "no session" and a 200, never a 5xx.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setTimeout as delay } from 'node:timers/promises';
import { createSessionManager, isSessionError, type Session, type SessionManager } from '@sessionkit/core';
import { sessionOf } from '@sessionkit/core/compat';
import { expressSessionImporter, type MapOldSession, type OldStoreClient } from '@sessionkit/core/migrate';
import { RedisStore } from '@sessionkit/core/redis';
import { TestClient } from '@sessionkit/core/testing';
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import { RedisStore as ConnectRedisStore } from 'connect-redis';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { Redis } from 'ioredis';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

// Untyped CommonJS packages (no @types in the tree): their call shapes, nothing more.
const require = createRequire(import.meta.url);
const expressSession = require('express-session') as (options: Record<string, unknown>) => RequestHandler;
const signature = require('cookie-signature') as { sign(value: string, secret: string): string };

type NodeRedis = ReturnType<typeof createClient>;

const OLD_SECRET = 'the old express-session secret, rotated in';
const OLDER_SECRET = 'the secret before the rotation';
const NEW_SECRET = 'sessionkit secret, at least 32 characters long';
const PASSWORD = 'correct horse';

passport.use(
  new LocalStrategy((username, password, done) => done(null, password === PASSWORD ? { id: username } : false)),
);
passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
passport.deserializeUser((id: string, done) => done(null, { id }));

let redis: RedisProcess;
let nodeRedis: NodeRedis;
let ioredis: Redis;
const servers: Server[] = [];

async function listen(app: Express): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** The app as it ran before the switch: express-session, connect-redis, Passport. */
function oldApp(client: NodeRedis, secret: string | string[]): Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    expressSession({
      store: new ConnectRedisStore({ client }),
      secret,
      resave: false,
      saveUninitialized: false,
      cookie: { maxAge: 24 * 60 * 60_000 },
    }),
  );
  app.use(passport.initialize());
  app.use(passport.session());
  app.post('/login', passport.authenticate('local'), (_req, res) => void res.send('logged in'));
  app.post('/cart', (req, res) => {
    const old = req.session as unknown as { cart?: string[] };
    old.cart = [...(old.cart ?? []), String((req.body as { item?: unknown }).item)];
    res.send('added');
  });
  return app;
}

/** Passport keeps `passport.user`: that is the user sessionkit indexes the session under. */
const passportUser: MapOldSession = (data) => {
  const user = (data['passport'] as { user?: unknown } | undefined)?.user;
  return { data, userId: user === undefined ? undefined : String(user) };
};

/**
 * The same app after the switch: sessionkit, with the importer. With `passportView`, through the
 * express-session view, so Passport itself tells whether the imported user is logged in.
 */
function newApp(manager: SessionManager<object>, passportView = false): Express {
  const app = express();
  if (passportView) {
    app.use(session(manager, { compat: 'express-session' }));
    app.use(passport.initialize());
    app.use(passport.session());
  } else {
    app.use(session(manager));
  }
  const sessionkit = (req: express.Request): Session<object> => (passportView ? sessionOf(req.session) : req.session);
  app.get('/me', (req, res) => {
    const current = sessionkit(req);
    const data = current.data as Record<string, unknown>;
    res.json({
      authenticated: passportView ? req.isAuthenticated() : null,
      user: (data['passport'] as { user?: string } | undefined)?.user ?? null,
      cart: data['cart'] ?? null,
      keys: Object.keys(data).sort(),
      userId: current.userId ?? null,
      id: current.isNew ? null : current.id,
      polluted: ({} as Record<string, unknown>)['polluted'] ?? null,
    });
  });
  app.post('/visit', async (req, res) => {
    res.json({ visits: await sessionkit(req).increment('visits' as never) });
  });
  app.use(((error, _req, res, _next) => {
    res.status(isSessionError(error) ? error.status : 500).send(String((error as Error).message));
  }) as ErrorRequestHandler);
  return app;
}

let prefixes = 0;

function manager(
  client: NodeRedis | OldStoreClient,
  options: { forwardTtlMs?: number; maxRecordBytes?: number; storeTimeoutMs?: number } = {},
) {
  const prefix = `sk${++prefixes}:`;
  const created = createSessionManager({
    secrets: [NEW_SECRET],
    store: new RedisStore({ client: ioredis, prefix }),
    ...(options.storeTimeoutMs === undefined ? {} : { storeTimeoutMs: options.storeTimeoutMs }),
    migrateFrom: [
      expressSessionImporter({
        secrets: [OLD_SECRET, OLDER_SECRET],
        client,
        map: passportUser,
        ...(options.forwardTtlMs === undefined ? {} : { forwardTtlMs: options.forwardTtlMs }),
        ...(options.maxRecordBytes === undefined ? {} : { maxRecordBytes: options.maxRecordBytes }),
      }),
    ],
  });
  return { manager: created, prefix };
}

/** The id express-session signed into a `connect.sid` value as the browser holds it. */
function oldIdOf(cookieValue: string): string {
  const decoded = decodeURIComponent(cookieValue);
  return decoded.slice(2, decoded.lastIndexOf('.'));
}

/** A browser of the new app holding the old app's cookie. */
function switched(url: string, oldCookie: string): TestClient {
  const client = new TestClient(url);
  client.setCookie('connect.sid', oldCookie);
  return client;
}

interface Me {
  authenticated: boolean | null;
  user: string | null;
  cart: string[] | null;
  keys: string[];
  userId: string | null;
  id: string | null;
  polluted: unknown;
}

const me = async (client: TestClient): Promise<{ status: number; body: Me; setCookies: string[] }> => {
  const response = await client.get('/me');
  expect(response.status).toBe(200);
  return { status: response.status, body: JSON.parse(response.body) as Me, setCookies: response.setCookies };
};

/** Logs `user` in on the old app (and puts `items` in the cart); resolves the `connect.sid` value. */
async function oldLogin(url: string, user: string | undefined, items: string[] = []): Promise<string> {
  const browser = new TestClient(url);
  if (user !== undefined)
    expect((await browser.postForm('/login', { username: user, password: PASSWORD })).status).toBe(200);
  for (const item of items) expect((await browser.postForm('/cart', { item })).status).toBe(200);
  const cookie = browser.cookie('connect.sid');
  if (cookie === undefined) throw new Error('the old app set no cookie');
  return cookie;
}

beforeAll(async () => {
  redis = await startRedis();
  nodeRedis = createClient({ url: redis.url });
  nodeRedis.on('error', () => undefined);
  await nodeRedis.connect();
  ioredis = new Redis({ host: '127.0.0.1', port: redis.port, lazyConnect: false });
  ioredis.on('error', () => undefined);
}, 30_000);

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await nodeRedis?.quit().catch(() => undefined);
  ioredis?.disconnect();
  await redis?.dispose();
});

describe('express-session + connect-redis → sessionkit', () => {
  it('keeps every user logged in with the same data, removes the old record and expires the old cookie', async () => {
    const old = await listen(oldApp(nodeRedis, [OLD_SECRET, OLDER_SECRET]));
    // Signed before the rotation: still verified, as express-session verifies every secret.
    const beforeRotation = await listen(oldApp(nodeRedis, OLDER_SECRET));
    const cookies = {
      alice: await oldLogin(old.url, 'alice', ['book', 'pen']),
      bob: await oldLogin(old.url, undefined, ['lamp']),
      carol: await oldLogin(beforeRotation.url, 'carol'),
    };
    const stored = JSON.parse((await nodeRedis.get(`sess:${oldIdOf(cookies.alice)}`)) ?? 'null') as Record<
      string,
      unknown
    >;
    expect(stored).toMatchObject({ passport: { user: 'alice' }, cart: ['book', 'pen'], cookie: { path: '/' } });
    await old.close();
    await beforeRotation.close();

    const { manager: sessions } = manager(nodeRedis, { forwardTtlMs: 1_000 });
    // Through the express-session view: Passport's own req.isAuthenticated() answers.
    const app = await listen(newApp(sessions, true));
    const expected = {
      alice: { authenticated: true, user: 'alice', cart: ['book', 'pen'], keys: ['cart', 'passport'], userId: 'alice' },
      bob: { authenticated: false, user: null, cart: ['lamp'], keys: ['cart'], userId: null },
      carol: { authenticated: true, user: 'carol', cart: null, keys: ['passport'], userId: 'carol' },
    };
    for (const name of ['alice', 'bob', 'carol'] as const) {
      const oldCookie = cookies[name];
      const browser = switched(app.url, oldCookie);
      const first = await me(browser);
      expect(first.body).toMatchObject(expected[name]);
      expect(first.body.id).toEqual(expect.any(String));
      // The response gives the sessionkit cookie and expires the old one (same name, same path).
      expect(first.setCookies.some((line) => line.startsWith('sid=Fe26.2*'))).toBe(true);
      const clearing = first.setCookies.find((line) => line.startsWith('connect.sid='));
      expect(clearing).toMatch(/^connect\.sid=; /);
      expect(clearing).toContain('; Path=/;');
      expect(clearing).toContain('; Max-Age=0;');
      expect(clearing).toContain('; Expires=Thu, 01 Jan 1970 00:00:00 GMT');
      expect(browser.cookie('connect.sid')).toBeUndefined();
      // The old record is gone: only the short-lived forwarding record is left at its key.
      const oldKey = `sess:${oldIdOf(oldCookie)}`;
      const left = (await nodeRedis.get(oldKey)) ?? '';
      expect(left).not.toContain('"cart"');
      expect(left).not.toContain('"passport"');
      expect(await nodeRedis.pTTL(oldKey)).toBeLessThanOrEqual(1_000);
      // Later requests carry only the sessionkit cookie and are the same session.
      const again = await me(browser);
      expect(again.body).toMatchObject({ ...expected[name], id: first.body.id });
      expect(again.setCookies.some((line) => line.startsWith('connect.sid='))).toBe(false);
    }
    expect(await sessions.listUserSessions('alice')).toHaveLength(1);

    await delay(1_200);
    for (const name of ['alice', 'bob', 'carol'] as const) {
      expect(await nodeRedis.exists(`sess:${oldIdOf(cookies[name])}`)).toBe(0);
      // Imported once: a replay of the old cookie finds nothing.
      const replay = await me(switched(app.url, cookies[name]));
      expect(replay.body).toMatchObject({ authenticated: false, user: null, cart: null, id: null });
    }
    expect(await sessions.listUserSessions('alice')).toHaveLength(1);
  });

  it('two concurrent first requests with the same old cookie end in one session, both logged in', async () => {
    const old = await listen(oldApp(nodeRedis, OLD_SECRET));
    const users = Array.from({ length: 8 }, (_, index) => `racer${index}`);
    const cookies = await Promise.all(users.map((user) => oldLogin(old.url, user, ['ticket'])));
    const { manager: sessions, prefix } = manager(nodeRedis);
    const app = await listen(newApp(sessions));
    for (const [index, user] of users.entries()) {
      const oldCookie = cookies[index] as string;
      const parallel = index % 2 === 0 ? 2 : 4;
      const answers = await Promise.all(Array.from({ length: parallel }, () => me(switched(app.url, oldCookie))));
      for (const answer of answers) {
        expect(answer.body).toMatchObject({ user, cart: ['ticket'], userId: user });
        expect(answer.setCookies.some((line) => line.startsWith('sid=Fe26.2*'))).toBe(true);
      }
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      expect(await sessions.listUserSessions(user)).toEqual([answers[0]?.body.id]);
    }
    // One sessionkit session per user, nothing else left behind by the losers.
    const sessionKeys = (await ioredis.keys(`${prefix}*`)).filter((key) => !key.startsWith(`${prefix}user:`));
    expect(sessionKeys).toHaveLength(users.length);
    await old.close();
  });

  it('when both requests read the old record before either claims it, the loser drops its session and joins the winner', async () => {
    const old = await listen(oldApp(nodeRedis, OLD_SECRET));
    const cookie = await oldLogin(old.url, 'twin', ['sock']);
    await old.close();
    // Each request's read of the old record waits until both have read it: both create a session,
    // and the claims decide.
    let reads = 0;
    let bothRead!: () => void;
    const gate = new Promise<void>((resolve) => (bothRead = resolve));
    const claims: string[] = [];
    const gated: OldStoreClient = {
      runScript: async (script, keys, args) => {
        const reply = (await nodeRedis.eval(script, { keys: [...keys], arguments: [...args] })) as string[];
        if (script.includes('STRLEN')) {
          reads++;
          if (reads === 2) bothRead();
          if (reads <= 2) await gate;
        } else {
          claims.push(reply[0] as string);
        }
        return reply;
      },
    };
    const { manager: sessions, prefix } = manager(gated);
    const app = await listen(newApp(sessions));
    const answers = await Promise.all([me(switched(app.url, cookie)), me(switched(app.url, cookie))]);
    expect(claims.sort()).toEqual(['changed', 'claimed']);
    // The loser read again, found the forwarding record and loaded the winner's session.
    expect(reads).toBe(3);
    for (const answer of answers) expect(answer.body).toMatchObject({ user: 'twin', cart: ['sock'], userId: 'twin' });
    expect(answers[0]?.body.id).toBe(answers[1]?.body.id);
    expect(await sessions.listUserSessions('twin')).toEqual([answers[0]?.body.id]);
    expect((await ioredis.keys(`${prefix}*`)).filter((key) => !key.startsWith(`${prefix}user:`))).toHaveLength(1);
  });

  it('forged, tampered and unsigned old cookies are no session (200), cost no store call and consume nothing', async () => {
    const old = await listen(oldApp(nodeRedis, OLD_SECRET));
    const victim = await oldLogin(old.url, 'victim', ['secret-plans']);
    await old.close();
    const victimId = oldIdOf(victim);
    const before = await nodeRedis.get(`sess:${victimId}`);
    let scripts = 0;
    const counting: OldStoreClient = {
      runScript: (script, keys, args) => {
        scripts++;
        return nodeRedis.eval(script, { keys: [...keys], arguments: [...args] });
      },
    };
    const { manager: sessions } = manager(counting);
    const app = await listen(newApp(sessions));
    const signedWith = (secret: string, id: string) => encodeURIComponent(`s:${signature.sign(id, secret)}`);
    const signedVictim = decodeURIComponent(victim).slice(2);
    const forgeries = {
      'signed with a secret the app never had': signedWith('attacker secret', victimId),
      'the victim id with another id’s signature': encodeURIComponent(
        `s:${victimId}.${signature.sign('other', OLD_SECRET).split('.')[1]}`,
      ),
      'a tampered id': encodeURIComponent(
        `s:${victimId.slice(0, -1)}${victimId.endsWith('A') ? 'B' : 'A'}${signedVictim.slice(victimId.length)}`,
      ),
      'a truncated signature': encodeURIComponent(`s:${signedVictim.slice(0, -2)}`),
      'unsigned (no s: prefix)': victimId,
      'an empty signature': encodeURIComponent(`s:${victimId}.`),
      'no id': 's%3A',
      'bad percent-encoding': 's%3A%E0%A4%A',
    };
    for (const [label, value] of Object.entries(forgeries)) {
      const answer = await me(switched(app.url, value));
      expect(answer.body, label).toMatchObject({ user: null, cart: null, id: null });
      // Not signed by the old library: not its cookie, so nothing is cleared either.
      expect(answer.setCookies, label).toEqual([]);
    }
    // Requests without an old cookie (or only with unrelated ones) never reach the importer either.
    const plain = new TestClient(app.url);
    plain.setCookie('theme', 'dark');
    await me(plain);
    expect((await plain.request('POST', '/visit')).status).toBe(200);
    await me(plain);
    expect(scripts).toBe(0);
    // The victim's record is untouched, and the victim still gets their session.
    expect(await nodeRedis.get(`sess:${victimId}`)).toBe(before);
    expect((await me(switched(app.url, victim))).body).toMatchObject({ user: 'victim', cart: ['secret-plans'] });
    expect(scripts).toBe(2);
  });

  it('malformed, expired, oversized or foreign old records are no session (200), and their cookie is expired', async () => {
    const { manager: sessions } = manager(nodeRedis, { maxRecordBytes: 4_096 });
    const app = await listen(newApp(sessions));
    const future = new Date(Date.now() + 60_000).toISOString();
    const records: Record<string, string | ((key: string) => Promise<unknown>)> = {
      'not JSON': '{"cookie":{"path":"/"',
      'a JSON array': '[1,2,3]',
      'JSON null': 'null',
      'no cookie field (express-session could not load it)': '{"passport":{"user":"mallory"}}',
      'expired (cookie.expires passed)': `{"cookie":{"path":"/","expires":"2001-01-01T00:00:00.000Z"},"passport":{"user":"mallory"}}`,
      'larger than maxRecordBytes': `{"cookie":{"path":"/"},"blob":"${'x'.repeat(8_000)}"}`,
      'a user id sessionkit refuses': `{"cookie":{"path":"/"},"passport":{"user":"${'u'.repeat(300)}"}}`,
      'a hash, not a string': (key) => nodeRedis.hSet(key, 'cookie', '{}'),
      'a list, not a string': (key) => nodeRedis.rPush(key, 'x'),
    };
    for (const [label, record] of Object.entries(records)) {
      const id = `bad-${label.replace(/\W+/g, '-')}`;
      const key = `sess:${id}`;
      if (typeof record === 'string') await nodeRedis.set(key, record);
      else await record(key);
      const answer = await me(switched(app.url, encodeURIComponent(`s:${signature.sign(id, OLD_SECRET)}`)));
      expect(answer.body, label).toMatchObject({ user: null, id: null });
      // The cookie was the old library's own: expired, so the browser stops sending it.
      expect(
        answer.setCookies.some((line) => /^connect\.sid=; /.test(line)),
        label,
      ).toBe(true);
    }

    // __proto__ keys never reach the app, at any depth; the rest of the record is imported.
    const id = 'poisoned';
    await nodeRedis.set(
      `sess:${id}`,
      `{"cookie":{"path":"/","expires":"${future}"},"__proto__":{"polluted":"yes"},"passport":{"user":"pat","__proto__":{"polluted":"yes"}},"constructor":{"prototype":{"polluted":"yes"}}}`,
    );
    const poisoned = await me(switched(app.url, encodeURIComponent(`s:${signature.sign(id, OLD_SECRET)}`)));
    expect(poisoned.body).toMatchObject({ user: 'pat', keys: ['passport'], polluted: null });
  });

  it('an old store that does not answer is a 503 within the store timeout, and the retry imports', async () => {
    const oldRedis = await startRedis();
    const oldClient: NodeRedis = createClient({
      url: `redis://127.0.0.1:${oldRedis.port}`,
      socket: { reconnectStrategy: false },
    });
    oldClient.on('error', () => undefined);
    await oldClient.connect();
    try {
      const old = await listen(oldApp(oldClient, OLD_SECRET));
      const cookie = await oldLogin(old.url, 'dora', ['map']);
      await old.close();
      const { manager: sessions, prefix } = manager(oldClient, { storeTimeoutMs: 300 });
      const app = await listen(newApp(sessions));
      oldRedis.pause();
      const started = Date.now();
      const failed = await switched(app.url, cookie).get('/me');
      expect(failed.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
      oldRedis.resume();
      // Nothing was claimed or created: the retry imports the untouched record.
      expect((await ioredis.keys(`${prefix}*`)).filter((key) => !key.includes('user:'))).toEqual([]);
      const retry = await me(switched(app.url, cookie));
      expect(retry.body).toMatchObject({ user: 'dora', cart: ['map'] });
    } finally {
      oldRedis.resume();
      await oldClient.quit().catch(() => undefined);
      await oldRedis.dispose();
    }
  });
});
