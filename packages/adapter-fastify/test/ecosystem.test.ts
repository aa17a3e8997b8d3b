// Middleware written for @fastify/session and @fastify/secure-session (@fastify/passport with
// passport-local, @fastify/flash, @fastify/csrf-protection) on sessionkit's `compat: 'fastify-session'`
// view, over real HTTP, on MemoryStore and on a real redis-server. The guarantees of sessionkit
// (per-key writes, atomic increments, no resurrection after logout) must hold through the view.
import csrfProtection from '@fastify/csrf-protection';
import flash from '@fastify/flash';
import formbody from '@fastify/formbody';
import fastifyPassport from '@fastify/passport';
import type { PassportSession } from '@fastify/passport/dist/session.js';
import type { Session as SecureSession } from '@fastify/secure-session';
import type { FastifySessionObject } from '@fastify/session';
import { type DefaultSessionData, MemoryStore, type Session, type SessionStore } from '@sessionkit/core';
import { type FastifySessionView, sessionOf } from '@sessionkit/core/compat';
import { createRedisClient, RedisStore } from '@sessionkit/core/redis';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import { type RedisProcess, startRedis } from '@sessionkit/test-support';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Strategy as LocalStrategy } from 'passport-local';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type RequestSession, session } from '../src/index.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function listen(app: FastifyInstance): Promise<string> {
  apps.push(app);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const start = async (app: FastifyInstance): Promise<TestClient> => new TestClient(await listen(app));

/**
 * `request.session` as the view. The one cast of these tests: the type of `request.session` is
 * program-wide, and this package's type-check program also holds the tests of the default mode,
 * where it is the sessionkit `Session`. An app that opts in declares `SessionPluginTypes` instead
 * (see the type tests at the end), and then needs no cast.
 */
const viewOf = (request: FastifyRequest): FastifySessionView => request.session as unknown as FastifySessionView;

/** Resolves for everyone once `count` callers have arrived: all of them loaded the session first. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return async () => {
    arrived += 1;
    if (arrived === count) open();
    await opened;
  };
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

const isClearing = (line: string): boolean => /max-age=0/i.test(line) || /^sid=;/.test(line);

interface User {
  readonly id: string;
}

/** An app with @fastify/passport (passport-local, form login), its flash messages, and a few routes. */
async function passportApp(store: SessionStore, passportOptions: { clearSessionOnLogin?: boolean } = {}) {
  const app = Fastify();
  await app.register(formbody);
  await app.register(session, { store, secrets: [...testSecrets], compat: 'fastify-session' });
  const passport = new fastifyPassport.Authenticator(passportOptions);
  passport.use(
    'local',
    new LocalStrategy((username, password, done) => done(null, password === 'secret' ? { id: username } : false)),
  );
  passport.registerUserSerializer(async (user: User) => user.id);
  passport.registerUserDeserializer(async (id: string) => ({ id }));
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  const authenticate = passport.authenticate('local', {
    successRedirect: '/me',
    failureRedirect: '/login',
    failureFlash: 'bad login',
  });
  // Passport's documented form: the hook answers (a redirect), so the handler does nothing.
  app.post('/login', { preValidation: authenticate }, () => {});
  app.get('/login', async (_request, reply) => ({ errors: reply.flash('error') }));
  // reply.flash() writes `flash: {}` even when there is nothing to read: check first on pages anyone may see.
  app.get('/home', async (request, reply) => ({ errors: viewOf(request).get('flash') ? reply.flash('error') : [] }));
  app.get('/me', async (request) => ({ authenticated: request.isAuthenticated(), user: request.user ?? null }));
  app.post('/logout', async (request) => {
    await request.logout();
    return 'bye';
  });
  app.post('/cart', async (request) => {
    viewOf(request).set('cart', ['book']);
    return 'ok';
  });
  app.get('/id', async (request) => ({ id: viewOf(request).sessionId, cart: viewOf(request).get('cart') ?? null }));
  return app;
}

