// Koa-only hazards: Koa's error path drops every header, and decides from err.status/err.expose
// what the client sees. The shared behaviour is in contract.test.ts.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DefaultSessionData, MemoryStore, type Session, type SessionStore } from '@sessionkit/core';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import Koa, { type Middleware } from 'koa';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { session } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: Middleware, store: SessionStore = new MemoryStore()) {
  const app = new Koa();
  const errors: unknown[] = [];
  app.on('error', (error: unknown) => errors.push(error));
  app.use(session({ store, secrets: [...testSecrets] }));
  app.use(handler);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return { client: new TestClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), errors };
}

describe('@sessionkit/koa', () => {
  it("types ctx.session through Koa's DefaultContext", async () => {
    const { client } = await serve(async (ctx) => {
      expectTypeOf(ctx.session).toEqualTypeOf<Session<DefaultSessionData>>();
      ctx.body = { isNew: ctx.session.isNew };
    });
    expect(JSON.parse((await client.get('/')).body)).toEqual({ isNew: true });
  });

  it('logs out on ctx.session = null (the koa-session idiom): destroyed in the store, cookie cleared, replay finds nothing', async () => {
    const { client } = await serve(async (ctx) => {
      if (ctx.path === '/login') ctx.session.data['user'] = 'alice';
      if (ctx.path === '/logout') (ctx as { session: unknown }).session = null;
      ctx.body = String(ctx.session?.data['user'] ?? 'nobody');
    });
    await client.get('/login');
    const old = client.cookie('sid');
    expect((await client.get('/me')).body).toBe('alice');
    const logout = await client.get('/logout');
    expect(logout.setCookies[0]).toMatch(/^sid=;/);
    expect((await client.get('/me')).body).toBe('nobody');
    client.setCookie('sid', old);
    expect((await client.get('/me')).body).toBe('nobody');
  });

  it('a guard that sets the body without awaiting next() stops the chain; the session it wrote is saved', async () => {
    const effects: string[] = [];
    const app = new Koa();
    app.use(session({ store: new MemoryStore(), secrets: [...testSecrets] }));
    app.use(async (ctx, next) => {
      if (ctx.path === '/where') {
        ctx.body = String(ctx.session.data['returnTo']);
        return;
      }
      if (ctx.session.data['user'] === undefined) {
        ctx.session.data['returnTo'] = ctx.path;
        ctx.status = 401;
        ctx.body = 'log in first';
        return;
      }
      await next();
    });
    app.use(async (ctx) => {
      effects.push('transferred');
      ctx.body = 'done';
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    servers.push(server);
    const client = new TestClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    expect((await client.request('POST', '/transfer')).status).toBe(401);
    expect((await client.get('/where')).body).toBe('/transfer');
    expect(effects).toEqual([]);
  });

  it("keeps the error's own headers and status beside the session cookie on ctx.throw", async () => {
    const { client } = await serve(async (ctx) => {
      ctx.session.data['attempts'] = 1;
      ctx.throw(401, 'Who are you?', {
        headers: { 'WWW-Authenticate': 'Basic realm="demo"', 'set-cookie': 'flash=denied; Path=/' },
      });
    });
    const response = await client.get('/');
    expect(response.status).toBe(401);
    expect(response.body).toBe('Who are you?');
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="demo"');
    expect(response.setCookies.map((line) => line.slice(0, line.indexOf('=')))).toEqual(['flash', 'sid']);
    expect(response.headers.get('vary')).toBe('Cookie');
  });

  it('answers a 4xx SessionError with its status and message (Koa exposes 4xx)', async () => {
    const { client } = await serve(async (ctx) => {
      if (ctx.path === '/set') {
        ctx.session.data['name'] = 'alice';
        ctx.body = 'ok';
      } else {
        ctx.body = await ctx.session.increment('name');
      }
    });
    await client.get('/set');
    const response = await client.get('/increment');
    expect(response.status).toBe(400);
    expect(response.body).toMatch(/not an integer/);
  });

  it('hides the cause of a 503 from the client', async () => {
    const store = new MemoryStore();
    store.create = () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.7:6379'));
    const { client, errors } = await serve(async (ctx) => {
      ctx.session.data['name'] = 'alice';
      ctx.body = 'ok';
    }, store);
    const response = await client.get('/');
    expect(response.status).toBe(503);
    expect(response.body).toBe('Service Unavailable');
    expect(response.setCookies).toEqual([]);
    expect(errors).toHaveLength(1);
  });

  it("answers with the handler's error when the commit beside it fails too, and reports both", async () => {
    const store = new MemoryStore();
    const { client, errors } = await serve(async (ctx) => {
      if (ctx.path === '/set') {
        ctx.session.data['step'] = 1;
        ctx.body = 'ok';
        return;
      }
      ctx.session.data['step'] = 2;
      store.patch = () => Promise.reject(new Error('store down'));
      ctx.throw(409, 'Conflict here');
    }, store);
    await client.get('/set');
    const response = await client.get('/fail');
    expect(response.status).toBe(409);
    expect(response.body).toBe('Conflict here');
    expect(errors.map((error) => (error as { status?: number }).status).sort()).toEqual([409, 503]);
  });
});
