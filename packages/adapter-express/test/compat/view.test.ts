/**
 * The express-session view itself, seen from route handlers over real HTTP: data keys as own
 * properties, the names it reserves, `regenerate` replacing `req.session`, the cookie object,
 * callbacks and promises, and the sessionkit errors they carry.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isSessionError, MemoryStore, type SessionStore } from '@sessionkit/core';
import { sessionOf } from '@sessionkit/core/compat';
import { testSecrets } from '@sessionkit/core/testing';
import express, { type Express, type Response } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { session } from '../../src/index.js';
import { answerErrors, listen, storeKinds } from './support.js';

const RESERVED = ['id', 'cookie', 'regenerate', 'destroy', 'reload', 'resetMaxAge', 'save', 'touch'];

/** Answers a callback's error with its sessionkit code and status, or runs `then`. */
const orAnswer = (res: Response, then: () => void) => (error?: unknown) => {
  if (error === undefined || error === null) return then();
  res.status(isSessionError(error) ? error.status : 500).send(isSessionError(error) ? error.code : String(error));
};

/** Lets a test hold a request after it loaded its session, until the test opens the gate. */
function gate(): { wait: () => Promise<void>; reached: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  let reach = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (reach = resolve));
  return {
    wait: () => {
      reach();
      return opened;
    },
    reached,
    open: () => open(),
  };
}

let held = gate();

/** What save(cb) called back with, in order. */
const callbackErrors: unknown[] = [];

function buildApp(store: SessionStore, idleTimeoutMs = 30 * 60_000): Express {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ store, secrets: [...testSecrets], idleTimeoutMs }, { compat: 'express-session' }));
  app.post('/set', (req, res) => {
    req.session.cart = ['apple'];
    req.session.messages = ['hello'];
    res.status(204).end();
  });
  app.get('/dump', (req, res) => void res.json({ ...req.session }));
  app.get('/shape', (req, res) => {
    const forIn: string[] = [];
    for (const key in req.session) forIn.push(key);
    res.json({
      keys: Object.keys(req.session),
      forIn,
      json: JSON.parse(JSON.stringify(req.session)) as unknown,
      cartIn: 'cart' in req.session,
      saveIn: 'save' in req.session,
      ownSave: Object.hasOwn(req.session, 'save'),
      typeofSave: typeof req.session.save,
      idIsSessionID: req.session.id === req.sessionID,
      sessionOfData: sessionOf(req.session).data,
    });
  });
  app.post('/delete', (req, res) => {
    delete req.session.cart;
    res.status(204).end();
  });
  app.post('/reserved/:name', (req, res) => {
    try {
      Reflect.set(req.session, String(req.params.name), 'data');
      res.send('accepted');
    } catch (error) {
      res.send(isSessionError(error) ? `${error.code} ${error.status}` : String(error));
    }
  });
  app.post('/delete-reserved/:name', (req, res) => {
    try {
      Reflect.deleteProperty(req.session, String(req.params.name));
      res.send('accepted');
    } catch (error) {
      res.send(isSessionError(error) ? `${error.code} ${error.status}` : String(error));
    }
  });
  app.post('/regenerate', (req, res) => {
    const previous = req.session;
    const previousId = req.sessionID;
    req.session.regenerate(
      orAnswer(res, () => {
        res.json({
          replaced: previous !== req.session,
          previousKeys: Object.keys(previous),
          previousCart: previous.cart ?? null,
          previousId: previous.id === previousId,
          keys: Object.keys(req.session),
          newId: req.session.id !== previousId && req.session.id === req.sessionID,
        });
      }),
    );
  });
  app.get('/cookie', (req, res) => {
    const { cookie } = req.session;
    res.json({
      maxAge: cookie.maxAge,
      expires: cookie.expires === null ? null : cookie.expires.getTime() - Date.now(),
      originalMaxAge: cookie.originalMaxAge,
      httpOnly: cookie.httpOnly,
      secure: cookie.secure,
      path: cookie.path,
      sameSite: cookie.sameSite,
      domain: cookie.domain ?? null,
    });
  });
  app.post('/remember', (req, res) => {
    req.session.cart = ['remembered'];
    req.session.cookie.maxAge = 30 * 24 * 60 * 60_000;
    res.status(204).end();
  });
  app.post('/remember-until', (req, res) => {
    req.session.cookie.expires = new Date(Date.now() + 7 * 24 * 60 * 60_000);
    res.status(204).end();
  });
  app.post('/forget', (req, res) => {
    req.session.cookie.expires = false;
    res.status(204).end();
  });
  app.post('/bad-max-age', (req, res) => {
    try {
      req.session.cookie.maxAge = -5;
      res.send('accepted');
    } catch (error) {
      res.send(isSessionError(error) ? error.code : String(error));
    }
  });
  app.post('/set-secure', (req, res) => {
    try {
      Reflect.set(req.session.cookie, 'secure', true);
      res.send('accepted');
    } catch (error) {
      res.send(isSessionError(error) ? error.code : String(error));
    }
  });
  app.post('/chain', (req, res) => {
    res.json({ chained: req.session.touch().resetMaxAge() === req.session });
  });
  app.post('/promises', async (req, res) => {
    req.session.cart = ['before regenerate'];
    await req.session.save();
    // A session has an absolute deadline once it is stored.
    const saved = sessionOf(req.session).absoluteDeadlineMs !== undefined;
    await req.session.regenerate();
    const emptied = Object.keys(req.session).length === 0;
    req.session.cart = ['after regenerate'];
    await req.session.save();
    await req.session.reload();
    res.json({ saved, emptied, cart: req.session.cart });
  });
  app.post('/destroy-promise', async (req, res) => {
    await req.session.destroy();
    res.json({ keys: Object.keys(req.session) });
  });
  app.post('/reload-later', async (req, res) => {
    await held.wait();
    req.session.reload(orAnswer(res, () => void res.json(req.session.cart ?? null)));
  });
  app.post('/regenerate-later', async (req, res) => {
    await held.wait();
    const previous = req.session;
    req.session.regenerate(
      orAnswer(res, () => void res.json({ keys: Object.keys(req.session), previousKeys: Object.keys(previous) })),
    );
  });
  app.post('/save-cb', (req, res) => {
    req.session.cart = ['changed'];
    req.session.save((error?: unknown) => {
      callbackErrors.push(error);
      orAnswer(res, () => void res.send('saved'))(error);
    });
  });
  app.post('/save-forget', (req, res) => {
    req.session.cart = ['changed'];
    void req.session.save();
    res.send('answered');
  });
  app.post('/null', (req, res) => {
    req.session = null;
    res.status(204).end();
  });
  app.use(answerErrors);
  return app;
}