function ecosystemSuite(makeStore: () => SessionStore): void {
  describe('@fastify/passport with passport-local', () => {
    it('logs in with a form post, knows the user on the next request, and logs out to anonymous', async () => {
      const client = await start(await passportApp(makeStore()));
      const login = await client.postForm('/login', { username: 'alice', password: 'secret' });
      expect(login.status).toBe(302);
      expect(login.location).toBe('/me');
      expect(login.setCookies).toHaveLength(1);
      const me = await client.get('/me');
      expect(me.status).toBe(200);
      expect(JSON.parse(me.body)).toEqual({ authenticated: true, user: { id: 'alice' } });

      const logout = await client.request('POST', '/logout');
      expect(logout.status).toBe(200);
      expect(logout.setCookies.every(isClearing)).toBe(true);
      expect(JSON.parse((await client.get('/me')).body)).toEqual({ authenticated: false, user: null });
    });

    it("regenerates the session at login and keeps only passport's fields, as on @fastify/session", async () => {
      const store = makeStore();
      const client = await start(await passportApp(store));
      await client.request('POST', '/cart');
      const before = JSON.parse((await client.get('/id')).body) as { id: string; cart: unknown };
      expect(before.cart).toEqual(['book']);
      await client.postForm('/login', { username: 'alice', password: 'secret' });
      const after = JSON.parse((await client.get('/id')).body) as { id: string; cart: unknown };
      expect(after.id).not.toBe(before.id);
      expect(after.cart).toBeNull();
      expect(await store.load(before.id, 60_000)).toBeUndefined();
    });

    it('with clearSessionOnLogin: false, the data survives login and logout, under new ids', async () => {
      const store = makeStore();
      const client = await start(await passportApp(store, { clearSessionOnLogin: false }));
      await client.request('POST', '/cart');
      const before = JSON.parse((await client.get('/id')).body) as { id: string; cart: unknown };
      await client.postForm('/login', { username: 'alice', password: 'secret' });
      const loggedIn = JSON.parse((await client.get('/id')).body) as { id: string; cart: unknown };
      expect(loggedIn).toEqual({ id: expect.any(String), cart: ['book'] });
      expect(loggedIn.id).not.toBe(before.id);
      expect(JSON.parse((await client.get('/me')).body)).toEqual({ authenticated: true, user: { id: 'alice' } });
      await client.request('POST', '/logout');
      const loggedOut = JSON.parse((await client.get('/id')).body) as { id: string; cart: unknown };
      expect(loggedOut.cart).toEqual(['book']);
      expect(loggedOut.id).not.toBe(loggedIn.id);
      expect(JSON.parse((await client.get('/me')).body)).toEqual({ authenticated: false, user: null });
      expect(await store.load(loggedIn.id, 60_000)).toBeUndefined();
    });

    it('a failed login redirects back with its flash message, read once', async () => {
      const client = await start(await passportApp(makeStore()));
      const failed = await client.postForm('/login', { username: 'alice', password: 'wrong' });
      expect(failed.status).toBe(302);
      expect(failed.location).toBe('/login');
      expect(JSON.parse((await client.get('/login')).body)).toEqual({ errors: ['bad login'] });
      expect(JSON.parse((await client.get('/login')).body)).toEqual({ errors: [] });
      expect(JSON.parse((await client.get('/me')).body)).toEqual({ authenticated: false, user: null });
    });

    it('anonymous requests answer 200 and set no cookie', async () => {
      const client = await start(await passportApp(makeStore()));
      for (const path of ['/me', '/home', '/me']) {
        const response = await client.get(path);
        expect(response.status).toBe(200);
        expect(response.setCookies).toEqual([]);
      }
      expect(JSON.parse((await client.get('/home')).body)).toEqual({ errors: [] });
    });

    it('reply.flash() writes `flash: {}`: an anonymous page that reads it starts a session, as elsewhere', async () => {
      const client = await start(await passportApp(makeStore()));
      const response = await client.get('/login');
      expect(JSON.parse(response.body)).toEqual({ errors: [] });
      expect(response.setCookies).toHaveLength(1);
    });

    it('a logout racing a slow request that writes never resurrects the session', async () => {
      const store = makeStore();
      const app = await passportApp(store);
      const slowLoaded = signal();
      const release = signal();
      app.post('/slow', async (request) => {
        try {
          viewOf(request).set('note', 'written late');
          viewOf(request)['theme'] = 'dark';
        } finally {
          slowLoaded.fire();
        }
        await release.promise;
        return 'slow done';
      });
      const client = await start(app);
      await client.postForm('/login', { username: 'alice', password: 'secret' });
      const loggedInCookie = client.cookie('sid');
      const { id } = JSON.parse((await client.get('/id')).body) as { id: string };

      const slow = client.request('POST', '/slow');
      await slowLoaded.promise;
      expect((await client.request('POST', '/logout')).status).toBe(200);
      release.fire();
      const slowResponse = await slow;
      expect(slowResponse.status).toBe(200);
      expect(slowResponse.setCookies.every(isClearing)).toBe(true);

      expect(await store.load(id, 60_000)).toBeUndefined();
      client.setCookie('sid', loggedInCookie);
      expect(JSON.parse((await client.get('/me')).body)).toEqual({ authenticated: false, user: null });
      expect(JSON.parse((await client.get('/id')).body)).toMatchObject({ cart: null });
    });
    it('two logouts racing each other both answer 200 and leave the client anonymous', async () => {
      const app = await passportApp(makeStore());
      const bothLoaded = barrier(2);
      app.post('/logout-together', async (request) => {
        await bothLoaded();
        await request.logout();
        return 'bye';
      });
      const client = await start(app);
      await client.postForm('/login', { username: 'alice', password: 'secret' });
      const responses = await Promise.all([1, 2].map(() => client.request('POST', '/logout-together')));
      expect(responses.map((response) => response.status)).toEqual([200, 200]);
      expect(JSON.parse((await client.get('/me')).body)).toEqual({ authenticated: false, user: null });
    });
  });

  describe('@fastify/flash', () => {
    it('carries a message across a redirect, once', async () => {
      const app = Fastify();
      await app.register(session, { store: makeStore(), secrets: [...testSecrets], compat: 'fastify-session' });
      await app.register(flash);
      app.post('/save', async (request, reply) => {
        request.flash('info', 'saved');
        return reply.redirect('/done', 303);
      });
      app.get('/done', async (_request, reply) => ({ info: reply.flash('info') }));
      const client = await start(app);
      const saved = await client.request('POST', '/save');
      expect(saved.status).toBe(303);
      expect(saved.setCookies).toHaveLength(1);
      expect(JSON.parse((await client.get('/done')).body)).toEqual({ info: ['saved'] });
      expect(JSON.parse((await client.get('/done')).body)).toEqual({ info: [] });
    });
  });

  for (const sessionPlugin of ['@fastify/session', '@fastify/secure-session'] as const) {
    describe(`@fastify/csrf-protection, sessionPlugin '${sessionPlugin}'`, () => {
      async function csrfApp() {
        const app = Fastify();
        await app.register(session, { store: makeStore(), secrets: [...testSecrets], compat: 'fastify-session' });
        await app.register(csrfProtection, { sessionPlugin });
        app.get('/form', async (_request, reply) => ({ token: reply.generateCsrf() }));
        app.get('/public', async () => 'hello');
        app.post('/transfer', { onRequest: app.csrfProtection }, async () => 'moved');
        return listen(app);
      }
      const post = (client: TestClient, token?: string) =>
        client.request('POST', '/transfer', undefined, token === undefined ? {} : { 'x-csrf-token': token });

      it('accepts its token and refuses a forged one and a missing one', async () => {
        const client = new TestClient(await csrfApp());
        const { token } = JSON.parse((await client.get('/form')).body) as { token: string };
        expect((await post(client, token)).status).toBe(200);
        expect((await post(client, token)).body).toBe('moved');

        const forged = await post(client, `${token.slice(0, -4)}AAAA`);
        expect(forged.status).toBe(403);
        expect(JSON.parse(forged.body)).toMatchObject({ code: 'FST_CSRF_INVALID_TOKEN' });
        expect((await post(client, 'forged')).status).toBe(403);
        expect((await post(client)).status).toBe(403);
      });

      it('refuses a token from another session, and a request with no session at all', async () => {
        const url = await csrfApp();
        const client = new TestClient(url);
        const { token: mine } = JSON.parse((await client.get('/form')).body) as { token: string };
        const stranger = new TestClient(url);
        const { token: theirs } = JSON.parse((await stranger.get('/form')).body) as { token: string };
        expect((await post(client, theirs)).status).toBe(403);
        expect((await post(client, mine)).status).toBe(200);

        const anonymous = new TestClient(url);
        const missing = await post(anonymous, mine);
        expect(missing.status).toBe(403);
        expect(JSON.parse(missing.body)).toMatchObject({ code: 'FST_CSRF_MISSING_SECRET' });
        expect(missing.setCookies).toEqual([]);
        expect((await anonymous.get('/public')).setCookies).toEqual([]);
      });
    });
  }

  describe('sessionkit guarantees through the view', () => {
    async function viewApp(store: SessionStore, handlers: (app: FastifyInstance) => void) {
      const app = Fastify();
      await app.register(session, { store, secrets: [...testSecrets], compat: 'fastify-session' });
      app.post('/start', async (request) => {
        viewOf(request).set('started', true);
        return 'ok';
      });
      app.get('/all', async (request) => ({ ...viewOf(request) }));
      handlers(app);
      const client = await start(app);
      await client.request('POST', '/start');
      return client;
    }

    it('20 concurrent requests writing different keys through the view all survive', async () => {
      const arrive = barrier(20);
      const client = await viewApp(makeStore(), (app) => {
        app.post<{ Params: { i: string } }>('/write/:i', async (request) => {
          const view = viewOf(request);
          const i = Number(request.params.i);
          await arrive();
          // Each way a @fastify/session app writes: set(), a property, Object.assign.
          if (i % 3 === 0) view.set(`k${i}`, i);
          else if (i % 3 === 1) view[`k${i}`] = i;
          else Object.assign(view, { [`k${i}`]: i });
          return 'ok';
        });
      });
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request('POST', `/write/${i}`)));
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      const all = JSON.parse((await client.get('/all')).body) as Record<string, unknown>;
      expect(all).toEqual({ started: true, ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])) });
    });

    it('increment is atomic through the view and through sessionOf(view)', async () => {
      const arrive = barrier(20);
      const client = await viewApp(makeStore(), (app) => {
        app.post<{ Params: { i: string } }>('/count/:i', async (request) => {
          const view = viewOf(request);
          await arrive();
          return Number(request.params.i) % 2 === 0 ? view.increment('n') : sessionOf(view).increment('n');
        });
      });
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => client.request('POST', `/count/${i}`)));
      expect(responses.map((response) => Number(response.body)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(JSON.parse((await client.get('/all')).body)).toEqual({ started: true, n: 20 });
    });

    it('an async preHandler guard that sends 401 without returning still stops the route', async () => {
      const app = Fastify();
      await app.register(session, { store: makeStore(), secrets: [...testSecrets], compat: 'fastify-session' });
      const effects: string[] = [];
      app.post('/visit', async (request) => {
        viewOf(request).set('visits', 1);
        return 'ok';
      });
      await app.register(async (child) => {
        child.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
          if (viewOf(request).get('user') === undefined) reply.code(401).send('log in first');
        });
        child.post('/transfer', async () => {
          effects.push('transferred');
          return 'done';
        });
      });
      const client = await start(app);
      expect((await client.request('POST', '/transfer')).status).toBe(401);
      await client.request('POST', '/visit'); // now a stored session without a user
      expect((await client.request('POST', '/transfer')).status).toBe(401);
      await client.request('POST', '/visit');
      expect(effects).toEqual([]);
    });
  });
}

