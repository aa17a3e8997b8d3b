import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { isSessionError, MemoryStore, type SessionStore } from '@sessionkit/core';
import { TestClient, testSecrets } from '@sessionkit/core/testing';
import { recordingStore } from '@sessionkit/test-support';
import express, { type ErrorRequestHandler, type Express } from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { session } from '../src/index.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const errors: unknown[] = [];
const onError: ErrorRequestHandler = (error, _req, res, _next) => {
  errors.push(error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res
    .status(isSessionError(error) ? error.status : 500)
    .type('text/plain')
    .send(`error: ${(error as { code?: string }).code ?? 'unknown'}`);
};

type Factory = () => Express;

async function serve(factory: Factory, mount: (app: Express) => void, store: SessionStore = new MemoryStore()) {
  const app = factory();
  app.use(session({ store, secrets: [...testSecrets] }));
  mount(app);
  app.use(onError);
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  return new TestClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

/** Which of the response methods the session's hold wraps are own properties of `res` (wrapped) right now. */
const wrapped = (res: object) => ['writeHead', 'write', 'end'].filter((name) => Object.hasOwn(res, name));

const login = (app: Express) =>
  app.get('/login', async (req, res) => {
    await req.session.regenerate();
    req.session.data['user'] = 'alice';
    res.redirect('/me');
  });
const me = (app: Express) => app.get('/me', (req, res) => res.send(String(req.session.data['user'] ?? 'nobody')));

describe.each([
  ['express 5', express as unknown as Factory],
  ['express 4', express4 as unknown as Factory],
])('%s', (_name, factory) => {
  it('logs out on req.session = null (the cookie-session idiom): destroyed in the store, cookie cleared, replay finds nothing', async () => {
    const client = await serve(factory, (app) => {
      login(app);
      me(app);
      app.get('/logout', (req, res) => {
        (req as { session: unknown }).session = null;
        res.send('bye');
      });
    });
    await client.get('/login');
    const old = client.cookie('sid');
    const logout = await client.get('/logout');
    expect(logout.setCookies[0]).toMatch(/^sid=;/);
    expect((await client.get('/me')).body).toBe('nobody');
    client.setCookie('sid', old);
    expect((await client.get('/me')).body).toBe('nobody');
  });

  it('without the compat option, req.session is the sessionkit Session: no express-session view, no req.sessionID', async () => {
    const client = await serve(factory, (app) => {
      login(app);
      app.get('/shape', (req, res) => {
        res.json({
          sessionID: 'sessionID' in req,
          keys: Object.keys(req.session),
          user: Object.hasOwn(req.session, 'user'),
          save: 'save' in req.session,
          increment: typeof req.session.increment,
          data: req.session.data,
        });
      });
    });
    await client.get('/login');
    expect(JSON.parse((await client.get('/shape')).body)).toEqual({
      sessionID: false,
      keys: [],
      user: false,
      save: false,
      increment: 'function',
      data: { user: 'alice' },
    });
  });

  it('an auth middleware that answers and does not call next() stops the chain; the session it wrote is saved', async () => {
    const effects: string[] = [];
    const client = await serve(factory, (app) => {
      me(app);
      app.use('/admin', (req, res, next) => {
        if (req.session.data['user'] === undefined) {
          req.session.data['returnTo'] = '/admin';
          res.status(401).send('log in first');
          return;
        }
        next();
      });
      app.post('/admin/transfer', (_req, res) => {
        effects.push('transferred');
        res.send('done');
      });
      app.get('/where', (req, res) => res.send(String(req.session.data['returnTo'])));
    });
    expect((await client.request('POST', '/admin/transfer')).status).toBe(401);
    expect((await client.get('/where')).body).toBe('/admin');
    expect(effects).toEqual([]);
  });

  it('has the session saved before the redirect reaches the client', async () => {
    const client = await serve(factory, (app) => {
      login(app);
      me(app);
    });
    const response = await client.get('/login');
    expect(response.status).toBe(302);
    expect(response.setCookies).toHaveLength(1);
    expect((await client.get('/me')).body).toBe('alice');
  });

  it('keeps every header of writeHead with an array, and adds the session cookie beside the app cookie', async () => {
    const client = await serve(factory, (app) =>
      app.get('/raw', (req, res) => {
        req.session.data['user'] = 'raw';
        res.setHeader('X-Before', 'kept');
        res.writeHead(201, ['Content-Type', 'text/plain', 'X-One', '1', 'Set-Cookie', 'app=1; Path=/', 'X-Two', '2']);
        res.end('raw body');
      }),
    );
    const response = await client.get('/raw');
    expect(response.status).toBe(201);
    expect(response.body).toBe('raw body');
    expect(response.headers.get('x-one')).toBe('1');
    expect(response.headers.get('x-two')).toBe('2');
    expect(response.headers.get('x-before')).toBe('kept');
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.setCookies).toHaveLength(2);
    expect(response.setCookies[0]).toBe('app=1; Path=/');
    expect(response.setCookies[1]).toMatch(/^sid=Fe26/);
  });

  it('keeps writeHead with a status message and an object of headers', async () => {
    const client = await serve(factory, (app) =>
      app.get('/obj', (req, res) => {
        req.session.data['user'] = 'obj';
        res.writeHead(202, 'Fine', { 'X-Obj': 'yes' }).end();
      }),
    );
    const response = await client.get('/obj');
    expect(response.status).toBe(202);
    expect(response.headers.get('x-obj')).toBe('yes');
    expect(response.setCookies[0]).toMatch(/^sid=Fe26/);
  });

  it('sets the cookie on streamed responses (res.write, then end, and a piped stream)', async () => {
    const client = await serve(factory, (app) => {
      app.get('/chunks', (req, res) => {
        req.session.data['user'] = 'streamer';
        res.write('one,');
        res.write('two,');
        res.end('three');
      });
      app.get('/pipe', (req, res) => {
        req.session.data['user'] = 'piper';
        Readable.from(['a', 'b', 'c']).pipe(res);
      });
      me(app);
    });
    const chunks = await client.get('/chunks');
    expect(chunks.body).toBe('one,two,three');
    expect(chunks.setCookies[0]).toMatch(/^sid=Fe26/);
    expect((await client.get('/me')).body).toBe('streamer');
    const piped = await client.get('/pipe');
    expect(piped.body).toBe('abc');
    expect((await client.get('/me')).body).toBe('piper');
  });

  it('saves a change made after streaming began for an existing session', async () => {
    const client = await serve(factory, (app) => {
      login(app);
      me(app);
      app.get('/late', (req, res) => {
        res.write('streaming...');
        req.session.data['user'] = 'late-change';
        res.end();
      });
    });
    await client.get('/login');
    expect((await client.get('/late')).status).toBe(200);
    expect((await client.get('/me')).body).toBe('late-change');
  });

  it('holds flushHeaders like writeHead once the session is in use, so the cookie still goes out', async () => {
    const client = await serve(factory, (app) => {
      app.get('/flush', (req, res) => {
        const { data } = req.session;
        res.flushHeaders();
        data['user'] = 'flushed';
        res.end('done');
      });
      me(app);
    });
    const response = await client.get('/flush');
    expect(response.setCookies[0]).toMatch(/^sid=Fe26/);
    expect((await client.get('/me')).body).toBe('flushed');
  });

  it('leaves a cookieless request that never touches req.session alone: no store call, no cookie, no hold', async () => {
    const { store, calls } = recordingStore(new MemoryStore());
    const client = await serve(
      factory,
      (app) => {
        app.get('/asset', (_req, res) => void res.json({ wrapped: wrapped(res) }));
        app.get('/touch', (req, res) => {
          // Two reads of the lazy accessor must give the very same session.
          // biome-ignore lint/suspicious/noSelfCompare: each side is a separate getter call
          const same = req.session === req.session;
          res.json({ isNew: req.session.isNew, same, wrapped: wrapped(res) });
        });
      },
      store,
    );
    const untouched = await client.get('/asset');
    expect(untouched.status).toBe(200);
    expect(JSON.parse(untouched.body)).toEqual({ wrapped: [] });
    expect(untouched.setCookies).toEqual([]);
    expect(untouched.headers.get('vary')).toBeNull();
    // The same check sees the hold once the session is touched, so the empty list above means something.
    const touched = await client.get('/touch');
    expect(JSON.parse(touched.body)).toEqual({ isNew: true, same: true, wrapped: ['writeHead', 'write', 'end'] });
    expect(touched.setCookies).toEqual([]);
    expect(calls).toEqual([]);
  });

  it("creates a cookieless request's session on first access: its cookie goes out and its data is saved", async () => {
    const { store, calls } = recordingStore(new MemoryStore());
    const client = await serve(
      factory,
      (app) => {
        app.get('/later', (req, _res, next) => {
          setImmediate(() => {
            req.session.data['user'] = 'lazy';
            next();
          });
        });
        app.get('/later', (_req, res) => void res.send('ok'));
        me(app);
      },
      store,
    );
    const response = await client.get('/later');
    expect(response.body).toBe('ok');
    expect(response.setCookies).toHaveLength(1);
    expect(response.setCookies[0]).toMatch(/^sid=Fe26/);
    expect(calls).toEqual(['create']);
    expect((await client.get('/me')).body).toBe('lazy');
  });

  it('lets the app assign req.session before touching it, and then holds nothing', async () => {
    const client = await serve(factory, (app) =>
      app.get('/assign', (req, res) => {
        req.session = { data: { user: 'assigned' } } as unknown as typeof req.session;
        res.json({ user: req.session.data['user'], wrapped: wrapped(res) });
      }),
    );
    const response = await client.get('/assign');
    expect(JSON.parse(response.body)).toEqual({ user: 'assigned', wrapped: [] });
    expect(response.setCookies).toEqual([]);
  });

  it('raises HEADERS_SENT for a cookieless request that sends its head before first setting session data', async () => {
    errors.length = 0;
    const client = await serve(factory, (app) => {
      app.get('/head-first', (req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        req.session.data['user'] = 'lost';
        res.end('done');
      });
      app.get('/head-then-read', (req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(String(req.session.data['user'] ?? 'nobody'));
      });
    });
    await expect(client.get('/head-first').then((r) => r.body)).rejects.toThrow();
    expect(errors.some((error) => isSessionError(error, 'HEADERS_SENT'))).toBe(true);
    errors.length = 0;
    // Reading the session after the head left is fine: an empty new session needs no cookie.
    const read = await client.get('/head-then-read');
    expect(read.body).toBe('nobody');
    expect(read.setCookies).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('raises HEADERS_SENT instead of losing a new session created after the body started', async () => {
    errors.length = 0;
    const client = await serve(factory, (app) =>
      app.get('/too-late', (req, res) => {
        res.write('first chunk, headers gone;');
        setImmediate(() => {
          req.session.data['user'] = 'lost';
          res.end('done');
        });
      }),
    );
    await expect(client.get('/too-late').then((r) => r.body)).rejects.toThrow();
    expect(errors.some((error) => isSessionError(error, 'HEADERS_SENT'))).toBe(true);
  });

  it('routes a store failure to next(err) with status 503 and no Set-Cookie', async () => {
    const failing = new MemoryStore();
    failing.create = () => Promise.reject(new Error("READONLY You can't write against a read only replica."));
    const client = await serve(factory, (app) => login(app), failing);
    const response = await client.get('/login');
    expect(response.status).toBe(503);
    expect(response.body).toBe('error: STORE_UNAVAILABLE');
    expect(response.setCookies).toEqual([]);
  });

  it('commits the session write of a handler that throws afterwards', async () => {
    const client = await serve(factory, (app) => {
      app.get('/boom', (req) => {
        req.session.data['user'] = 'before-error';
        throw new Error('handler failed');
      });
      me(app);
    });
    const response = await client.get('/boom');
    expect(response.status).toBe(500);
    expect(response.setCookies[0]).toMatch(/^sid=Fe26/);
    expect((await client.get('/me')).body).toBe('before-error');
  });
});