describe.each(storeKinds())('the express-session view on $name', (kind) => {
  const start = async (idleTimeoutMs?: number) => {
    const { store, count } = kind.create();
    return { ...(await listen(buildApp(store, idleTimeoutMs))), count };
  };

  it('shows data keys, and only them, as own enumerable properties (Object.keys, for...in, JSON, in, spread)', async () => {
    const { client } = await start();
    await client.request('POST', '/set');
    expect(JSON.parse((await client.get('/shape')).body)).toEqual({
      keys: ['cart', 'messages'],
      forIn: ['cart', 'messages'],
      json: { cart: ['apple'], messages: ['hello'] },
      cartIn: true,
      saveIn: true,
      ownSave: false,
      typeofSave: 'function',
      idIsSessionID: true,
      sessionOfData: { cart: ['apple'], messages: ['hello'] },
    });
    await client.request('POST', '/delete');
    expect(JSON.parse((await client.get('/dump')).body)).toEqual({ messages: ['hello'] });
  });

  it('refuses to write or delete the names it reserves, with a SessionArgumentError (400)', async () => {
    const { client } = await start();
    for (const name of RESERVED) {
      expect((await client.request('POST', `/reserved/${name}`)).body).toBe('INVALID_ARGUMENT 400');
      expect((await client.request('POST', `/delete-reserved/${name}`)).body).toBe('INVALID_ARGUMENT 400');
    }
    expect((await client.request('POST', '/reserved/__proto__')).body).toBe('INVALID_ARGUMENT 400');
    expect((await client.request('POST', '/reserved/ordinary')).body).toBe('accepted');
  });

  it('regenerate(cb) gives a new id and an empty new view as req.session; the old view keeps the old data', async () => {
    const { client, browser } = await start();
    await client.request('POST', '/set');
    const before = client.cookie('sid');
    const response = await client.request('POST', '/regenerate');
    expect(JSON.parse(response.body)).toEqual({
      replaced: true,
      previousKeys: ['cart', 'messages'],
      previousCart: ['apple'],
      previousId: true,
      keys: [],
      newId: true,
    });
    const replay = browser();
    replay.setCookie('sid', before);
    expect(JSON.parse((await replay.get('/dump')).body)).toEqual({});
  });

  it('reads the cookie sensibly, and maps maxAge/expires onto a persistent cookie whose life the server decides', async () => {
    const { client } = await start(20 * 60_000);
    const fresh = JSON.parse((await client.get('/cookie')).body) as Record<string, unknown>;
    expect(fresh).toEqual({
      maxAge: null,
      expires: null,
      originalMaxAge: null,
      httpOnly: true,
      secure: false,
      path: '/',
      sameSite: 'lax',
      domain: null,
    });
    const remembered = await client.request('POST', '/remember');
    // Max-Age is the idle timeout (20 minutes), not the 30 days asked for.
    expect(remembered.setCookies[0]).toMatch(/; Max-Age=1200;/);
    const persistent = JSON.parse((await client.get('/cookie')).body) as Record<string, number>;
    expect(persistent['originalMaxAge']).toBe(20 * 60_000);
    expect(persistent['maxAge']).toBeGreaterThan(20 * 60_000 - 5_000);
    expect(persistent['maxAge']).toBeLessThanOrEqual(20 * 60_000);
    expect(persistent['expires']).toBeGreaterThan(20 * 60_000 - 5_000);
    const forgotten = await client.request('POST', '/forget');
    expect(forgotten.setCookies[0]).toMatch(/^sid=Fe26/);
    expect(forgotten.setCookies[0]).not.toMatch(/Max-Age/);
    expect(JSON.parse((await client.get('/cookie')).body)).toMatchObject({ maxAge: null, expires: null });
    expect((await client.request('POST', '/remember-until')).setCookies[0]).toMatch(/; Max-Age=1200;/);
    expect((await client.request('POST', '/bad-max-age')).body).toBe('INVALID_ARGUMENT');
    expect((await client.request('POST', '/set-secure')).body).toBe('INVALID_ARGUMENT');
    expect(JSON.parse((await client.get('/dump')).body)).toEqual({ cart: ['remembered'] });
  });

  it('returns promises without a callback: save, regenerate, reload, destroy', async () => {
    const { client, count } = await start();
    const response = await client.request('POST', '/promises');
    expect(JSON.parse(response.body)).toEqual({ saved: true, emptied: true, cart: ['after regenerate'] });
    expect(JSON.parse((await client.get('/dump')).body)).toEqual({ cart: ['after regenerate'] });
    expect(await count()).toBe(1);
    const destroyed = await client.request('POST', '/destroy-promise');
    expect(JSON.parse(destroyed.body)).toEqual({ keys: [] });
    expect(await count()).toBe(0);
  });

  it("touch() and resetMaxAge() chain like express-session's", async () => {
    const { client } = await start();
    expect(JSON.parse((await client.request('POST', '/chain')).body)).toEqual({ chained: true });
  });

  it('reload(cb) reads what another request stored meanwhile', async () => {
    held = gate();
    const { client, browser } = await start();
    await client.request('POST', '/set');
    const waiting = client.request('POST', '/reload-later');
    await held.reached;
    const other = browser();
    other.setCookie('sid', client.cookie('sid'));
    await other.request('POST', '/save-cb');
    held.open();
    expect(JSON.parse((await waiting).body)).toEqual(['changed']);
  });

  it('calls reload(cb) back with GONE (409) when the session was logged out meanwhile', async () => {
    held = gate();
    const { client, browser, count } = await start();
    await client.request('POST', '/set');
    const waiting = client.request('POST', '/reload-later');
    await held.reached;
    const other = browser();
    other.setCookie('sid', client.cookie('sid'));
    await other.request('POST', '/null');
    held.open();
    const response = await waiting;
    expect(response.status).toBe(409);
    expect(response.body).toBe('GONE');
    expect(await count()).toBe(0);
  });

  it('regenerate(cb) after a logout meanwhile starts an empty session; the old view shows nothing to merge back', async () => {
    held = gate();
    const { client, browser, count } = await start();
    await client.request('POST', '/set');
    const loggedOut = client.cookie('sid');
    const waiting = client.request('POST', '/regenerate-later');
    await held.reached;
    const other = browser();
    other.setCookie('sid', loggedOut);
    await other.request('POST', '/null');
    held.open();
    const response = await waiting;
    expect(response.status).toBe(200);
    // previousKeys empty too: Passport's keepSessionInfo merge cannot bring the logged-out data back.
    expect(JSON.parse(response.body)).toEqual({ keys: [], previousKeys: [] });
    expect(await count()).toBe(0);
    const replay = browser();
    replay.setCookie('sid', loggedOut);
    expect(JSON.parse((await replay.get('/dump')).body)).toEqual({});
  });

  it('logs out on req.session = null: destroyed in the store, cookie cleared', async () => {
    const { client, count } = await start();
    await client.request('POST', '/set');
    expect(await count()).toBe(1);
    const response = await client.request('POST', '/null');
    expect(response.setCookies[0]).toMatch(/^sid=;/);
    expect(await count()).toBe(0);
  });
});

