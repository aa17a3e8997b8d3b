/**
 * Switching from koa-session + koa-redis to sessionkit without logging anyone out (#16). Users log
 * in on a real koa-session app (external store koa-redis, koa-passport with passport-local, signed
 * `koa.sess` + `koa.sess.sig` over `app.keys`); the same app then runs on sessionkit with
 * `koaSessionImporter` against the same Redis, with the koa-session view so koa-passport sees each
 * user still authenticated, once, whatever the concurrency. Bad old cookies mean no session and a 200.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { createSessionManager, type SessionManager } from '@sessionkit/core';
import { sessionOf } from '@sessionkit/core/compat';
import { koaSessionImporter, type MapOldSession, type OldStoreClient } from '@sessionkit/core/migrate';
import { RedisStore } from '@sessionkit/core/redis';
import { TestClient } from '@sessionkit/core/testing';
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import { Redis } from 'ioredis';
import Keygrip from 'keygrip';
import Koa, { type DefaultState } from 'koa';
import koaPassport from 'koa-passport';
import createKoaSession from 'koa-session';
import { Strategy as LocalStrategy } from 'passport-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KoaSessionContext, session } from '../src/index.js';

// koa-redis ships no types: its call shape, nothing more.
const require = createRequire(import.meta.url);
type KoaRedisStore = { client: { quit(): Promise<unknown> } };
const koaRedis = require('koa-redis') as (options: Record<string, unknown>) => KoaRedisStore;

const KEYS = ['the current koa key', 'the koa key before the rotation'];
const NEW_SECRET = 'sessionkit secret, at least 32 characters long';
const PASSWORD = 'correct horse';

let redis: RedisProcess;
let ioredis: Redis;
const servers: Server[] = [];
const koaRedisStores: KoaRedisStore[] = [];

async function listen(
  app: Koa<DefaultState, never> | Koa<DefaultState, KoaSessionContext>,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

function localPassport() {
  const passport = new koaPassport.KoaPassport();
  passport.use(
    new LocalStrategy((username, password, done) => done(null, password === PASSWORD ? { id: username } : false)),
  );
  passport.serializeUser((user, done) => done(null, (user as { id: string }).id));
  passport.deserializeUser((id: string, done) => done(null, { id }));
  return passport;
}

/** The app as it ran before the switch: koa-session with koa-redis, koa-passport. */
function oldApp(keys: string[] | Keygrip): Koa<DefaultState, never> {
  const app = new Koa<DefaultState, never>();
  app.keys = keys as string[];
  const store = koaRedis({ host: '127.0.0.1', port: redis.port });
  koaRedisStores.push(store);
  app.use(createKoaSession({ store: store as never, maxAge: 24 * 60 * 60_000 }, app));
  app.use(bodyParser());
  const passport = localPassport();
  app.use(passport.initialize());
  app.use(passport.session());
  const router = new Router();
  router.post('/login', passport.authenticate('local'), (ctx) => {
    ctx.body = 'logged in';
  });
  router.post('/cart', (ctx) => {
    const old = ctx['session'] as { cart?: string[] };
    old.cart = [...(old.cart ?? []), String((ctx.request.body as { item?: unknown }).item)];
    ctx.body = 'added';
  });
  app.use(router.routes());
  return app;
}

const passportUser: MapOldSession = (data) => {
  const user = (data['passport'] as { user?: unknown } | undefined)?.user;
  return { data, userId: user === undefined ? undefined : String(user) };
};

/** The same app after the switch: sessionkit with the koa-session view, so koa-passport works unchanged. */
function newApp(manager: SessionManager<object>): Koa<DefaultState, KoaSessionContext> {
  const app = new Koa<DefaultState, KoaSessionContext>();
  app.use(session(manager, { compat: 'koa-session' }));
  const passport = localPassport();
  app.use(passport.initialize());
  app.use(passport.session());
  const router = new Router<DefaultState, KoaSessionContext>();
  router.get('/me', (ctx) => {
    const underlying = sessionOf(ctx.session);
    ctx.body = {
      authenticated: ctx.isAuthenticated(),
      user: (ctx.state['user'] as { id: string } | undefined)?.id ?? null,
      cart: ctx.session['cart'] ?? null,
      keys: Object.keys(ctx.session.toJSON()).sort(),
      userId: underlying.userId ?? null,
      id: underlying.isNew ? null : underlying.id,
    };
  });
  app.use(router.routes());
  return app;
}

let prefixes = 0;

function manager(
  client: Redis | OldStoreClient,
  options: { keys?: string[]; algorithm?: string; forwardTtlMs?: number } = {},
) {
  const prefix = `sk${++prefixes}:`;
  const created = createSessionManager({
    secrets: [NEW_SECRET],
    store: new RedisStore({ client: ioredis, prefix }),
    migrateFrom: [
      koaSessionImporter({
        keys: options.keys ?? KEYS,
        client,
        map: passportUser,
        ...(options.algorithm === undefined ? {} : { algorithm: options.algorithm }),
        ...(options.forwardTtlMs === undefined ? {} : { forwardTtlMs: options.forwardTtlMs }),
      }),
    ],
  });
  return { manager: created, prefix };
}

