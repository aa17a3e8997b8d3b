// The koa-session-shaped view (`session(options, { compat: 'koa-session' })`) with the real Koa
// ecosystem over real HTTP: koa-passport + passport-local + @koa/router + @koa/bodyparser, on
// MemoryStore and on a private redis-server. Each guarantee of sessionkit is checked through the view.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import {
  createSessionManager,
  type DefaultSessionData,
  MemoryStore,
  type Session,
  type SessionStore,
} from '@sessionkit/core';
import { type KoaSessionView, sessionOf } from '@sessionkit/core/compat';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import type { Redis } from 'ioredis';
import Koa, { type DefaultState } from 'koa';
import koaPassport from 'koa-passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type KoaSessionContext, session } from '../src/index.js';

interface User {
  readonly id: string;
  readonly name: string;
  readonly password: string;
}

const users: readonly User[] = [{ id: 'u1', name: 'alice', password: 'wonderland' }];

/** A promise with its resolve, to hold a request at a chosen point. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Hooks a test sets before it sends the request that waits on them. */
interface Hooks {
  slowWriteEntered?: () => void;
  slowWriteGate?: Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(app: { listen(port: number, host: string): Server }): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The app of a koa-session user moving to sessionkit: koa-passport, a router, a form body parser. */
async function serveApp(store: SessionStore) {
  const hooks: Hooks = {};
  const errors: unknown[] = [];
  const app = new Koa<DefaultState, KoaSessionContext>();
  app.on('error', (error: unknown) => errors.push(error));
  app.use(bodyParser());
  const manager = createSessionManager({ store, secrets: [...testSecrets] });
  app.use(session(manager, { compat: 'koa-session' }));

  const passport = new koaPassport.KoaPassport();
  passport.use(
    new LocalStrategy((username, password, done) => {
      done(null, users.find((user) => user.name === username && user.password === password) ?? false);
    }),
  );
  passport.serializeUser((user, done) => done(null, (user as User).id));
  passport.deserializeUser((id: string, done) => done(null, users.find((user) => user.id === id) ?? false));
  app.use(passport.initialize());
  app.use(passport.session());

  const router = new Router<DefaultState, KoaSessionContext>();
  router.post('/login', passport.authenticate('local', { successRedirect: '/me', failureRedirect: '/login' }));
  router.post('/login-keep', passport.authenticate('local', { successRedirect: '/me', keepSessionInfo: true }));
  // Logged in by the strategy, then the session is marked as the user's, for "log out everywhere".
  router.post('/login-tracked', passport.authenticate('local', { failureRedirect: '/login' }), (ctx) => {
    sessionOf(ctx.session).setUserId((ctx.state['user'] as User).id);
    ctx.redirect('/me');
  });
  router.post('/logout', async (ctx) => {
    await ctx.logout();
    ctx.body = 'bye';
  });
  router.get('/me', (ctx) => {
    ctx.body = {
      authenticated: ctx.isAuthenticated(),
      user: (ctx.state['user'] as User | undefined)?.name ?? null,
      id: sessionOf(ctx.session).id,
      data: ctx.session.toJSON(),
    };
  });
  router.get('/cart', (ctx) => {
    ctx.session.cart = ['apple'];
    ctx.body = 'added';
  });
  router.get('/views', (ctx) => {
    if (ctx.session.views === undefined) ctx.session.views = 0;
    ctx.session.views++;
    ctx.body = { views: ctx.session.views, length: ctx.session.length, populated: ctx.session.populated };
  });
  router.get('/drop', (ctx) => {
    ctx.session = null;
    ctx.body = { afterDrop: ctx.session.length };
  });
  router.get('/replace', (ctx) => {
    ctx.session = { theme: 'dark' };
    ctx.body = ctx.session.toJSON();
  });
  router.get('/write/:key', async (ctx) => {
    ctx.session[ctx.params['key'] as string] = ctx.params['key'];
    // Every request of the burst holds the session it loaded while the others write theirs.
    await delay(30);
    ctx.body = 'ok';
  });
  router.get('/hit', async (ctx) => {
    ctx.body = String(await ctx.session.increment('hits'));
  });
  router.get('/slow-write', async (ctx) => {
    ctx.session.note = 'written by a request that started before the logout';
    hooks.slowWriteEntered?.();
    await hooks.slowWriteGate;
    ctx.body = 'late';
  });
  router.get('/regenerate-promise', async (ctx) => {
    ctx.session.planted = 'before';
    const before = ctx.session;
    await ctx.session.regenerate();
    const after = ctx.session;
    after.fresh = 'after';
    await after.save();
    ctx.body = { before: before.toJSON(), after: after.toJSON(), replaced: before !== after };
  });
  router.get('/regenerate-callback', async (ctx) => {
    ctx.session.planted = 'before';
    const before = ctx.session;
    await new Promise<void>((resolve, reject) => {
      const returned = ctx.session.regenerate((error) => (error ? reject(error) : resolve()));
      expect(returned).toBeUndefined();
    });
    ctx.session.fresh = 'after';
    await new Promise<void>((resolve, reject) => ctx.session.save((error) => (error ? reject(error) : resolve())));
    let staleWrite = 'accepted';
    try {
      before.planted = 'again';
    } catch (error) {
      staleWrite = (error as Error).message;
    }
    ctx.body = { before: { ...before }, after: { ...ctx.session }, staleWrite };
  });
  router.get('/remember', (ctx) => {
    const before = ctx.session.maxAge;
    ctx.session.maxAge = 7 * 24 * 60 * 60_000;
    ctx.session.remembered = true;
    ctx.body = { before, after: ctx.session.maxAge };
  });
  router.get('/forget', (ctx) => {
    ctx.session.maxAge = 'session';
    ctx.body = { after: ctx.session.maxAge };
  });
  router.get('/reserved', (ctx) => {
    try {
      (ctx.session as unknown as Record<string, unknown>)['save'] = 'data under a method name';
      ctx.body = 'accepted';
    } catch (error) {
      ctx.body = (error as Error).message;
    }
  });
  app.use(router.routes());
  const url = await listen(app);
  return { url, hooks, errors, manager, client: new TestClient(url) };
}

interface Me {
  authenticated: boolean;
  user: string | null;
  id: string;
  data: Record<string, unknown>;
}

async function me(client: TestClient): Promise<Me> {
  const response = await client.get('/me');
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as Me;
}

/** Asserts that the client is anonymous: no user, and an empty session. */
async function expectAnonymous(client: TestClient): Promise<void> {
  const seen = await me(client);
  expect(seen).toMatchObject({ authenticated: false, user: null });
  expect(seen.data).toEqual({});
}

async function logIn(client: TestClient, path = '/login'): Promise<void> {
  const response = await client.postForm(path, { username: 'alice', password: 'wonderland' });
  expect(response.status).toBe(302);
  expect(response.location).toBe('/me');
}

let redis: RedisProcess | undefined;
const redisClients: Redis[] = [];
let prefixes = 0;

beforeAll(async () => {
  redis = await startRedis();
}, 30_000);

afterAll(async () => {
  for (const client of redisClients.splice(0)) client.disconnect();
  await redis?.dispose();
});

const backends: ReadonlyArray<readonly [string, () => SessionStore]> = [
  ['MemoryStore', () => new MemoryStore()],
  [
    'RedisStore',
    () => {
      if (redis === undefined) throw new Error('the redis-server of this file did not start');
      const client = createRedisClient(redis.url);
      redisClients.push(client);
      // A prefix per app: the tests share one server and never see each other's sessions.
      return new RedisStore({ client, prefix: `koa-ecosystem-${++prefixes}:` });
    },
  ],
];

describe.each(backends)('koa-session view with koa-passport on %s', (_name, createStore) => {
  it('logs in with a POSTed form, is authenticated on the next request, logs out to anonymous', async () => {
    const { client } = await serveApp(createStore());
    await client.get('/cart');
    const anonymousCookie = client.cookie('sid');
    const login = await client.postForm('/login', { username: 'alice', password: 'wonderland' });
    expect(login.status).toBe(302);
    // save() committed during the login and the adapter committed again: still one session cookie.
    expect(login.setCookies.filter((line) => line.startsWith('sid='))).toHaveLength(1);
    // A new id at login (session fixation), and the pre-login data dropped (no keepSessionInfo).
    expect(client.cookie('sid')).not.toBe(anonymousCookie);
    const loggedIn = await me(client);
    expect(loggedIn).toMatchObject({ authenticated: true, user: 'alice' });
    expect(loggedIn.data).toEqual({ passport: { user: 'u1' } });
    const loggedInCookie = client.cookie('sid');

    const logout = await client.request('POST', '/logout');
    expect(logout.status).toBe(200);
    expect(logout.body).toBe('bye');
    await expectAnonymous(client);
    // The logged-in cookie is worth nothing afterwards.
    client.setCookie('sid', loggedInCookie);
    await expectAnonymous(client);
  });

  it('sessionOf(ctx.session).setUserId after login: "log out everywhere" ends every session of the user', async () => {
    const { url, manager } = await serveApp(createStore());
    const laptop = new TestClient(url);
    const phone = new TestClient(url);
    for (const device of [laptop, phone]) {
      const response = await device.postForm('/login-tracked', { username: 'alice', password: 'wonderland' });
      expect(response.status).toBe(302);
      expect(await me(device)).toMatchObject({ authenticated: true, user: 'alice' });
    }
    expect(await manager.listUserSessions('u1')).toHaveLength(2);
    expect(await manager.destroyUserSessions('u1')).toBe(2);
    for (const device of [laptop, phone]) await expectAnonymous(device);
  });

  it('refuses a wrong password and stays anonymous', async () => {
    const { client } = await serveApp(createStore());
    const response = await client.postForm('/login', { username: 'alice', password: 'guess' });
    expect(response.status).toBe(302);
    expect(response.location).toBe('/login');
    expect(await me(client)).toMatchObject({ authenticated: false, user: null });
  });

  it('keepSessionInfo carries the pre-login data into the new session; without it the data is gone', async () => {
    const { url } = await serveApp(createStore());
    const keeping = new TestClient(url);
    await keeping.get('/cart');
    const before = keeping.cookie('sid');
    await logIn(keeping, '/login-keep');
    expect(keeping.cookie('sid')).not.toBe(before);
    const kept = await me(keeping);
    expect(kept.authenticated).toBe(true);
    expect(kept.data).toEqual({ cart: ['apple'], passport: { user: 'u1' } });

    const dropping = new TestClient(url);
    await dropping.get('/cart');
    await logIn(dropping);
    const after = await me(dropping);
    expect(after.authenticated).toBe(true);
    expect(after.data).toEqual({ passport: { user: 'u1' } });
  });

  it('stores ctx.session.views++ across requests, as a number, with length and populated', async () => {
    const { client } = await serveApp(createStore());
    const counts: unknown[] = [];
    for (let i = 0; i < 3; i++) counts.push(JSON.parse((await client.get('/views')).body));
    expect(counts).toEqual([
      { views: 1, length: 1, populated: true },
      { views: 2, length: 1, populated: true },
      { views: 3, length: 1, populated: true },
    ]);
    expect((await me(client)).data).toEqual({ views: 3 });
  });

  it('ctx.session = null logs out: the session is destroyed, its cookie cleared, a replay is anonymous', async () => {
    const store = createStore();
    const { client } = await serveApp(store);
    await logIn(client);
    const { id } = await me(client);
    const cookie = client.cookie('sid');
    const drop = await client.get('/drop');
    expect(JSON.parse(drop.body)).toEqual({ afterDrop: 0 });
    expect(drop.setCookies[0]).toMatch(/^sid=;/);
    expect(await store.load(id, 60_000)).toBeUndefined();
    client.setCookie('sid', cookie);
    await expectAnonymous(client);
  });

  it('ctx.session = { ... } replaces the data: keys not in the new object are deleted from the store', async () => {
    const store = createStore();
    const { client } = await serveApp(store);
    await client.get('/views');
    await client.get('/cart');
    expect(JSON.parse((await client.get('/replace')).body)).toEqual({ theme: 'dark' });
    const { id, data } = await me(client);
    expect(data).toEqual({ theme: 'dark' });
    expect(Object.keys((await store.load(id, 60_000))?.data ?? {})).toEqual(['theme']);
  });

  it('20 concurrent requests writing different keys through the view all survive', async () => {
    const { client } = await serveApp(createStore());
    await client.get('/views');
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const responses = await Promise.all(keys.map((key) => client.get(`/write/${key}`)));
    expect(responses.map((response) => response.status)).toEqual(keys.map(() => 200));
    const { data } = await me(client);
    expect(data).toEqual({ views: 1, ...Object.fromEntries(keys.map((key) => [key, key])) });
  });

  it('increment through the view is atomic: 20 concurrent increments count 20', async () => {
    const { client } = await serveApp(createStore());
    await client.get('/views');
    const responses = await Promise.all(Array.from({ length: 20 }, () => client.get('/hit')));
    expect(responses.map((response) => Number(response.body)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect((await me(client)).data).toEqual({ views: 1, hits: 20 });
  });

  for (const how of ['ctx.logout()', 'ctx.session = null'] as const) {
    it(`a logout by ${how} racing a slow writing request never resurrects the session`, async () => {
      const store = createStore();
      const { url, hooks } = await serveApp(store);
      const user = new TestClient(url);
      await logIn(user);
      const { id } = await me(user);
      const cookie = user.cookie('sid') as string;
      const entered = deferred();
      const gate = deferred();
      hooks.slowWriteEntered = entered.resolve;
      hooks.slowWriteGate = gate.promise;

      // Another tab of the same browser: the slow request has loaded the session and written to it.
      const tab = new TestClient(url);
      tab.setCookie('sid', cookie);
      const slow = tab.get('/slow-write');
      await entered.promise;
      const logout = how === 'ctx.logout()' ? await user.request('POST', '/logout') : await user.get('/drop');
      expect(logout.status).toBe(200);
      gate.resolve();
      const late = await slow;
      expect(late.status).toBe(200);

      expect(await store.load(id, 60_000)).toBeUndefined();
      await expectAnonymous(user);
      for (const replay of [cookie, tab.cookie('sid')]) {
        const client = new TestClient(url);
        if (replay !== undefined) client.setCookie('sid', replay);
        await expectAnonymous(client);
      }
    });
  }

  it('regenerate() and save() promise-style: new id, empty data, the old view keeps the old data', async () => {
    const { client } = await serveApp(createStore());
    await client.get('/views');
    const first = client.cookie('sid');
    const response = JSON.parse((await client.get('/regenerate-promise')).body) as unknown;
    expect(response).toEqual({ before: { views: 1, planted: 'before' }, after: { fresh: 'after' }, replaced: true });
    expect(client.cookie('sid')).not.toBe(first);
    expect((await me(client)).data).toEqual({ fresh: 'after' });
    client.setCookie('sid', first);
    expect((await me(client)).data).toEqual({});
  });

  it('regenerate(cb) and save(cb) callback-style, as Passport calls them; writing to the old view throws', async () => {
    const { client } = await serveApp(createStore());
    await client.get('/views');
    const response = JSON.parse((await client.get('/regenerate-callback')).body) as Record<string, unknown>;
    expect(response['before']).toEqual({ views: 1, planted: 'before' });
    expect(response['after']).toEqual({ fresh: 'after' });
    expect(response['staleWrite']).toMatch(/regenerate/);
    expect((await me(client)).data).toEqual({ fresh: 'after' });
  });

  it('maxAge maps onto persist(): a number gives a persistent cookie, "session" a browser-session one', async () => {
    const { client } = await serveApp(createStore());
    const remember = await client.get('/remember');
    const body = JSON.parse(remember.body) as { before: unknown; after: unknown };
    expect(body.before).toBe('session');
    // The server's timeouts decide the lifetime: the idle timeout (30 minutes by default).
    expect(body.after).toBe(30 * 60_000);
    expect(remember.setCookies[0]).toMatch(/Max-Age=1800/);
    const forget = await client.get('/forget');
    expect(JSON.parse(forget.body)).toEqual({ after: 'session' });
    expect(forget.setCookies[0]).toMatch(/^sid=/);
    expect(forget.setCookies[0]).not.toMatch(/Max-Age/i);
    expect((await me(client)).data).toEqual({ remembered: true });
  });

  it('refuses data under a name the view answers itself (save, regenerate, maxAge, ...)', async () => {
    const { client } = await serveApp(createStore());
    expect((await client.get('/reserved')).body).toMatch(/"save" is a member of the koa-session view/);
  });
});

describe('opting in or not', () => {
  it('an app without the second argument gets the sessionkit Session, exactly as before', async () => {
    const app = new Koa();
    app.use(session({ store: new MemoryStore(), secrets: [...testSecrets] }));
    app.use(async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<Session<DefaultSessionData>>();
      ctx.session.data['visits'] = ((ctx.session.data['visits'] as number | undefined) ?? 0) + 1;
      ctx.body = {
        hasData: 'data' in ctx.session,
        visits: ctx.session.data['visits'],
        viewProperty: 'visits' in ctx.session,
      };
    });
    const client = new TestClient(await listen(app));
    await client.get('/');
    expect(JSON.parse((await client.get('/')).body)).toEqual({ hasData: true, visits: 2, viewProperty: false });
  });

  it('types the view: data keys, koa-session members, sessionOf', () => {
    expectTypeOf<KoaSessionContext['session']>().toEqualTypeOf<KoaSessionView<DefaultSessionData>>();
    expectTypeOf<KoaSessionView['isNew']>().toEqualTypeOf<boolean>();
    expectTypeOf<KoaSessionView['maxAge']>().toEqualTypeOf<number | 'session'>();
    expectTypeOf(sessionOf<DefaultSessionData>).returns.toEqualTypeOf<Session<DefaultSessionData>>();
    interface Typed {
      views: number;
      save: string;
      passport: { user?: string };
    }
    expectTypeOf<KoaSessionView<Typed>['views']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<KoaSessionView<Typed>['passport']>().toEqualTypeOf<{ user?: string } | undefined>();
    // Data under a member name is not part of the view's data: `save` stays the method.
    expectTypeOf<KoaSessionView<Typed>['save']>().toBeFunction();
  });
});