describe('compat: fastify-session on MemoryStore', () => {
  ecosystemSuite(() => new MemoryStore());
});

describe('compat: fastify-session on RedisStore', () => {
  let redis: RedisProcess;
  let client: ReturnType<typeof createRedisClient>;
  let stores = 0;
  beforeAll(async () => {
    redis = await startRedis();
    client = createRedisClient(redis.url);
  });
  afterAll(async () => {
    await client?.quit();
    await redis?.dispose();
  });
  // A prefix per store: tests never see each other's sessions.
  ecosystemSuite(() => new RedisStore({ client, prefix: `eco${(stores += 1)}:` }));
});

describe('the view itself', () => {
  async function app(routes: (app: FastifyInstance) => void) {
    const instance = Fastify();
    await instance.register(session, { secrets: [...testSecrets], compat: 'fastify-session' });
    routes(instance);
    return start(instance);
  }

  it('reads and writes the same data through get/set, properties and Object.keys; data() is a copy', async () => {
    const client = await app((instance) => {
      instance.post('/write', async (request) => {
        const view = viewOf(request);
        view.set('a', 1);
        view['b'] = 2;
        Object.assign(view, { c: 3 });
        view.set('get', 'a data key named like a method');
        view.data()['d'] = 'written to a copy';
        return {
          keys: Object.keys(view),
          a: view['a'],
          b: view.get('b'),
          c: view['c'],
          get: view.get('get'),
          data: view.data(),
        };
      });
      instance.post('/remove', async (request) => {
        const view = viewOf(request);
        view.set('a', undefined);
        delete view['b'];
        return { has: ['a', 'b', 'c'].map((key) => key in view), method: typeof view.get };
      });
    });
    expect(JSON.parse((await client.request('POST', '/write')).body)).toEqual({
      keys: ['a', 'b', 'c'],
      a: 1,
      b: 2,
      c: 3,
      get: 'a data key named like a method',
      data: { a: 1, b: 2, c: 3, get: 'a data key named like a method' },
    });
    expect(JSON.parse((await client.request('POST', '/remove')).body)).toEqual({
      has: [false, false, true],
      method: 'function',
    });
  });

  it('refuses to assign a method name as a property, and says to use set()', async () => {
    const client = await app((instance) => {
      instance.post('/assign', async (request) => {
        (viewOf(request) as unknown as Record<string, unknown>)['cookie'] = 1;
        return 'assigned';
      });
    });
    const response = await client.request('POST', '/assign');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(JSON.parse(response.body).message).toContain("set('cookie'");
  });

  it('regenerate(fields) keeps those fields under a new id; regenerate() starts empty; both resolve', async () => {
    const client = await app((instance) => {
      instance.post('/fill', async (request) => {
        Object.assign(viewOf(request), { keep: 1, drop: 2 });
        return viewOf(request).sessionId;
      });
      instance.post('/keep', async (request) => {
        await viewOf(request).regenerate(['keep', 'absent']);
        return { ...viewOf(request) };
      });
      instance.post('/empty', async (request) => {
        await viewOf(request).regenerate();
        return { ...viewOf(request) };
      });
      instance.get('/id', async (request) => viewOf(request).sessionId);
    });
    const first = (await client.request('POST', '/fill')).body;
    expect(JSON.parse((await client.request('POST', '/keep')).body)).toEqual({ keep: 1 });
    const second = (await client.get('/id')).body;
    expect(second).not.toBe(first);
    const emptied = await client.request('POST', '/empty');
    expect(JSON.parse(emptied.body)).toEqual({});
    expect(emptied.setCookies.every(isClearing)).toBe(true);
  });

  it('after a concurrent logout, regenerate(fields) and regenerate() resolve, keeping nothing old', async () => {
    let gates = { loaded: signal(), loggedOut: signal() };
    const client = await app((instance) => {
      instance.post('/fill', async (request) => {
        viewOf(request).set('keep', 'me');
        viewOf(request).set('drop', 'me');
        return viewOf(request).sessionId;
      });
      instance.post<{ Querystring: { keep?: string } }>('/late', async (request) => {
        gates.loaded.fire();
        await gates.loggedOut.promise;
        const view = viewOf(request);
        await (request.query.keep === undefined ? view.regenerate() : view.regenerate(['keep']));
        view.set('written', 'after the logout');
        return 'regenerated';
      });
      instance.post('/logout', async (request) => {
        await viewOf(request).destroy();
        return 'bye';
      });
      instance.get('/data', async (request) => ({ ...viewOf(request), id: viewOf(request).sessionId }));
    });
    for (const query of ['?keep=1', '']) {
      const oldId = (await client.request('POST', '/fill')).body;
      const oldCookie = client.cookie('sid');
      const late = client.request('POST', `/late${query}`);
      await gates.loaded.promise;
      await client.request('POST', '/logout');
      gates.loggedOut.fire();
      const response = await late;
      expect(response.status).toBe(200);
      const after = JSON.parse((await client.get('/data')).body) as Record<string, unknown>;
      expect(after).toEqual({ written: 'after the logout', id: expect.any(String) });
      expect(after['id']).not.toBe(oldId);
      // The old cookie finds nothing.
      client.setCookie('sid', oldCookie);
      expect(JSON.parse((await client.get('/data')).body)).not.toHaveProperty('keep');
      gates = { loaded: signal(), loggedOut: signal() };
    }
  });

  it('destroy() and delete() log out; callbacks are called as on @fastify/session', async () => {
    const client = await app((instance) => {
      instance.post('/fill', async (request) => {
        viewOf(request).set('user', 'alice');
        return 'ok';
      });
      instance.post('/destroy', async (request) => {
        await viewOf(request).destroy();
        return { deleted: viewOf(request).deleted };
      });
      instance.post('/destroy-callback', (request, reply) => {
        viewOf(request).destroy((error?: unknown) => void reply.send({ error: error ?? null }));
      });
      instance.post('/delete', async (request) => {
        viewOf(request).delete();
        return 'deleted';
      });
      instance.get('/user', async (request) => ({ user: viewOf(request).get('user') ?? null }));
    });
    for (const path of ['/destroy', '/destroy-callback', '/delete']) {
      await client.request('POST', '/fill');
      expect(JSON.parse((await client.get('/user')).body)).toEqual({ user: 'alice' });
      const response = await client.request('POST', path);
      expect(response.status).toBe(200);
      expect(response.setCookies.every(isClearing)).toBe(true);
      expect(JSON.parse((await client.get('/user')).body)).toEqual({ user: null });
    }
  });

  it('cookie.maxAge and options({ maxAge }) make the cookie persistent; null, a browser-session cookie', async () => {
    const client = await app((instance) => {
      instance.post('/remember', async (request) => {
        viewOf(request).set('user', 'alice');
        viewOf(request).cookie.maxAge = 7 * 24 * 3600_000;
        return { maxAge: viewOf(request).cookie.maxAge, expires: viewOf(request).cookie.expires !== null };
      });
      instance.post('/options', async (request) => {
        viewOf(request).options({ maxAge: 3600_000 });
        return 'ok';
      });
      instance.post('/forget', async (request) => {
        viewOf(request).cookie.maxAge = null;
        return { maxAge: viewOf(request).cookie.maxAge };
      });
    });
    const remembered = await client.request('POST', '/remember');
    // The server's idle timeout (30 minutes by default) decides the lifetime, not the number given.
    expect(JSON.parse(remembered.body)).toEqual({ maxAge: 1_800_000, expires: true });
    expect(remembered.setCookies[0]).toMatch(/Max-Age=1800/);
    const forgotten = await client.request('POST', '/forget');
    expect(JSON.parse(forgotten.body)).toEqual({ maxAge: null });
    expect(forgotten.setCookies[0]).not.toMatch(/Max-Age/i);
    expect((await client.request('POST', '/options')).setCookies[0]).toMatch(/Max-Age=1800/);
  });

  it('save() commits at once and reload() re-reads the store', async () => {
    const client = await app((instance) => {
      instance.post('/save', async (request, reply) => {
        viewOf(request).set('saved', 'yes');
        await viewOf(request).save();
        // Committed: the cookie is on the reply before the handler returns.
        return { cookie: String(reply.getHeader('set-cookie')).startsWith('sid=') };
      });
      instance.post('/reload', async (request) => {
        viewOf(request).set('saved', 'changed, then dropped');
        await viewOf(request).reload();
        return { saved: viewOf(request).get('saved') };
      });
    });
    expect(JSON.parse((await client.request('POST', '/save')).body)).toEqual({ cookie: true });
    expect(JSON.parse((await client.request('POST', '/reload')).body)).toEqual({ saved: 'yes' });
  });

  it('without compat, request.session is the sessionkit Session, as before', async () => {
    const instance = Fastify();
    await instance.register(session, { store: new MemoryStore(), secrets: [...testSecrets] });
    instance.get('/', async (request) => ({
      get: typeof (request.session as unknown as Record<string, unknown>)['get'],
      data: typeof request.session.data,
    }));
    const client = await start(instance);
    expect(JSON.parse((await client.get('/')).body)).toEqual({ get: 'undefined', data: 'object' });
  });
});

