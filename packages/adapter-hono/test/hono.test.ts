// Hono-only behaviour, through app.request() (no server, Node's own Response): typing, Hono's error
// handling, early replies, immutable responses and streamed bodies. The shared behaviour is in
// contract.test.ts.
import {
  type DefaultSessionData,
  isSessionError,
  MemoryStore,
  type Session,
  SessionStoreUnavailableError,
} from '@sessionkit/core';
import { testSecrets } from '@sessionkit/core/testing';
import { Hono } from 'hono';
import { streamText } from 'hono/streaming';
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { session } from '../src/index.js';

/** A memory store that can be switched off. */
class FlakyStore extends MemoryStore {
  down = false;
  override async load(...args: Parameters<MemoryStore['load']>): ReturnType<MemoryStore['load']> {
    if (this.down) throw new Error('store down');
    return super.load(...args);
  }
  override async create(...args: Parameters<MemoryStore['create']>): ReturnType<MemoryStore['create']> {
    if (this.down) throw new Error('store down');
    return super.create(...args);
  }
  override async increment(...args: Parameters<MemoryStore['increment']>): ReturnType<MemoryStore['increment']> {
    if (this.down) throw new Error('store down');
    return super.increment(...args);
  }
}

function createApp(store = new FlakyStore()) {
  const app = new Hono();
  app.use(session({ store, secrets: [...testSecrets], storeTimeoutMs: 500 }));
  return { app, store };
}

/** A cookie-keeping client over app.request(). */
function browser(app: Hono) {
  let cookie: string | undefined;
  return {
    async request(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      if (cookie !== undefined) headers.set('cookie', cookie);
      const response = await app.request(path, { ...init, headers });
      const line = response.headers.getSetCookie().find((set) => set.startsWith('sid='));
      if (line !== undefined) cookie = line.split(';')[0];
      return response;
    },
    get cookie() {
      return cookie;
    },
  };
}

const note = (s: Session<DefaultSessionData>): Record<string, unknown> => s.data as Record<string, unknown>;