describe('the express-session view when the store fails', () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown): void => void unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', record);
  });
  afterEach(() => {
    process.off('unhandledRejection', record);
  });

  async function startFailing() {
    const store = new MemoryStore();
    const served = await listen(buildApp(store));
    await served.client.request('POST', '/set');
    store.patch = () => Promise.reject(new Error("READONLY You can't write against a read only replica."));
    return served;
  }

  it('calls save(cb) back with STORE_UNAVAILABLE (503), and the response is the 503', async () => {
    const { client } = await startFailing();
    callbackErrors.length = 0;
    const response = await client.request('POST', '/save-cb');
    expect(callbackErrors).toHaveLength(1);
    expect(isSessionError(callbackErrors[0], 'STORE_UNAVAILABLE')).toBe(true);
    // The callback answered 503; the commit before that answer found the store failed too, and the
    // adapter's error path answered instead: a 503 either way, never a 200 for an unsaved session.
    expect(response.status).toBe(503);
    await delay(20);
    expect(unhandled).toEqual([]);
  });

  it('leaves no unhandled rejection for a save() nobody awaits; the response reports the failure', async () => {
    const { client } = await startFailing();
    const response = await client.request('POST', '/save-forget');
    expect(response.status).toBe(503);
    expect(response.body).toBe('error: STORE_UNAVAILABLE');
    await delay(20);
    expect(unhandled).toEqual([]);
  });
});