interface OldCookie {
  readonly value: string;
  readonly sig: string;
}

async function oldLogin(url: string, user: string | undefined, items: string[] = []): Promise<OldCookie> {
  const browser = new TestClient(url);
  if (user !== undefined)
    expect((await browser.postForm('/login', { username: user, password: PASSWORD })).status).toBe(200);
  for (const item of items) expect((await browser.postForm('/cart', { item })).status).toBe(200);
  const value = browser.cookie('koa.sess');
  const sig = browser.cookie('koa.sess.sig');
  if (value === undefined || sig === undefined) throw new Error('the old app set no signed cookie');
  return { value, sig };
}

function switched(url: string, cookie: { value: string; sig?: string | undefined }): TestClient {
  const browser = new TestClient(url);
  browser.setCookie('koa.sess', cookie.value);
  if (cookie.sig !== undefined) browser.setCookie('koa.sess.sig', cookie.sig);
  return browser;
}

interface Me {
  authenticated: boolean;
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
  ioredis = new Redis({ host: '127.0.0.1', port: redis.port });
  ioredis.on('error', () => undefined);
}, 30_000);

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await Promise.all(koaRedisStores.map((store) => store.client.quit().catch(() => undefined)));
  ioredis?.disconnect();
  await redis?.dispose();
});