describe('types', () => {
  it('the view fits the session types @fastify/passport, @fastify/secure-session and @fastify/session declare', () => {
    expectTypeOf<FastifySessionView>().toExtend<PassportSession>();
    // Everything @fastify/secure-session declares but `changed` (see the migration guide).
    expectTypeOf<FastifySessionView>().toExtend<Omit<SecureSession<DefaultSessionData>, 'changed'>>();
    // @fastify/session's members the view has. Its get/set take `keyof Fastify.Session`, which
    // @fastify/passport's index-signature augmentation widens to string | number; the view's take strings.
    type Provided = 'regenerate' | 'destroy' | 'reload' | 'save' | 'touch' | 'options' | 'sessionId';
    expectTypeOf<FastifySessionView>().toExtend<Pick<FastifySessionObject, Provided>>();
    expectTypeOf<FastifySessionView['get']>().toExtend<(key: string) => unknown>();
    expectTypeOf<FastifySessionView['set']>().toExtend<(key: string, value: unknown) => void>();
  });

  it('request.session is the view once SessionPluginTypes says so, else the sessionkit Session', () => {
    type Compat = { compat: 'fastify-session' };
    expectTypeOf<RequestSession<Compat>>().toEqualTypeOf<FastifySessionView<DefaultSessionData>>();
    expectTypeOf<RequestSession<object>>().toEqualTypeOf<Session<DefaultSessionData>>();
    expectTypeOf<RequestSession>().toEqualTypeOf<Session<DefaultSessionData>>();
  });

  it('data keys named like a member are not typed as properties', () => {
    type Data = { visits: number; cookie: string };
    expectTypeOf<FastifySessionView<Data>['visits']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<FastifySessionView<Data>['cookie']>().not.toEqualTypeOf<string | undefined>();
    expectTypeOf<FastifySessionView<Data>['get']>().parameter(0).toEqualTypeOf<'visits' | 'cookie'>();
  });
});