describe('@sessionkit/hono', () => {
  it("types the session through Hono's ContextVariableMap: c.get('session') and c.var.session", async () => {
    const { app } = createApp();
    app.get('/', (c) => {
      expectTypeOf(c.get('session')).toEqualTypeOf<Session<DefaultSessionData>>();
      expectTypeOf(c.var.session).toEqualTypeOf<Session<DefaultSessionData>>();
      return c.json({ isNew: c.get('session').isNew, same: c.var.session === c.get('session') });
    });
    expect(await (await app.request('/')).json()).toEqual({ isNew: true, same: true });
  });

  it('answers a store failure 503 with no Set-Cookie under Hono’s default error handler, the message kept on the server', async () => {
    const { app, store } = createApp();
    app.post('/write', (c) => {
      note(c.get('session'))['note'] = 'x';
      return c.text('ok');
    });
    const client = browser(app);
    expect((await client.request('/write', { method: 'POST' })).status).toBe(200);
    store.down = true;
    const load = await client.request('/write', { method: 'POST' });
    expect(load.status).toBe(503);
    expect(await load.text()).toBe('Service Unavailable');
    expect(load.headers.getSetCookie()).toEqual([]);
    const create = await app.request('/write', { method: 'POST' });
    expect(create.status).toBe(503);
    expect(create.headers.getSetCookie()).toEqual([]);
  });

  it('gives app.onError the SessionStoreUnavailableError itself, once per request, also when the handler met it first', async () => {
    const { app, store } = createApp();
    const seen: unknown[] = [];
    app.onError((error, c) => {
      seen.push(error);
      if (isSessionError(error, 'STORE_UNAVAILABLE')) return c.text('Try again', 503, { 'retry-after': '1' });
      return c.text('Oops', 500);
    });
    app.post('/visit', async (c) => c.text(String(await c.get('session').increment('visits'))));
    const client = browser(app);
    expect(await (await client.request('/visit', { method: 'POST' })).text()).toBe('1');
    store.down = true;
    const down = await client.request('/visit', { method: 'POST' });
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('1');
    expect(down.headers.getSetCookie()).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(SessionStoreUnavailableError);
  });

  it('sends the cookie of a session the handler committed itself even when the store then fails', async () => {
    const { app, store } = createApp();
    app.post('/', async (c) => {
      note(c.get('session'))['note'] = 'created';
      await c.get('session').commit();
      store.down = true;
      return c.text(String(await c.get('session').increment('visits')));
    });
    app.get('/read', (c) => c.json(c.get('session').data));
    const response = await app.request('/', { method: 'POST' });
    expect(response.status).toBe(503);
    expect(response.headers.getSetCookie()).toHaveLength(1);
    store.down = false;
    const cookie = (response.headers.getSetCookie()[0] as string).split(';')[0] as string;
    expect(await (await app.request('/read', { headers: { cookie } })).json()).toEqual({ note: 'created' });
  });

  it('commits onto the error response when the handler throws: the cookie rides on the 500 and the write is saved', async () => {
    const { app } = createApp();
    app.post('/throw', (c) => {
      note(c.get('session'))['note'] = 'before the throw';
      throw new Error('handler failed');
    });
    app.get('/read', (c) => c.json(c.get('session').data));
    const client = browser(app);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined); // Hono's default handler logs it
    const failed = await client.request('/throw', { method: 'POST' });
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ message: 'handler failed' }));
    logged.mockRestore();
    expect(failed.status).toBe(500);
    expect(failed.headers.getSetCookie()).toHaveLength(1);
    expect(failed.headers.get('vary')).toBe('Cookie');
    expect(await (await client.request('/read')).json()).toEqual({ note: 'before the throw' });
  });

  it('commits what a guard wrote when it answers without calling next(), and the route never runs', async () => {
    const { app } = createApp();
    const ran: string[] = [];
    app.use('/admin/*', async (c, next) => {
      if (c.get('session').data['username'] === undefined) {
        note(c.get('session'))['returnTo'] = c.req.path;
        return c.redirect('/login', 303);
      }
      await next();
    });
    app.get('/admin/panel', (c) => {
      ran.push('panel');
      return c.text('panel');
    });
    app.get('/where', (c) => c.text(String(note(c.get('session'))['returnTo'])));
    const client = browser(app);
    const guarded = await client.request('/admin/panel');
    expect(guarded.status).toBe(303);
    expect(guarded.headers.get('location')).toBe('/login');
    expect(guarded.headers.getSetCookie()).toHaveLength(1);
    expect(ran).toEqual([]);
    expect(await (await client.request('/where')).text()).toBe('/admin/panel');
  });

  it('re-creates a returned response whose headers are immutable (Response.redirect) to put the cookie on it', async () => {
    const { app } = createApp();
    app.post('/login', async (c) => {
      await c.get('session').regenerate();
      c.get('session').data['username'] = 'alice';
      return Response.redirect('http://localhost/', 303);
    });
    app.get('/', (c) => c.text(String(c.get('session').data['username'] ?? 'nobody')));
    const client = browser(app);
    const login = await client.request('/login', { method: 'POST' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('http://localhost/');
    expect(login.headers.getSetCookie()).toHaveLength(1);
    expect(await (await client.request('/')).text()).toBe('alice');
  });

  it("keeps the app's Vary, Cache-Control and cookies beside the session's", async () => {
    const { app } = createApp();
    app.post('/', (c) => {
      note(c.get('session'))['note'] = 'x';
      c.header('Vary', 'Accept-Encoding');
      c.header('Cache-Control', 'private, max-age=0');
      c.header('Set-Cookie', 'app=kept; Path=/', { append: true });
      return c.text('ok');
    });
    const response = await app.request('/', { method: 'POST' });
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie');
    expect(response.headers.get('cache-control')).toBe('private, max-age=0');
    expect(response.headers.getSetCookie().map((line) => line.split('=')[0])).toEqual(['app', 'sid']);
  });

  it('streams: what the session holds when the stream is returned is committed with the headers; inside the callback only a stored session can still change', async () => {
    const { app } = createApp();
    app.post('/stream', (c) => {
      const s = c.get('session');
      if (c.req.query('before') !== undefined) note(s)['before'] = 'saved with the headers';
      return streamText(c, async (stream) => {
        await stream.write('start;'); // resolves once the client reads: the headers, and the commit, are done
        note(s)['inside'] = 'written in the stream';
        try {
          await s.commit();
          await stream.write('committed');
        } catch (error) {
          await stream.write(isSessionError(error) ? error.code : 'other');
        }
      });
    });
    app.get('/read', (c) => c.json(c.get('session').data));

    // A new session with nothing in it when the stream is returned: no cookie went out, so a write in the callback cannot be kept.
    const late = browser(app);
    const lost = await late.request('/stream', { method: 'POST' });
    expect(lost.headers.getSetCookie()).toEqual([]);
    expect(await lost.text()).toBe('start;HEADERS_SENT');
    expect(late.cookie).toBeUndefined();

    const client = browser(app);
    const fresh = await client.request('/stream?before', { method: 'POST' });
    expect(fresh.headers.getSetCookie()).toHaveLength(1);
    expect(await fresh.text()).toBe('start;committed');
    expect(await (await client.request('/read')).json()).toEqual({
      before: 'saved with the headers',
      inside: 'written in the stream',
    });
  });

  it('uses the secure option to decide Secure behind a proxy, and the URL otherwise', async () => {
    const app = new Hono();
    app.use(session({ secrets: [...testSecrets] }, { secure: (c) => c.req.header('x-forwarded-proto') === 'https' }));
    app.post('/', (c) => {
      note(c.get('session'))['note'] = 'x';
      return c.text('ok');
    });
    const proxied = await app.request('/', { method: 'POST', headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.headers.getSetCookie()[0]).toMatch(/; Secure/);
    const plain = await app.request('/', { method: 'POST' });
    expect(plain.headers.getSetCookie()[0]).not.toMatch(/; Secure/);
    const direct = createApp().app;
    direct.post('/', (c) => {
      note(c.get('session'))['note'] = 'x';
      return c.text('ok');
    });
    expect((await direct.request('https://example.test/', { method: 'POST' })).headers.getSetCookie()[0]).toMatch(
      /; Secure/,
    );
  });

  it('makes no store call and sends no session header for a request that never touches the session', async () => {
    const store = new FlakyStore();
    store.down = true; // any call would fail
    const { app } = createApp(store);
    app.get('/health', (c) => c.text('ok'));
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get('vary')).toBeNull();
  });
});