describe('koa-session + koa-redis → sessionkit', () => {
  it('keeps every user logged in (koa-passport) with the same data, removes the old record and expires both old cookies', async () => {
    const old = await listen(oldApp(KEYS));
    const beforeRotation = await listen(oldApp([KEYS[1] as string]));
    const cookies = {
      alice: await oldLogin(old.url, 'alice', ['book', 'pen']),
      bob: await oldLogin(old.url, undefined, ['lamp']),
      carol: await oldLogin(beforeRotation.url, 'carol'),
    };
    // koa-redis keeps the session at the external key itself, which is the cookie's value.
    const stored = JSON.parse((await ioredis.get(cookies.alice.value)) ?? 'null') as Record<string, unknown>;
    expect(stored).toMatchObject({ passport: { user: 'alice' }, cart: ['book', 'pen'], _expire: expect.any(Number) });
    await old.close();
    await beforeRotation.close();

    const { manager: sessions } = manager(ioredis, { forwardTtlMs: 1_000 });
    const app = await listen(newApp(sessions));
    const expected = {
      alice: { authenticated: true, user: 'alice', cart: ['book', 'pen'], keys: ['cart', 'passport'], userId: 'alice' },
      bob: { authenticated: false, user: null, cart: ['lamp'], keys: ['cart'], userId: null },
      carol: { authenticated: true, user: 'carol', cart: null, keys: ['passport'], userId: 'carol' },
    };
    for (const name of ['alice', 'bob', 'carol'] as const) {
      const browser = switched(app.url, cookies[name]);
      const first = await me(browser);
      expect(first.body).toMatchObject(expected[name]);
      expect(first.body.id).toEqual(expect.any(String));
      expect(first.setCookies.some((line) => line.startsWith('sid=Fe26.2*'))).toBe(true);
      for (const cookieName of ['koa.sess', 'koa.sess.sig']) {
        const clearing = first.setCookies.find((line) => line.startsWith(`${cookieName}=`));
        expect(clearing, cookieName).toMatch(new RegExp(`^${cookieName.replace(/\./g, '\\.')}=; Max-Age=0; Path=/;`));
        expect(browser.cookie(cookieName)).toBeUndefined();
      }
      const left = (await ioredis.get(cookies[name].value)) ?? '';
      expect(left).not.toContain('"cart"');
      expect(left).not.toContain('"passport"');
      const again = await me(browser);
      expect(again.body).toMatchObject({ ...expected[name], id: first.body.id });
      expect(again.setCookies.some((line) => line.startsWith('koa.sess'))).toBe(false);
    }
    expect(await sessions.listUserSessions('alice')).toHaveLength(1);

    await delay(1_200);
    for (const name of ['alice', 'bob', 'carol'] as const) {
      expect(await ioredis.exists(cookies[name].value)).toBe(0);
      const replay = await me(switched(app.url, cookies[name]));
      expect(replay.body).toMatchObject({ authenticated: false, cart: null, id: null });
    }
  });

  it('reads app.keys given as a SHA-256 Keygrip', async () => {
    const old = await listen(oldApp(new Keygrip(['a sha256 koa key'], 'sha256')));
    const cookie = await oldLogin(old.url, 'sam', ['tea']);
    await old.close();
    const sha1 = manager(ioredis, { keys: ['a sha256 koa key'] });
    const sha1App = await listen(newApp(sha1.manager));
    expect((await me(switched(sha1App.url, cookie))).body).toMatchObject({ authenticated: false, id: null });
    const sha256 = manager(ioredis, { keys: ['a sha256 koa key'], algorithm: 'sha256' });
    const sha256App = await listen(newApp(sha256.manager));
    expect((await me(switched(sha256App.url, cookie))).body).toMatchObject({
      authenticated: true,
      user: 'sam',
      cart: ['tea'],
    });
  });

  it('two concurrent first requests with the same old cookie end in one session, both logged in', async () => {
    const old = await listen(oldApp(KEYS));
    const users = Array.from({ length: 8 }, (_, index) => `racer${index}`);
    const cookies = await Promise.all(users.map((user) => oldLogin(old.url, user, ['ticket'])));
    await old.close();
    const { manager: sessions, prefix } = manager(ioredis);
    const app = await listen(newApp(sessions));
    for (const [index, user] of users.entries()) {
      const cookie = cookies[index] as OldCookie;
      const answers = await Promise.all(
        Array.from({ length: index % 2 === 0 ? 2 : 4 }, () => me(switched(app.url, cookie))),
      );
      for (const answer of answers)
        expect(answer.body).toMatchObject({ authenticated: true, user, cart: ['ticket'], userId: user });
      expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
      expect(await sessions.listUserSessions(user)).toEqual([answers[0]?.body.id]);
    }
    const sessionKeys = (await ioredis.keys(`${prefix}*`)).filter((key) => !key.startsWith(`${prefix}user:`));
    expect(sessionKeys).toHaveLength(users.length);
  });

  it('forged, tampered and unsigned old cookies are no session (200), cost no store call and consume nothing', async () => {
    const old = await listen(oldApp(KEYS));
    const victim = await oldLogin(old.url, 'victim', ['secret-plans']);
    const other = await oldLogin(old.url, 'other');
    await old.close();
    const before = await ioredis.get(victim.value);
    let scripts = 0;
    const counting: OldStoreClient = {
      runScript: (script, keys, args) => {
        scripts++;
        return ioredis.eval(script, keys.length, ...keys, ...args);
      },
    };
    const { manager: sessions } = manager(counting);
    const app = await listen(newApp(sessions));
    const keygrip = (key: string, value: string) =>
      createHmac('sha1', key).update(`koa.sess=${value}`).digest('base64url');
    const forgeries: Record<string, { value: string; sig?: string }> = {
      'signed with a key the app never had': { value: victim.value, sig: keygrip('attacker key', victim.value) },
      'the victim key with another cookie’s signature': { value: victim.value, sig: other.sig },
      'a tampered key': {
        value: `${victim.value.slice(0, -1)}${victim.value.endsWith('0') ? '1' : '0'}`,
        sig: victim.sig,
      },
      'a truncated signature': { value: victim.value, sig: victim.sig.slice(0, -2) },
      'no signature cookie': { value: victim.value },
      'an empty signature': { value: victim.value, sig: '' },
    };
    for (const [label, forged] of Object.entries(forgeries)) {
      const answer = await me(switched(app.url, forged));
      expect(answer.body, label).toMatchObject({ authenticated: false, cart: null, id: null });
      expect(answer.setCookies, label).toEqual([]);
    }
    const plain = new TestClient(app.url);
    plain.setCookie('theme', 'dark');
    await me(plain);
    expect(scripts).toBe(0);
    expect(await ioredis.get(victim.value)).toBe(before);
    expect((await me(switched(app.url, victim))).body).toMatchObject({
      authenticated: true,
      user: 'victim',
      cart: ['secret-plans'],
    });
    expect(scripts).toBe(2);
  });

  it('an expired or malformed koa-session record is no session (200), and its cookies are expired', async () => {
    const { manager: sessions } = manager(ioredis);
    const app = await listen(newApp(sessions));
    const records = {
      'past _expire': `{"passport":{"user":"mallory"},"_expire":${Date.now() - 1_000},"_maxAge":86400000}`,
      'not JSON': '{"passport":',
      '_expire not a number': '{"passport":{"user":"mallory"},"_expire":"soon"}',
    };
    for (const [label, record] of Object.entries(records)) {
      const externalKey = `bad-${label.replace(/\W+/g, '-')}`;
      await ioredis.set(externalKey, record);
      const sig = createHmac('sha1', KEYS[0] as string)
        .update(`koa.sess=${externalKey}`)
        .digest('base64url');
      const answer = await me(switched(app.url, { value: externalKey, sig }));
      expect(answer.body, label).toMatchObject({ authenticated: false, id: null });
      expect(
        answer.setCookies.some((line) => line.startsWith('koa.sess.sig=; ')),
        label,
      ).toBe(true);
    }
  });
});
